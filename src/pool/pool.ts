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
 * sessions are doing (see ResourcePool.end).
 */
import { factoryFor, resolveConfig, type ClientOptions } from '../session-factory.js'
import type { ConnectionFactory } from '../balancer/factory.js'
import { Client } from '../client.js'
import type { Connection, QueryOptions } from '../connection/connection.js'
import type { Result, Row } from '../connection/result.js'
import type { Config } from '../config/types.js'
import { ConnectionError, ErrorCode } from '../errors.js'
import { runTransaction, type Transaction, type TransactionOptions } from '../transaction.js'
import { splitPoolOptions, type PoolOptions } from './options.js'
import { ResourcePool, type PoolCounts, type Slot } from './resource-pool.js'

/** Connection options (object form) plus pool sizing and timing. */
export type CreatePoolOptions = ClientOptions & PoolOptions

/** Pool counts: open connections, idle ones, checked-out ones, waiting acquires, connections being opened. */
export type PoolStats = PoolCounts

/**
 * A session checked out of a pool; give it back with `release()`. Every
 * method and property goes through the lease: after release each rejects (or,
 * for those that return synchronously, throws) a ConnectionError with code
 * PGFLEET_RELEASED, since the session may already serve another borrower.
 */
export class PoolClient extends Client {
  #released = false

  /** @internal */
  constructor(
    connection: Connection,
    private readonly giveBack: (destroy: boolean) => void,
  ) {
    super(connection)
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
    this.giveBack(destroy !== false || listening)
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
  private readonly factory: ConnectionFactory<Connection>
  private readonly core: ResourcePool<Connection>

  constructor(input: string | CreatePoolOptions, poolOptions: PoolOptions = {}) {
    const { connection, sizing, onError } = splitPoolOptions(input, poolOptions)
    const { config, extras, runtime } = resolveConfig(connection)
    this.config = config
    this.factory = factoryFor(config, runtime, { ...extras, onError: extras.onError ?? onError })
    this.core = new ResourcePool<Connection>(
      {
        create: (signal) => this.factory.connect(signal),
        closed: (conn) => conn.closed,
        usable: (conn) => conn.isReady,
        // An empty query is the cheapest round trip (EmptyQueryResponse + ReadyForQuery);
        // a silent session fails it by its deadline and is destroyed, freeing its slot.
        validate: (conn) => conn.simple('', { timeoutMs: healthCheckTimeoutMs(config) }),
        close: (conn) => conn.close(),
        destroy: (conn) => conn.destroy(),
        onIdle: (conn) => conn.unref(),
        onCheckout: (conn) => conn.ref(),
      },
      sizing,
      { onError },
    )
  }

  /** Check out a session (FIFO among waiters); give it back with `client.release()`. */
  async connect(): Promise<PoolClient> {
    const slot = await this.core.acquire()
    return new PoolClient(slot.resource, (destroy) => this.giveBack(slot, destroy))
  }

  /** Run one statement on a pooled session (checked out and back around the query). */
  async query<R = Row>(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<Result<R>> {
    const slot = await this.core.acquire()
    try {
      return await slot.resource.query<R>(sql, values, options)
    } finally {
      this.giveBack(slot, false)
    }
  }

  /**
   * Run `fn` in a transaction on a pooled session (see Client.transaction):
   * each attempt checks a session out, so a retry after 40001/40P01 whose
   * session died meanwhile continues on a healthy one.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T> | T, options?: TransactionOptions): Promise<T> {
    return runTransaction(async (use) => {
      const slot = await this.core.acquire()
      try {
        return await use(slot.resource)
      } finally {
        this.giveBack(slot, false)
      }
    }, fn, options)
  }

  /**
   * Stop handing out sessions, close idle ones and wait until every
   * checked-out one is released and closed; after `endTimeoutMs` (default
   * 5 s) sessions still checked out are destroyed. Always settles.
   */
  end(): Promise<void> {
    return this.core.end()
  }

  /** `await using pool = createPool(...)` ends the pool at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.end()
  }

  get ended(): boolean {
    return this.core.ended
  }

  /** Open connections, idle ones, checked-out ones, waiting acquires and connections being opened. */
  stats(): PoolStats {
    return this.core.counts()
  }

  /** This pool's open connections per host (the balancer's view; hosts with none are absent or 0). */
  hostConnections(): Map<string, number> {
    return this.factory.hostConnections()
  }

  /** Open connections per host of every pool and client of this process on the same cluster. */
  clusterConnections(): Map<string, number> {
    return this.factory.clusterConnections()
  }

  private giveBack(slot: Slot<Connection>, destroy: boolean): void {
    // A session left inside a transaction block (or with queries still queued) would leak its state to the next user.
    const dirty = slot.resource.transactionStatus !== 'I' || slot.resource.pending > 0
    this.core.release(slot, destroy || dirty)
  }
}

/**
 * Create a pool. Options are the connection options (a URL, or an object with
 * `connectionString` and/or any connection key) plus the pool keys `min`,
 * `max`, `idleTimeoutMs`, `maxLifetimeMs`, `acquireTimeoutMs`, `idleCheckMs`
 * and `onError` (background failures).
 *
 * @example
 * const pool = createPool('postgresql://yugabyte@n1,n2,n3:5433/yugabyte?load_balance=true', { max: 10 })
 */
export function createPool(input: string | CreatePoolOptions, poolOptions?: PoolOptions): Pool {
  return new Pool(input, poolOptions)
}

/** The idle health check's deadline: the connect timeout, at most 5 s. */
function healthCheckTimeoutMs(config: Config): number {
  const ms = config.connectTimeoutMs
  return ms > 0 ? Math.min(ms, 5_000) : 5_000
}

function releasedError(message = 'this pool client has been released; check out another with pool.connect()'): ConnectionError {
  return new ConnectionError(message, { code: ErrorCode.Released })
}
