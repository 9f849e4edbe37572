/**
 * The connection factory: every new session of a pool or a `connect()` call
 * goes through it.
 *
 * loadBalance on:  discovery list (cached) → balancer picks → count reserved
 *                  at once → dial → on a network failure mark the node failed
 *                  and pick again; any other error rejects at once. Nodes
 *                  marked failed within failed_host_ttl_seconds are tried only
 *                  when no other is left, least recently failed first.
 * loadBalance off: libpq 16 multi-host: the listed hosts in order (shuffled
 *                  with load_balance_hosts=random), first that connects and
 *                  satisfies target_session_attrs wins.
 *
 * The factory never holds a session of its own (discovery sessions are opened
 * and closed by `queryServers`), keeps no timers beyond a pending connect's own
 * timeout, and counts each session exactly once until `session.closed` settles.
 */
import type { Config } from '../config/types.js'
import { abortReason, connectTimeoutError, Deadline, raceSignal } from '../deadline.js'
import { ConfigError, ConnectionError, ErrorCode } from '../errors.js'
import { buildCandidates, hostKey, shuffled } from './candidates.js'
import { HostBook, clusterKeyOf, sharedHostBooks, type HostBookRegistry } from './host-book.js'
import { createBuiltinBalancer } from './policies.js'
import type { NodeViewSource } from './node-views.js'
import { ServerCache } from './server-cache.js'
import {
  describeMismatch,
  satisfies,
  sessionPasses,
  type SessionRequirement,
  type SessionState,
} from './session-attrs.js'
import {
  systemClock,
  type BalancedSession,
  type Balancer,
  type Candidate,
  type Clock,
  type ConnectNode,
  type NodeAddress,
  type QueryServers,
  type Random,
  type ServerRow,
} from './types.js'

/** What the factory is built on; everything that does I/O is injected. */
export interface ConnectionFactoryDeps<S extends BalancedSession> {
  connectNode: ConnectNode<S>
  queryServers: QueryServers
  /** Replaces the built-in balancer of `config.loadBalance` (used only when load balancing is on). */
  balancer?: Balancer
  clock?: Clock
  random?: Random
  /** Needed when `targetSessionAttrs` is not `any`: reads the session's state, within the connect deadline (`signal`). */
  checkSession?: (session: S, signal: AbortSignal) => Promise<SessionState>
  /** Closes a session the factory turned down or that arrived after its timeout. */
  closeSession?: (session: S) => unknown
  /** Where host books live; defaults to the process-wide registry. */
  books?: HostBookRegistry
  /** Background failures (a refresh of the server list that failed). */
  onError?: (error: unknown) => void
  /** Told every decision of the balancer (query events, src/observe): its name, the candidates, its valid choice, the attempt. */
  onPick?: (balancer: string, candidates: readonly Candidate[], chosen: Candidate | undefined, attempt: number) => void
}

/** A session with the node it was opened on (`nodeKey`: the node's identity in the host book). */
export type BalancedResult<S> = S & { readonly node: NodeAddress; readonly nodeKey: string }

/** Counters for monitoring and tests. */
export interface FactoryStats {
  /** yb_servers() refreshes started by this factory. */
  refreshes: number
  /** Nodes skipped for now because they failed to connect (dialled host:port). */
  failedHosts: string[]
  /** The last server list, null for plain PostgreSQL or before discovery. */
  servers: ServerRow[] | null
  /** True when the cluster is dialled through public IPs. */
  usePublicIp: boolean
  /** The balancer in use, undefined when load balancing is off. */
  balancer: string | undefined
  /** Why the last refresh failed, when it did. */
  lastRefreshError?: unknown
}

export interface ConnectionFactory<S extends BalancedSession> {
  /** Open one session on the node the policy chooses; `signal` abandons the connect (its reason rejects it). */
  connect(signal?: AbortSignal): Promise<BalancedResult<S>>
  /** Open sessions of this factory per host (0 once all are closed). */
  hostConnections(): Map<string, number>
  /** Open sessions per host of every factory in this process on the same cluster. */
  clusterConnections(): Map<string, number>
  stats(): FactoryStats
  /**
   * The state per-node views read (createNodeViews in node-views.ts: node
   * statistics, rebalance plans, failed-mark expiry). Only a pool builds
   * them, so `connect()` alone does not carry that code.
   */
  readonly state: NodeViewSource
}

/** One node that did not give a usable session. */
interface Failure {
  node: string
  reason: string
  /** Refused / unreachable / timed out: not worth a second pass. */
  network: boolean
  /** The underlying error, when there is one (a session that merely did not match has none). */
  error?: unknown
}

interface Target {
  key: string
  address: NodeAddress
}

type Outcome<S> = { session: BalancedResult<S> } | { failure: Failure }

export function createConnectionFactory<S extends BalancedSession>(
  config: Config,
  deps: ConnectionFactoryDeps<S>,
): ConnectionFactory<S> {
  const clock = deps.clock ?? systemClock
  const random = deps.random ?? Math.random
  const seeds: NodeAddress[] = config.hosts.map((h) => ({ ...h }))
  const registry = deps.books ?? sharedHostBooks
  const clusterKey = clusterKeyOf(config.hosts)
  const book = registry.bookFor(clusterKey)
  const own = new HostBook()
  const ttlMs = config.failedHostTtlSeconds * 1000
  const passes = sessionPasses(config.targetSessionAttrs)
  if (config.targetSessionAttrs !== 'any' && deps.checkSession === undefined) {
    throw new ConfigError(`target_session_attrs=${config.targetSessionAttrs} needs a session check`, {
      option: 'targetSessionAttrs',
    })
  }
  const balancer =
    config.loadBalance === false
      ? undefined
      : (deps.balancer ??
        createBuiltinBalancer({
          mode: config.loadBalance,
          topologyKeys: config.topologyKeys,
          fallbackToTopologyKeysOnly: config.fallbackToTopologyKeysOnly,
          random,
        }))
  // One server list per cluster, user, database and startup options (discovery
  // runs as that user, with those options, which may change what it sees).
  const cacheKey = `${clusterKey}|${config.user}|${config.database}|${config.options ?? ''}|${config.ybServersRefreshInterval}`
  const cache = registry.sharedFor(
    cacheKey,
    () =>
      new ServerCache({
        seeds,
        refreshIntervalSeconds: config.ybServersRefreshInterval,
        queryServers: deps.queryServers,
        clock,
        onError: deps.onError,
      }),
  )

  const close = (session: S): void => {
    try {
      Promise.resolve(deps.closeSession?.(session)).catch(() => undefined)
    } catch {
      // A failing close changes nothing: the session is already uncounted.
    }
  }

  /**
   * One attempt on one node. The count is reserved before anything else so
   * concurrent connects see it; it is released exactly once on every path.
   */
  const attempt = async (target: Target, want: SessionRequirement, outer: AbortSignal | undefined): Promise<Outcome<S>> => {
    const name = `${target.address.host}:${target.address.port}`
    // The one deadline of this attempt (libpq connect_timeout: dial, TLS,
    // authentication and the target_session_attrs check); a connect aborted
    // by its caller (a pool that ends) stops it too.
    const ms = config.connectTimeoutMs
    const deadline = new Deadline(ms, () => connectTimeoutError(name, ms), outer)
    const shared = book.reserve(target.key, target.address)
    const mine = own.reserve(target.key, target.address)
    const release = () => {
      shared.release()
      mine.release()
    }
    let session: S
    try {
      // A session that arrives after the deadline (a connectNode that ignores it) is closed. The
      // Deadline itself goes down (no AbortSignal unless something asks for one: see deadline.ts).
      session = await raceSignal(deps.connectNode(target.address, deadline), deadline, close)
    } catch (error) {
      deadline.clear()
      release()
      if (outer?.aborted) throw abortReason(outer)
      if (!(error instanceof ConnectionError)) throw error
      book.markFailed(target.key, clock.now())
      return { failure: { node: name, reason: error.message, network: true, error } }
    }
    if (want === 'any') deadline.clear()
    session.closed.then(release, release)
    book.clearFailed(target.key)
    if (want !== 'any') {
      let state: SessionState
      try {
        const check = deps.checkSession as (s: S, signal: AbortSignal) => Promise<SessionState>
        state = await raceSignal(check(session, deadline.signal), deadline.signal)
      } catch (error) {
        deadline.clear()
        release()
        close(session)
        if (outer?.aborted) throw abortReason(outer)
        // The session was up: whatever happened, the node is not marked down.
        if (!(error instanceof ConnectionError)) throw error
        return { failure: { node: name, reason: `session check failed: ${error.message}`, network: false, error } }
      }
      deadline.clear()
      if (!satisfies(want, state)) {
        release()
        close(session)
        return { failure: { node: name, reason: describeMismatch(want, state), network: false } }
      }
    }
    Object.defineProperty(session, 'node', { value: { ...target.address }, configurable: true, enumerable: true })
    Object.defineProperty(session, 'nodeKey', { value: target.key, configurable: true, enumerable: false })
    return { session: session as BalancedResult<S> }
  }

  /** libpq multi-host: hosts in order (or shuffled), pass by pass. */
  const connectInOrder = async (signal: AbortSignal | undefined): Promise<BalancedResult<S>> => {
    const hosts = config.loadBalanceHosts === 'random' ? shuffled(seeds, random) : seeds
    const failures: Failure[] = []
    const unreachable = new Set<string>()
    for (const want of passes) {
      for (const address of hosts) {
        const key = hostKey(address)
        if (unreachable.has(key)) continue
        const outcome = await attempt({ key, address }, want, signal)
        if ('session' in outcome) return outcome.session
        failures.push(outcome.failure)
        if (outcome.failure.network) unreachable.add(key)
      }
    }
    throw noSessionError(`Could not connect to any host${attrsNote()}`, failures)
  }

  /** Ask `chooser` to pick among `candidates` (never empty); a pick must be one of them. */
  const pickAmong = (chooser: Balancer, candidates: readonly Candidate[], attemptNo: number): Candidate | undefined => {
    const chosen = chooser.pick(candidates, { attempt: attemptNo })
    if (chosen === undefined) {
      deps.onPick?.(chooser.name, candidates, undefined, attemptNo)
      return undefined
    }
    const target = candidates.find((c) => c.key === chosen.key)
    if (target === undefined) {
      throw new ConnectionError(`Balancer "${chooser.name}" picked ${chosen.key}, which is not one of the candidates`)
    }
    deps.onPick?.(chooser.name, candidates, target, attemptNo)
    return target
  }

  /**
   * When no healthy node is left (or the policy accepts none of them): the
   * node that failed longest ago among those still inside
   * failed_host_ttl_seconds, each offered to the balancer alone so its
   * filters (node type, topology keys without fallback) still decide. One
   * such node per connect: failing fast would refuse every connect for the
   * whole TTL after a cluster-wide blip, even once nodes are back, and trying
   * them all would make a connect during an outage cost one connect timeout
   * per node. A node that fails again goes to the back of the line.
   */
  const pickFailed = (chooser: Balancer, untried: readonly Candidate[], now: number, attemptNo: number): Candidate | undefined => {
    const failed = untried
      .filter((c) => book.isFailed(c.key, now, ttlMs))
      .sort((a, b) => (book.failedSince(a.key) ?? 0) - (book.failedSince(b.key) ?? 0))
    for (const candidate of failed) {
      const target = pickAmong(chooser, [candidate], attemptNo)
      if (target !== undefined) return target
    }
    return undefined
  }

  /** Smart balancing: the balancer picks among usable nodes until one gives a session. */
  const connectBalanced = async (chooser: Balancer, signal: AbortSignal | undefined): Promise<BalancedResult<S>> => {
    const list = await raceSignal(cache.load(deps.queryServers), signal)
    const failures: Failure[] = []
    // Nodes this connect could not reach: not dialled again by a later pass.
    const unreachable = new Set<string>()
    let triedFailed = false
    let picks = 0
    for (const want of passes) {
      const tried = new Set<string>()
      for (;;) {
        const now = clock.now()
        const all = buildCandidates(list, seeds, book, config.topologyKeys)
        const untried = all.filter((c) => !tried.has(c.key) && !unreachable.has(c.key))
        const usable = untried.filter((c) => !book.isFailed(c.key, now, ttlMs))
        let target = usable.length === 0 ? undefined : pickAmong(chooser, usable, picks + 1)
        if (target === undefined && !triedFailed) {
          target = pickFailed(chooser, untried, now, picks + 1)
          triedFailed = target !== undefined
        }
        if (target === undefined) break
        picks++
        tried.add(target.key)
        const outcome = await attempt(target, want, signal)
        if ('session' in outcome) return outcome.session
        failures.push(outcome.failure)
        if (outcome.failure.network) unreachable.add(target.key)
      }
    }
    const all = buildCandidates(list, seeds, book, config.topologyKeys)
    throw noSessionError(
      `No node available for load balancing (${chooser.name})${attrsNote()}: ${all.length} node(s) known` +
        skippedNote(all, clock.now()),
      failures,
    )
  }

  const attrsNote = () =>
    config.targetSessionAttrs === 'any' ? '' : ` with target_session_attrs=${config.targetSessionAttrs}`

  const skippedNote = (all: readonly Candidate[], now: number): string => {
    const skipped = all.filter((c) => book.isFailed(c.key, now, ttlMs)).map((c) => `${c.address.host}:${c.address.port}`)
    return skipped.length === 0
      ? ''
      : `; skipped (failed to connect in the last ${config.failedHostTtlSeconds} s): ${skipped.join(', ')}`
  }

  return {
    connect: (signal) => (balancer === undefined ? connectInOrder(signal) : connectBalanced(balancer, signal)),
    hostConnections: () => own.snapshot(),
    clusterConnections: () => book.snapshot(),
    stats: () => ({
      refreshes: cache.refreshes,
      failedHosts: book.failedKeys(clock.now(), ttlMs).map((key) => book.describe(key)),
      servers: cache.get(),
      usePublicIp: cache.current()?.usePublicIp ?? false,
      balancer: balancer?.name,
      lastRefreshError: cache.lastRefreshError,
    }),
    state: { config, seeds, book, own, cache, balancer, clock, ttlMs, queryServers: deps.queryServers },
  }
}

/**
 * The error of a connect that found no usable session, naming every node
 * tried and why; `cause` is the last underlying error.
 */
function noSessionError(summary: string, failures: readonly Failure[]): ConnectionError {
  const tried = failures.length === 0 ? '' : `; tried ${failures.map((f) => `${f.node} (${f.reason})`).join(', ')}`
  const cause = failures.filter((f) => f.error !== undefined).at(-1)?.error
  return new ConnectionError(`${summary}${tried}`, { code: ErrorCode.NoHost, cause })
}
