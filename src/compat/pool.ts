/**
 * A pg-compatible `Pool` over pgfleet's balanced pool: connect() → a Client
 * with release(), query(), end(), totalCount / idleCount / waitingCount and
 * the events 'connect', 'acquire', 'release', 'remove' and 'error' (an idle
 * client's session died). Every new session goes through the balancer.
 *
 * pg option → pgfleet: max, min, idleTimeoutMillis → idleTimeoutMs,
 * connectionTimeoutMillis → acquireTimeoutMs (and the connect timeout, as in
 * pg), maxLifetimeSeconds → maxLifetimeMs. Any pgfleet pool key
 * (acquireTimeoutMs, idleCheckMs, ...) is accepted as well.
 */
import type { Connection } from '../connection/connection.js'
import { Pool as BalancedPool, type CreatePoolOptions, type PoolClient as BalancedClient } from '../pool/pool.js'
import type { PoolOptions } from '../pool/options.js'
import { attachConnection, Client } from './client.js'
import { fromPgConfig, type PgClientConfig } from './config.js'
import { optionNamesOf } from '../config/option-table.js'
import { hideSecrets } from '../config/secrets.js'
import { settle, splitQueryArgs, type Callback } from './callback.js'
import { withDefaults } from './defaults.js'
import { Emitter } from './emitter.js'
import type { QueryConfig, QueryResult } from './result.js'

/** pg's PoolConfig (the parts honoured) plus pgfleet pool keys. */
export interface PgPoolConfig extends PgClientConfig, PoolOptions {
  idleTimeoutMillis?: number
  maxLifetimeSeconds?: number
  maxUses?: number
  allowExitOnIdle?: boolean
}

/** A client checked out of a Pool. */
export type PoolClient = Client & {
  /** Give the client back; with an Error or `true` its session is closed instead. */
  release(destroy?: Error | boolean): void
}


const PG_POOL_KEYS = ['idleTimeoutMillis', 'maxLifetimeSeconds', 'maxUses', 'allowExitOnIdle', 'log'] as const

/** pg's Pool on pgfleet's balanced pool: pool.query, connect() with release(), pg's pool events. */
export class Pool extends Emitter {
  readonly options: Readonly<PgPoolConfig>
  #pool: BalancedPool | undefined
  /** A configuration pg would only refuse at connect (`new Pool('pg://…')`): every connect() rejects with it. */
  #configError: Error | undefined
  #clientConfig: PgClientConfig = {}
  #clients = new WeakMap<Connection, Client>()
  #ending = false

  constructor(config: string | PgPoolConfig = {}) {
    super()
    const given: PgPoolConfig = typeof config === 'string' ? { connectionString: config } : { ...config }
    this.options = Object.freeze(hideSecrets({ ...given }))
    const sizing: PoolOptions = {
      max: given.max ?? 10,
      min: given.min ?? 0,
      idleTimeoutMs: given.idleTimeoutMs ?? given.idleTimeoutMillis ?? 10_000,
      // pg waits forever for a client unless connectionTimeoutMillis is set.
      acquireTimeoutMs: given.acquireTimeoutMs ?? (typeof given.connectionTimeoutMillis === 'number' ? given.connectionTimeoutMillis : 0),
      maxLifetimeMs: given.maxLifetimeMs ?? (given.maxLifetimeSeconds ? given.maxLifetimeSeconds * 1000 : 0),
      onError: (error) => this.emit('error', error instanceof Error ? error : new Error(String(error))),
    }
    if (given.idleCheckMs !== undefined) sizing.idleCheckMs = given.idleCheckMs
    if (given.endTimeoutMs !== undefined) sizing.endTimeoutMs = given.endTimeoutMs
    const connection: Record<string, unknown> = { ...given }
    for (const key of [...PG_POOL_KEYS, ...optionNamesOf('pool')])
      delete connection[key]
    const pgKeys = connection as PgClientConfig
    this.#clientConfig = { types: pgKeys.types, pipeline: pgKeys.pipeline, query_timeout: pgKeys.query_timeout }
    try {
      const { options } = fromPgConfig(withDefaults({ ...pgKeys }))
      this.#pool = new BalancedPool((typeof options === 'string' ? { connectionString: options } : (options ?? {})) as CreatePoolOptions, sizing)
    } catch (error) {
      // pg parses the configuration when it connects: a bad one fails connect() and query(), not the constructor.
      this.#configError = error as Error
    }
  }

  #balanced(): BalancedPool {
    if (!this.#pool) throw this.#configError!
    return this.#pool
  }

  /** Sessions open (idle + checked out). */
  get totalCount(): number {
    return this.#pool?.stats().total ?? 0
  }

  get idleCount(): number {
    return this.#pool?.stats().idle ?? 0
  }

  /** Callers waiting for a client. */
  get waitingCount(): number {
    return this.#pool?.stats().waiting ?? 0
  }

  get expiredCount(): number {
    return 0
  }

  get ending(): boolean {
    return this.#ending
  }

  get ended(): boolean {
    return (this.#pool?.ended ?? this.#ending) && this.totalCount === 0
  }

  /** pgfleet's pool underneath (host counts: `pool.balanced.hostConnections()`). */
  get balanced(): BalancedPool {
    return this.#balanced()
  }

  /** Check out a client; give it back with `client.release()`. */
  connect(): Promise<PoolClient>
  connect(callback: (error: Error | null, client?: PoolClient, done?: (release?: Error | boolean) => void) => void): void
  connect(callback?: (error: Error | null, client?: PoolClient, done?: (release?: Error | boolean) => void) => void): Promise<PoolClient> | void {
    const promise = this.#checkout()
    if (!callback) return promise
    promise.then(
      (client) => callback(null, client, (d) => client.release(d)),
      // pg-pool hands a no-op release with the error.
      (error: Error) => callback(error, undefined, () => undefined),
    )
  }

  async #checkout(): Promise<PoolClient> {
    const lease: BalancedClient = await this.#balanced().connect()
    const conn = lease.connection
    let client = this.#clients.get(conn)
    const fresh = client === undefined
    if (!client) {
      const made: Client = attachConnection(conn, this.#clientConfig, (error) => this.emit('error', error, made))
      client = made
      this.#clients.set(conn, made)
      conn.closed.then(() => this.emit('remove', made))
    }
    const pooled = client as PoolClient
    pooled.setIdleErrorTarget(undefined)
    let released = false
    pooled.release = (destroy?: Error | boolean) => {
      if (released) throw new Error('Release called on client which has already been released to the pool.')
      released = true
      pooled.setIdleErrorTarget((error) => this.emit('error', error, pooled))
      lease.release(destroy === undefined ? false : destroy)
      this.emit('release', destroy instanceof Error ? destroy : undefined, pooled)
    }
    if (fresh) this.emit('connect', pooled)
    this.emit('acquire', pooled)
    return pooled
  }

  /** Run one query on a pooled client (checked out and released around it). */
  query<R = any>(text: string | QueryConfig, values?: readonly unknown[]): Promise<QueryResult<R>>
  query<R = any>(text: string | QueryConfig, callback: Callback<QueryResult<R>>): void
  query<R = any>(text: string | QueryConfig, values: readonly unknown[] | undefined, callback: Callback<QueryResult<R>>): void
  query<R = any>(
    text: string | QueryConfig,
    values?: readonly unknown[] | Callback<QueryResult<R>>,
    callback?: Callback<QueryResult<R>>,
  ): Promise<QueryResult<R>> | void {
    const args = splitQueryArgs(values, callback)
    const promise = (async () => {
      const client = await this.#checkout()
      try {
        return await client.query<R>(text, args.values)
      } finally {
        client.release()
      }
    })()
    return settle(promise, args.callback)
  }

  /** Close idle clients, wait for checked-out ones to be released, then close them. */
  end(): Promise<void>
  end(callback: (error?: Error) => void): void
  end(callback?: (error?: Error) => void): Promise<void> | void {
    if (this.#ending) {
      const error = new Error('Called end on pool more than once')
      if (callback) return void queueMicrotask(() => callback(error))
      return Promise.reject(error)
    }
    this.#ending = true
    const done = this.#pool ? this.#pool.end() : Promise.resolve()
    if (!callback) return done
    done.then(() => callback(), (error: Error) => callback(error))
  }
}
