/**
 * The producers' side of the events (events.ts): small functions the
 * connection, the session factory and the pool call, each only after
 * `wants(kind)` said someone listens. They observe a promise without
 * changing it: the caller gets back the very promise it passed in.
 */
import {
  emit,
  nextId,
  now,
  sqlstateOf,
  type AcquireStartEvent,
  type ConnectStartEvent,
  type EventNode,
  type EventSession,
  type PgfleetEvent,
  type QueryStartEvent,
} from './events.js'

/** What a query event needs to know about its session (a Connection has it all). */
export interface ObservedSession {
  readonly host: EventNode
  readonly processId: number
  readonly config: { readonly database: string; readonly user: string }
}

/** The session fields of an event (a copy: a node address object is not shared). */
export function sessionOf(session: ObservedSession): EventSession {
  return {
    node: { host: session.host.host, port: session.host.port },
    database: session.config.database,
    user: session.config.user,
    processId: session.processId,
  }
}

/** Emit `query:start` now and `query:end` when `promise` settles; returns `promise`. */
export function observeQuery<T>(session: ObservedSession, text: string, params: number, promise: Promise<T>): Promise<T> {
  return track({ type: 'query:start', id: nextId(), time: now(), text, params, ...sessionOf(session) }, 'query:end', promise, summary)
}

/** Emit `connect:start` now and `connect:end` when the session is up or failed; returns `promise`. */
export function observeConnect<S extends { processId: number; encrypted: boolean }>(
  node: EventNode,
  config: { readonly database: string; readonly user: string },
  promise: Promise<S>,
): Promise<S> {
  const start: ConnectStartEvent = {
    type: 'connect:start',
    id: nextId(),
    time: now(),
    node: { host: node.host, port: node.port },
    database: config.database,
    user: config.user,
  }
  return track(start, 'connect:end', promise, (session) => ({ processId: session.processId, encrypted: session.encrypted }))
}

/** Emit `acquire:start` now and `acquire:end` when the pool hands out a session or gives up; returns `promise`. */
export function observeAcquire<S extends { readonly resource: ObservedSession }>(
  config: { readonly database: string; readonly user: string },
  pool: AcquireStartEvent['pool'],
  promise: Promise<S>,
): Promise<S> {
  const start: AcquireStartEvent = { type: 'acquire:start', id: nextId(), time: now(), database: config.database, user: config.user, pool }
  return track(start, 'acquire:end', promise, (slot) => ({ session: sessionOf(slot.resource) }))
}

/**
 * Emit `start` now and, when `promise` settles, the `end` event: the start's
 * fields, the time, the duration and `outcome` of the value (or the failure).
 */
function track<S extends QueryStartEvent | ConnectStartEvent | AcquireStartEvent, T>(
  start: S,
  end: S['type'] extends `${infer Kind}:start` ? `${Kind}:end` : never,
  promise: Promise<T>,
  outcome: (value: T) => object,
): Promise<T> {
  emit(start)
  const done = (fields: object) => {
    const time = now()
    emit({ ...start, type: end, time, durationMs: time - start.time, ...fields } as unknown as PgfleetEvent)
  }
  promise.then(
    (value) => done(outcome(value)),
    (error: unknown) => done(failure(error)),
  )
  return promise
}

/** Command and row count of what a query resolved with (a Result, a script's Result[], a COPY's count). */
function summary(value: unknown): { command?: string; rows?: number | null } {
  const last = Array.isArray(value) ? value[value.length - 1] : value
  if (last === null || typeof last !== 'object') return {}
  const { command, rowCount } = last as { command?: unknown; rowCount?: unknown }
  return {
    ...(typeof command === 'string' && command !== '' ? { command } : {}),
    ...(typeof rowCount === 'number' || rowCount === null ? { rows: rowCount } : {}),
  }
}

function failure(error: unknown): { error: Error; sqlstate?: string } {
  const sqlstate = sqlstateOf(error)
  return { error: error instanceof Error ? error : new Error(String(error)), ...(sqlstate ? { sqlstate } : {}) }
}

/** A candidate as the balancer saw it (structurally the balancer's Candidate). */
interface PickCandidate {
  readonly address: EventNode
  readonly openConnections: number
  readonly nodeType?: string
  readonly topology?: { readonly cloud: string; readonly region: string; readonly zone: string }
}

/** Emit `balancer:pick` for one decision of `balancer` among `candidates`. */
export function observePick(balancer: string, candidates: readonly PickCandidate[], chosen: PickCandidate | undefined, attempt: number): void {
  emit({
    type: 'balancer:pick',
    time: now(),
    balancer,
    attempt,
    candidates: candidates.map((c) => ({
      node: { host: c.address.host, port: c.address.port },
      connections: c.openConnections,
      ...(c.nodeType ? { nodeType: c.nodeType } : {}),
      ...(c.topology ? { zone: `${c.topology.cloud}.${c.topology.region}.${c.topology.zone}` } : {}),
    })),
    ...(chosen ? { chosen: { host: chosen.address.host, port: chosen.address.port } } : {}),
  })
}
