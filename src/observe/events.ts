/**
 * What pgfleet reports about its work, for logs, metrics and tracing: every
 * query, connect, pool acquire and balancer decision, as plain objects.
 *
 * Off by default and free when unused: a producer asks `wants(kind)` (one
 * field read, plus a `hasSubscribers` read per channel when a runtime
 * bridge such as Node's diagnostics_channel is installed) before it builds
 * an event, so with no subscriber nothing is allocated or timed.
 *
 * The hub lives on `globalThis` under a registered symbol, so every bundle
 * (`pgfleet`, `pgfleet/pg`, `pgfleet/prisma`, `pgfleet/otel`) and every copy
 * of the package shares one: a subscriber sees the queries of all of them.
 * A throwing subscriber never reaches the query: its error is dropped (it
 * would otherwise surface in whatever happened to run the query).
 */
import { PgError } from '../errors.js'

/** The node an event is about. */
export interface EventNode {
  host: string
  port: number
}

/** The session a query ran on. */
export interface EventSession {
  node: EventNode
  database: string
  user: string
  /** Backend process id (pg_stat_activity.pid). */
  processId: number
}

interface Timed {
  /** Correlates a start with its end (unique per process, per kind). */
  id: number
  /** `performance.now()` when it happened (ms). */
  time: number
}

interface Outcome {
  /** Milliseconds from start to end. */
  durationMs: number
  /** Why it failed; absent on success. */
  error?: Error
  /** The server's SQLSTATE when the failure came from the server. */
  sqlstate?: string
}

/** A query was handed to a session (queued or written). */
export interface QueryStartEvent extends Timed, EventSession {
  type: 'query:start'
  /** The SQL text as given (parameters as `$n`, their values are never in an event). */
  text: string
  /** Number of bound parameters; 0 for a simple-protocol query. */
  params: number
}

/** A query settled. */
export interface QueryEndEvent extends Omit<QueryStartEvent, 'type'>, Outcome {
  type: 'query:end'
  /** Command tag of the (last) statement: SELECT, INSERT, ... */
  command?: string
  /** Rows returned or affected, when the server says. */
  rows?: number | null
}

/** A session is being opened on a node (dial, TLS, authentication). */
export interface ConnectStartEvent extends Timed {
  type: 'connect:start'
  node: EventNode
  database: string
  user: string
}

/** The session is up, or opening it failed. */
export interface ConnectEndEvent extends Omit<ConnectStartEvent, 'type'>, Outcome {
  type: 'connect:end'
  processId?: number
  /** TLS in use. */
  encrypted?: boolean
}

/** A pool was asked for a session. */
export interface AcquireStartEvent extends Timed {
  type: 'acquire:start'
  database: string
  user: string
  /** The pool's counts when the acquire began (as `pool.stats()`). */
  pool: { total: number; idle: number; active: number; waiting: number; pending: number }
}

/** The pool handed out a session (or the acquire failed: timeout, pool ended). */
export interface AcquireEndEvent extends Omit<AcquireStartEvent, 'type'>, Outcome {
  type: 'acquire:end'
  /** The session handed out. */
  session?: EventSession
}

/** The balancer chose a node for a new session (load balancing on). */
export interface BalancerPickEvent {
  type: 'balancer:pick'
  time: number
  /** The balancer's name (`any`, `prefer-rr`, a custom one). */
  balancer: string
  /** 1 for the first pick of a connect, then 2, ... after failures. */
  attempt: number
  /** What it chose from: each node with this process's open connections to it. */
  candidates: { node: EventNode; connections: number; nodeType?: string; zone?: string }[]
  /** Its choice; absent when it accepted none. */
  chosen?: EventNode
}

/** Every event, by its `type`. */
export type PgfleetEvent =
  | QueryStartEvent
  | QueryEndEvent
  | ConnectStartEvent
  | ConnectEndEvent
  | AcquireStartEvent
  | AcquireEndEvent
  | BalancerPickEvent

/** Event families: a producer checks `wants(kind)` before building the events of one. */
export type EventKind = 'query' | 'connect' | 'acquire' | 'balancer'

/** All event types, in order (the names of the diagnostics channels are `pgfleet:` + these). */
export const EVENT_TYPES = [
  'query:start',
  'query:end',
  'connect:start',
  'connect:end',
  'acquire:start',
  'acquire:end',
  'balancer:pick',
] as const satisfies readonly PgfleetEvent['type'][]

/** One named channel of a runtime's publish/subscribe facility (Node's diagnostics_channel). */
export interface DiagnosticChannel {
  readonly hasSubscribers: boolean
  publish(message: unknown): void
}

/** Returns the runtime's channel of a name (`pgfleet:query:start`, ...). */
export type ChannelFactory = (name: string) => DiagnosticChannel

type Handler = (event: PgfleetEvent) => void

interface Hub {
  readonly version: 1
  handlers: Set<Handler>
  /** Runtime channels by event type, once a bridge is installed. */
  channels: Map<string, DiagnosticChannel> | undefined
  /** The same channels by event family, for the check producers make on every operation. */
  byKind: Record<EventKind, DiagnosticChannel[]> | undefined
  ids: number
}

const HUB_KEY = Symbol.for('pgfleet.observe.hub')

/** The process-wide hub (see the module comment). */
function sharedHub(): Hub {
  const holder = globalThis as unknown as Record<symbol, Hub | undefined>
  return (holder[HUB_KEY] ??= { version: 1, handlers: new Set(), channels: undefined, byKind: undefined, ids: 0 })
}

const hub = sharedHub()

/**
 * Subscribe to every event pgfleet emits in this process (all its entries);
 * returns the function that unsubscribes.
 *
 * @example
 * const off = observe((e) => {
 *   if (e.type === 'query:end') console.log(`${e.node.host} ${e.durationMs.toFixed(1)} ms ${e.command ?? ''} ${e.error ? e.sqlstate ?? e.error.message : e.rows}`)
 * })
 */
export function observe(handler: (event: PgfleetEvent) => void): () => void {
  hub.handlers.add(handler)
  return () => void hub.handlers.delete(handler)
}

/**
 * Publish every event on the runtime's channels too (`pgfleet:query:start`,
 * ...; Node's diagnostics_channel). Installed by the package entry; the first
 * bridge wins.
 */
export function bridgeChannels(channel: ChannelFactory): void {
  if (hub.channels) return
  const channels = new Map(EVENT_TYPES.map((type) => [type, channel(`pgfleet:${type}`)]))
  const of = (kind: EventKind) => EVENT_TYPES.filter((type) => type.startsWith(`${kind}:`)).map((type) => channels.get(type)!)
  hub.byKind = { query: of('query'), connect: of('connect'), acquire: of('acquire'), balancer: of('balancer') }
  hub.channels = channels
}

/** Whether anyone listens to events of `kind` now (the check producers make before building one). */
export function wants(kind: EventKind): boolean {
  if (hub.handlers.size > 0) return true
  const channels = hub.byKind?.[kind]
  if (channels === undefined) return false
  for (let i = 0; i < channels.length; i++) if (channels[i]!.hasSubscribers) return true
  return false
}

/** Deliver `event` to every subscriber and its runtime channel; subscriber errors are dropped. */
export function emit(event: PgfleetEvent): void {
  for (const handler of hub.handlers) {
    try {
      handler(event)
    } catch {
      // An observer must not change the outcome of what it observes.
    }
  }
  const channel = hub.channels?.get(event.type)
  if (channel?.hasSubscribers) {
    try {
      channel.publish(event)
    } catch {
      // Same for a channel subscriber.
    }
  }
}

/** A new id for a start event. */
export function nextId(): number {
  return ++hub.ids
}

/** The clock events use (ms, monotonic where the runtime has one). */
export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now()
}

/** The SQLSTATE of a server error (PgError and anything else carrying one). */
export function sqlstateOf(error: unknown): string | undefined {
  return error instanceof PgError ? error.code : undefined
}
