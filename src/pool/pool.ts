/**
 * A connection pool whose every new session goes through the balancer
 * factory, so pooled connections spread over the cluster exactly like single
 * `connect()` calls, and a closed session gives its host count back.
 *
 * ```ts
 * const pool = createPool({ host: 'n1,n2,n3', loadBalance: true, max: 10 })
 * const { rows } = await pool.query('select $1::int as x', [1])
 * const client = await pool.connect()
 * try { await client.query('...') } finally { client.release() }
 * await pool.end()
 * ```
 *
 * Idle connections do not keep the process alive (their sockets are unref'd
 * and ref'd again when checked out). A connection that ended while idle is
 * dropped; one idle longer than `idleCheckMs` is checked with an empty query
 * (bounded by the connect timeout, at most 5 s, plus cancel_timeout) before
 * it is handed out; one released broken, or inside a transaction block, is
 * destroyed rather than reused. `end()` settles in bounded time whatever the
 * sessions are doing (see ResourcePool.end). With load balancing the pool
 * heals: idle sessions move, a few at a time, to where the balancer would put
 * them now (a node back after its failed-host TTL, a node new in
 * yb_servers(), away from a node that left it); see healer.ts.
 */
import { factoryFor, resolveConfig, type ClientOptions } from '../session-factory.js'
import type { ConnectionFactory } from '../balancer/factory.js'
import { Client } from '../client.js'
import { NO_OPTIONS, type Connection, type QueryOptions } from '../connection/connection.js'
import { hasDeadline, operationTimeout } from '../connection/operation-deadline.js'
import type { Result, Row } from '../connection/result.js'
import type { Config } from '../config/types.js'
import { ConnectionError, ErrorCode } from '../errors.js'
import { runTransaction, type Transaction, type TransactionOptions } from '../transaction.js'
import { splitPoolOptions, type PoolOptions } from './options.js'
import { ResourcePool, type PoolCounts, type Slot } from './resource-pool.js'
import { Healer } from './healer.js'
import { pipelinable } from './pipelining.js'
import type { BalancedResult } from '../balancer/factory.js'
import { createNodeViews, type NodeViews } from '../balancer/node-views.js'
import { wants } from '../observe/events.js'
import { observeAcquire } from '../observe/produce.js'

/** Connection options (object form) plus pool sizing and timing. */
export type CreatePoolOptions = ClientOptions & PoolOptions

/** Pool counts: open connections, idle ones, checked-out ones, waiting acquires, connections being opened, sessions moved by rebalancing. */
export interface PoolStats extends PoolCounts {
  /** Idle sessions retired (and replaced through the balancer) to even the spread, since the pool was created. */
  rebalanced: number
}

/** One node as one pool sees it: `pool.nodeStats()`. */
export interface PoolNodeStats {
  /** The node's address as dialled. */
  host: string
  port: number
  /** This pool's open sessions on the node (idle + checked out + being checked). */
  total: number
  idle: number
  /** Checked out by callers. */
  active: number
  /** Sessions of every pool and client of this process on the node (the balancer's count, including ones being opened or closed). */
  clusterOpen: number
  /** In the current server list (false: the node left yb_servers() and its sessions are being retired). */
  listed: boolean
  /** Refused a connect within failed_host_ttl_seconds; no new session goes there until the TTL runs out. */
  failed: boolean
  /** Idle sessions this pool retired from the node to even the spread. */
  rebalanced: number
}

/**
 * A session checked out of a pool; give it back with `release()`. Every
 * method and property goes through the lease: after release each rejects (or,
 * for those that return synchronously, throws) a ConnectionError with code
 * PGFLEET_RELEASED, since the session may already serve another borrower.
 */
export class PoolClient extends Client {
  #released = false
  readonly #giveBack: (destroy: boolean) => void

  /** @internal */
  constructor(connection: Connection, giveBack: (destroy: boolean) => void) {
    super(connection)
    this.#giveBack = giveBack
  }

  /** True once released: the client must not be used any more. */
  get released(): boolean {
    return this.#released
  }

  protected override session(): Connection {
    if (this.#released) throw releasedError()
    return super.session()
  }

  /**
   * Return the session to the pool. `release(true)` (or an Error, as in pg)
   * closes it instead, e.g. after an error that may have left it unusable.
   * This client's LISTEN and notice subscriptions end here; a session still
   * LISTENing is closed rather than lent to the next borrower. Releasing
   * twice throws (PGFLEET_RELEASED).
   */
  release(destroy: boolean | Error = false): void {
    if (this.#released) throw releasedError('release() called twice on the same pool client')
    this.#released = true
    const listening = this.hub?.detach(releasedError()).listening ?? false
    this.#giveBack(destroy !== false || listening)
  }

  /** Releases the client (pooled sessions are returned, not closed); after release it does nothing. */
  override close(): Promise<void> {
    if (!this.#released) this.release()
    return Promise.resolve()
  }

  override [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}

/** A pool of balanced sessions. Create with `createPool`. */
export class Pool {
  /** The parsed connection configuration shared by every session. */
  readonly config: Config
  readonly #factory: ConnectionFactory<Connection>
  readonly #views: NodeViews
  readonly #core: ResourcePool<Connection>
  readonly #healer: Healer<Connection> | undefined

  constructor(input: string | CreatePoolOptions, poolOptions: PoolOptions = {}) {
    const { connection, sizing, onError } = splitPoolOptions(input, poolOptions)
    const { config, extras, runtime } = resolveConfig(connection)
    this.config = config
    this.#factory = factoryFor(config, runtime, { ...extras, onError: extras.onError ?? onError })
    this.#views = createNodeViews(this.#factory.state)
    this.#core = new ResourcePool<Connection>(
      {
        create: (signal) => this.#factory.connect(signal),
        closed: (conn) => conn.closed,
        usable: (conn) => conn.isReady,
        // An empty query is the cheapest round trip (EmptyQueryResponse + ReadyForQuery);
        // a silent session fails it by its deadline and is destroyed, freeing its slot.
        validate: (conn) => conn.simple('', { timeoutMs: healthCheckTimeoutMs(config) }),
        close: (conn) => conn.close(),
        destroy: (conn) => conn.destroy(),
        onIdle: (conn) => conn.unref(),
        onCheckout: (conn) => conn.ref(),
        // A session that left a transaction block open takes no more pipelined queries (nor does a closing one).
        shareable: (conn) => conn.transactionStatus === 'I',
      },
      sizing,
      { onError },
    )
    this.#healer =
      config.loadBalance === false || sizing.rebalanceIntervalMs === 0
        ? undefined
        : new Healer({
            core: this.#core,
            factory: this.#views,
            keyOf: nodeKeyOf,
            intervalMs: sizing.rebalanceIntervalMs,
            moves: sizing.rebalanceMoves,
          })
  }

  /** Check out a session (FIFO among waiters); give it back with `client.release()`. */
  async connect(): Promise<PoolClient> {
    const slot = await this.#acquire()
    return new PoolClient(slot.resource, (destroy) => this.#giveBack(slot, destroy))
  }

  /**
   * Run one statement on a pooled session (checked out and back around the
   * query). With every session busy and the pool at `max`, a statement that
   * may be pipelined (pipelining.ts) is written on the least-loaded busy
   * session running other one-shot queries, up to `pipelineDepth` each.
   */
  query<R = Row>(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<Result<R>> {
    if (this.#core.sizing.pipelineDepth > 1 && !this.#hasDeadline(options) && pipelinable(sql, values)) return this.#sharedQuery<R>(sql, values, options)
    // An idle session at hand (and no acquire observer): straight to the query, no promise for the checkout.
    const slot = wants('acquire') ? undefined : this.#core.acquireNow()
    if (slot !== undefined) return this.#queryOn(slot, sql, values, options, this.#giveBackClean)
    return this.#acquire().then((acquired) => this.#queryOn<R>(acquired, sql, values, options, this.#giveBackClean))
  }

  /**
   * A query with a deadline (timeoutMs, query_timeout or a signal) is never
   * pipelined: its CancelRequest stops whatever the backend runs when it
   * lands (protocol docs 55.2.8), which could be another caller's query
   * written behind it, and a cancel not answered in time ends the session
   * with every query on it. On a session of its own, it can only hit itself.
   */
  #hasDeadline(options: QueryOptions = NO_OPTIONS): boolean {
    return hasDeadline(operationTimeout(options, this.config.queryTimeoutMs), options.signal)
  }

  /** A one-shot query on a share of a session (see ResourcePool.share). */
  #sharedQuery<R>(sql: string, values: readonly unknown[] | undefined, options: QueryOptions | undefined): Promise<Result<R>> {
    const observed = wants('acquire')
    const slot = this.#core.share()
    if (slot !== undefined && !observed) return this.#queryOn(slot, sql, values, options, this.#giveShareBack)
    const before = observed ? this.#core.counts() : undefined
    const acquiring = slot !== undefined ? Promise.resolve(slot) : this.#core.acquire(true)
    const acquired = before !== undefined ? observeAcquire(this.config, before, acquiring) : acquiring
    return acquired.then((shared) => this.#queryOn<R>(shared, sql, values, options, this.#giveShareBack))
  }

  /**
   * The last share goes back once the session has nothing on the wire: a
   * pipelined query rejected at its deadline may still be answered, or be
   * cancelled once it runs (operation-deadline.ts); giving the session back
   * before would destroy it as dirty.
   */
  readonly #giveShareBack = (slot: Slot<Connection>): void => {
    const conn = slot.resource
    if (slot.shares === 1 && conn.pending > 0 && conn.isReady) {
      void conn.whenIdle().then(() => this.#giveShareBack(slot))
      return
    }
    this.#core.releaseShare(slot, conn.transactionStatus !== 'I' || conn.pending > 0)
  }

  /** Run one statement on a checked-out (or shared) session and give it back with `back` before the caller sees the outcome. */
  #queryOn<R>(slot: Slot<Connection>, sql: string, values: readonly unknown[] | undefined, options: QueryOptions | undefined, back: (slot: Slot<Connection>) => void): Promise<Result<R>> {
    let running: Promise<Result<R>>
    try {
      running = slot.resource.query<R>(sql, values, options)
    } catch (error) {
      back(slot)
      return Promise.reject(error)
    }
    return running.then(
      (result) => {
        back(slot)
        return result
      },
      (error: unknown) => {
        back(slot)
        throw error
      },
    )
  }

  readonly #giveBackClean = (slot: Slot<Connection>): void => this.#giveBack(slot, false)

  /**
   * Run `fn` in a transaction on a pooled session (see Client.transaction):
   * each attempt checks a session out, so a retry after 40001/40P01 whose
   * session died meanwhile continues on a healthy one.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T> | T, options?: TransactionOptions): Promise<T> {
    return runTransaction(async (use) => {
      const slot = await this.#acquire()
      try {
        return await use(slot.resource)
      } finally {
        this.#giveBack(slot, false)
      }
    }, fn, options)
  }

  /**
   * Stop handing out sessions, close idle ones and wait until every
   * checked-out one is released and closed; after `endTimeoutMs` (default
   * 5 s) sessions still checked out are destroyed. Always settles.
   */
  end(): Promise<void> {
    this.#healer?.stop()
    return this.#core.end()
  }

  /** `await using pool = createPool(...)` ends the pool at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.end()
  }

  get ended(): boolean {
    return this.#core.ended
  }

  /** Open connections, idle ones, checked-out ones, waiting acquires and connections being opened. */
  stats(): PoolStats {
    return { ...this.#core.counts(), rebalanced: this.#healer?.retiredTotal ?? 0 }
  }

  /**
   * Per node: this pool's sessions (total, idle, checked out), the process's
   * count there, whether the node is listed and whether it is marked failed,
   * and how many sessions rebalancing moved away from it. Every node the
   * pool may use is listed, also those with no session; nodes that left the
   * server list appear while sessions remain on them.
   */
  nodeStats(): PoolNodeStats[] {
    const perKey = new Map<string, { total: number; idle: number; active: number }>()
    for (const slot of this.#core.snapshot()) {
      const key = nodeKeyOf(slot.resource)
      if (key === undefined) continue
      const entry = perKey.get(key) ?? { total: 0, idle: 0, active: 0 }
      entry.total++
      if (slot.state === 'idle') entry.idle++
      else if (slot.state === 'busy') entry.active++
      perKey.set(key, entry)
    }
    return this.#views.nodes().map((v) => {
      const mine = perKey.get(v.key) ?? { total: 0, idle: 0, active: 0 }
      return { host: v.host, port: v.port, ...mine, clusterOpen: v.clusterOpen, listed: v.listed, failed: v.failed, rebalanced: this.#healer?.retired.get(v.key) ?? 0 }
    })
  }

  /** This pool's open connections per host (the balancer's view; hosts with none are absent or 0). */
  hostConnections(): Map<string, number> {
    return this.#factory.hostConnections()
  }

  /** Open connections per host of every pool and client of this process on the same cluster. */
  clusterConnections(): Map<string, number> {
    return this.#factory.clusterConnections()
  }

  /** One checkout, seen by acquire observers (src/observe). */
  #acquire(): Promise<Slot<Connection>> {
    if (!wants('acquire')) return this.#core.acquire()
    const before = this.#core.counts()
    return observeAcquire(this.config, before, this.#core.acquire())
  }

  #giveBack(slot: Slot<Connection>, destroy: boolean): void {
    // A session left inside a transaction block (or with queries still queued) would leak its state to the next user.
    const dirty = slot.resource.transactionStatus !== 'I' || slot.resource.pending > 0
    this.#core.release(slot, destroy || dirty)
  }
}

/**
 * Create a pool. Options are the connection options (a URL, or an object with
 * `connectionString` and/or any connection key) plus the pool keys `min`,
 * `max`, `idleTimeoutMs`, `maxLifetimeMs`, `acquireTimeoutMs`, `idleCheckMs`,
 * `endTimeoutMs`, `rebalanceIntervalMs`, `rebalanceMoves`, `pipelineDepth`
 * and `onError` (background failures).
 *
 * @example
 * const pool = createPool('postgresql://yugabyte@n1,n2,n3:5433/yugabyte?load_balance=true', { max: 10 })
 */
export function createPool(input: string | CreatePoolOptions, poolOptions?: PoolOptions): Pool {
  return new Pool(input, poolOptions)
}

/** The node key the balancer gave a session (undefined for one opened otherwise). */
function nodeKeyOf(conn: Connection): string | undefined {
  return (conn as Partial<BalancedResult<Connection>>).nodeKey
}

/** The idle health check's deadline: the connect timeout, at most 5 s. */
function healthCheckTimeoutMs(config: Config): number {
  const ms = config.connectTimeoutMs
  return ms > 0 ? Math.min(ms, 5_000) : 5_000
}

function releasedError(message = 'this pool client has been released; check out another with pool.connect()'): ConnectionError {
  return new ConnectionError(message, { code: ErrorCode.Released })
}
