/**
 * A pg-compatible `Client` over a pgfleet session: constructor(config),
 * connect(cb?) (resolves to the client), query(text | config | Query |
 * submittable, values?, cb?), end(cb?), events 'connect', 'error', 'notice',
 * 'notification', 'drain', 'end', getTransactionStatus(), setTypeParser(),
 * escapeIdentifier / escapeLiteral. Queries issued before connect() wait for
 * it, as in pg. Values come back as pg returns them (int8 and numeric as
 * strings, dates as Date). Errors carry pg's texts where pg users match on
 * them. Connecting goes through pgfleet's balancer, so `load_balance=true` works.
 */
import { connect as connectSession } from '../api.js'
import type { Connection } from '../connection/connection.js'
import { isFatalSeverity, PgError, type ServerErrorFields } from '../errors.js'
import { Oid } from '../types/oids.js'
import { fromPgConfig, type PgClientConfig } from './config.js'
import { settle, type Callback } from './callback.js'
import { Emitter } from './emitter.js'
import { clientFields, withDefaults } from './defaults.js'
import { closedError, pgError, withCallerStack } from './errors.js'
import { escapeIdentifier, escapeLiteral } from './escape.js'
import { types as globalTypes, PgTypes, pgParsers, type CustomTypesConfig, type PgTypeFormat, type PgTypeParser } from './pg-types.js'
import { normalizeQueryConfig, Query } from './query.js'
import { prepareValue, toPgResult, type QueryConfig, type QueryResult } from './result.js'
import { isSubmittable, SubmitOperation, type Submittable } from './submit.js'

type PromiseLike = new <T>(executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void) => Promise<T>

/** A NoticeResponse as pg's 'notice' event gives it: the server's fields plus `name: 'notice'`. */
export type NoticeMessage = ServerErrorFields & { name: 'notice' }

const attachKey = Symbol('pgfleet.attach')

/** pg's Client on a pgfleet session: callbacks or promises, pg-shaped results and events. */
export class Client extends Emitter {
  /** Host of the session once connected, else the first configured one. */
  host: string | undefined
  port: number | undefined
  user: string | undefined
  database: string | undefined
  /** pg's `pipeline` option: queries are written without waiting for earlier answers (pgfleet always does); cursors and `rows` are refused. */
  readonly pipeline: boolean
  #input: string | PgClientConfig | undefined
  #types: CustomTypesConfig
  #queryTimeout: number | undefined
  /** pg's `Promise` option: connect() and query() return this kind of promise. */
  #Promise: PromiseLike | undefined
  /** The server error that ended the session, once reported to the query it answered (pg gives the others 'Connection terminated unexpectedly'). */
  #fatalReported: Error | undefined
  #conn: Connection | undefined
  #connecting: Promise<Connection> | undefined
  /** Resolves once connect() succeeded; queries issued before connect() wait on it (pg queues them). */
  #whenConnected: Promise<Connection>
  #connected!: (conn: Connection) => void
  #connectFailed!: (error: Error) => void
  #ending = false
  /** Named statements' texts (pg's parsedStatements). */
  #statements = new Map<string, string>()
  #active = 0
  #settledWaiters: (() => void)[] = []
  #hasExecuted = false
  /** Set by a pool: where 'error' goes while the client sits idle in it. */
  #errorTarget: ((error: Error) => void) | undefined

  constructor(config?: string | PgClientConfig) {
    super()
    this.#input = config
    this.#types = (typeof config === 'object' && config?.types) || globalTypes
    this.pipeline = typeof config === 'object' && config?.pipeline === true
    this.#queryTimeout = typeof config === 'object' && typeof config?.query_timeout === 'number' ? config.query_timeout : undefined
    this.#Promise = typeof config === 'object' && typeof config?.Promise === 'function' ? (config.Promise as PromiseLike) : undefined
    this.#whenConnected = new Promise((resolve, reject) => ((this.#connected = resolve), (this.#connectFailed = reject)))
    // A query queued before a connect() that then fails rejects with that error; none queued, no unhandled rejection.
    this.#whenConnected.catch(() => undefined)
    // pg fills these in the constructor (config, PG* environment, pg.defaults); the session's own values replace them on connect.
    const fields = clientFields(typeof config === 'object' && config !== null ? { ...config } : {})
    this.host = fields.host
    this.port = fields.port
    this.user = fields.user
    this.database = fields.database
    // Readable as in pg, never shown by util.inspect or JSON.stringify.
    Object.defineProperty(this, 'password', { value: fields.password, writable: true, enumerable: false, configurable: true })
  }

  /** @internal Wrap a session opened by a pool. */
  static [attachKey](conn: Connection, config: PgClientConfig, onIdleError: (error: Error) => void): Client {
    const client = new Client(config)
    client.#adopt(conn)
    client.#connecting = Promise.resolve(conn)
    client.#errorTarget = onIdleError
    return client
  }

  /** The backend process id of the session (pg: `processID`). */
  get processID(): number | null {
    return this.#conn?.processId ?? null
  }

  /** The pgfleet session underneath, once connected (pg's `client.connection` is pg's protocol object; this is pgfleet's). */
  get connection(): Connection | undefined {
    return this.#conn
  }

  /** pg: 'I' idle, 'T' in a transaction, 'E' in a failed transaction; null before the first ReadyForQuery. */
  getTransactionStatus(): 'I' | 'T' | 'E' | null {
    return this.#conn?.transactionStatus ?? null
  }

  /** pg: a parser for this client only (`client.setTypeParser(oid, [format,] fn)`). */
  setTypeParser(oid: number, format: PgTypeFormat | PgTypeParser, parser?: PgTypeParser): void {
    if (!(this.#types instanceof PgTypes) || this.#types === globalTypes) this.#types = new PgTypes(this.#types)
    ;(this.#types as PgTypes).setTypeParser(oid, format, parser)
  }

  getTypeParser(oid: number, format?: PgTypeFormat): PgTypeParser | ((value: any) => unknown) {
    return this.#types.getTypeParser(oid, format)
  }

  /** Open the session. With a callback, errors go to it; without, the promise rejects; it resolves to the client, as pg's. */
  connect(): Promise<this>
  connect(callback: (error: Error | null, client?: this) => void): void
  connect(callback?: (error: Error | null, client?: this) => void): Promise<this> | void {
    if (this.#conn || this.#connecting) {
      const error = new Error('Client has already been connected. You cannot reuse a client.')
      if (callback) return void queueMicrotask(() => callback(error))
      return Promise.reject(error)
    }
    this.#connecting = this.#open()
    const done = this.#connecting.then(
      (conn) => (this.#connected(conn), this.emit('connect'), this),
      (error: Error) => {
        this.#connectFailed(error)
        throw error
      },
    )
    if (!callback) return this.#promise(withCallerStack(done))
    done.then((client) => callback(null, client), (error: Error) => callback(error))
  }

  async #open(): Promise<Connection> {
    const { options } = fromPgConfig(typeof this.#input === 'object' ? withDefaults({ ...this.#input }) : this.#input ?? withDefaults({}))
    const input = typeof options === 'string' ? { connectionString: options } : options
    const session = await connectSession(input)
    this.#adopt(session.connection)
    return session.connection
  }

  #adopt(conn: Connection): void {
    this.#conn = conn
    this.host = conn.host.host
    this.port = conn.host.port
    this.user = conn.config.user
    this.database = conn.config.database
    // One facade client per session (a pool keeps it with the session), so these subscriptions live as
    // long as the session; it reports the session's events itself, in place of the hooks given at connect.
    conn.detachHooks()
    untypedBytes(conn)
    conn.events.on('notice', (fields) => this.emit('notice', { name: 'notice', ...fields }))
    conn.events.on('notification', (n) => this.emit('notification', { processId: n.processId, channel: n.channel, payload: n.payload }))
    conn.events.on('error', (error) => this.#onSessionError(error))
    // After the queries it failed have reported (pg: 'end' on the next tick).
    conn.closed.then(() => setTimeout(() => this.emit('end'), 0))
  }

  #onSessionError(error: Error): void {
    if (this.#ending) return
    const reported = pgError(error, false, true)
    const report = () => (this.#errorTarget ? this.#errorTarget(reported) : this.emit('error', reported))
    // Heard now, or once the query that just finished has given the client back to its pool (pg's callbacks
    // run before the next message is read; here they run a few ticks later), so a pool still reports it.
    if (this.#errorTarget || this.listenerCount('error') > 0) report()
    else setTimeout(report, 0)
  }

  /** @internal Pools route 'error' to themselves while the client is idle. */
  setIdleErrorTarget(target: ((error: Error) => void) | undefined): void {
    this.#errorTarget = target
  }

  /**
   * Run a query. `values` (non-empty), `name` or `queryMode: 'extended'` use
   * bound parameters; otherwise the simple protocol, which accepts several
   * statements (then the result is an array, as in pg). A `pg.Query` or any
   * submittable (pg-cursor, pg-query-stream, pg-copy-streams) is returned.
   */
  query<T extends { submit: (...args: any[]) => unknown }>(query: T, callback?: Callback<any>): T
  query<R = any>(text: string | QueryConfig, values?: readonly unknown[]): Promise<QueryResult<R>>
  query<R = any>(text: string | QueryConfig, callback: Callback<QueryResult<R>>): void
  query<R = any>(text: string | QueryConfig, values: readonly unknown[] | undefined, callback: Callback<QueryResult<R>>): void
  query(input: any, values?: any, callback?: any): any {
    if (input === null || input === undefined) throw new TypeError('Client was passed a null or undefined query')
    if (input instanceof Query) {
      if (!input.callback) input.callback = typeof values === 'function' ? values : callback
      this.#track(this.#run(input.toConfig())).then((r) => input.settle(null, r), (e: Error) => input.settle(e))
      return input
    }
    if (isSubmittable(input)) {
      // pg's own test for a submittable; its handlers are called as pg's client calls them.
      if (!input.callback && (typeof values === 'function' || callback)) input.callback = typeof values === 'function' ? values : callback
      this.#submit(input)
      return input
    }
    const config = normalizeQueryConfig(input, values, callback)
    if (config.callback !== undefined && typeof config.callback !== 'function') throw new TypeError('callback is not a function')
    const run = this.#track(this.#run(config))
    return settle(config.callback ? run : this.#promise(withCallerStack(run)), config.callback)
  }

  /** A promise of the kind given as pg's `Promise` option (bluebird, ...), else the native one. */
  #promise<T>(promise: Promise<T>): Promise<T> {
    const P = this.#Promise
    return P ? new P<T>((resolve, reject) => promise.then(resolve, reject)) : promise
  }

  /** Resolves once every query issued so far has settled. */
  #settled(): Promise<void> {
    return this.#active === 0 ? Promise.resolve() : new Promise((resolve) => this.#settledWaiters.push(resolve))
  }

  /** Count queries in flight; 'drain' when the last one settled (pg: the queue emptied). */
  #track<T>(promise: Promise<T>): Promise<T> {
    this.#active++
    this.#hasExecuted = true
    const done = () => {
      if (--this.#active > 0) return
      this.#settledWaiters.splice(0).forEach((w) => w())
      if (this.#hasExecuted) queueMicrotask(() => this.#active === 0 && this.emit('drain'))
    }
    promise.then(done, done)
    return promise
  }

  #submit(query: Submittable): void {
    const fail = (error: Error) => queueMicrotask(() => query.handleError?.(error, undefined as never))
    if (this.pipeline) return fail(new Error('Custom query classes such as pg-cursor and pg-query-stream are not supported in pipeline mode'))
    const usable = this.#usable()
    if (usable) return fail(usable)
    let finish!: () => void
    this.#track(new Promise<void>((resolve) => (finish = resolve)))
    this.#ready().then(
      (conn) => {
        const op = new SubmitOperation(query, () => finish())
        // A submittable has no deadline of its own (pg: query_timeout only fails its callback); the session's query_timeout does not apply.
        conn.track({ timeoutMs: 0 }, () => op).catch(() => undefined)
      },
      (error: Error) => (fail(error), finish()),
    )
  }

  /** pg refuses queries on a client that was ended or whose connection broke (checked when the query is issued). */
  #usable(): Error | undefined {
    if (this.#ending) return closedError()
    if (this.#conn && !this.#conn.isReady) return new Error('Client has encountered a connection error and is not queryable')
    return undefined
  }

  async #run(config: QueryConfig): Promise<QueryResult | QueryResult[]> {
    const registered = !!config.name && !this.#statements.has(config.name)
    if (config.name) config = this.#named(config)
    if (typeof config.text !== 'string') throw new TypeError('query text must be a string')
    if (this.pipeline && config.rows) throw new Error('The `rows` option is not supported in pipeline mode')
    const usable = this.#usable()
    if (usable) throw usable
    const conn = await this.#ready()
    const arrayMode = config.rowMode === 'array'
    const timeout = config.query_timeout ?? this.#queryTimeout
    // pg's parsers go into pgfleet's row pipeline: rows come back in pg's shape, parsed once.
    const options = {
      rowMode: arrayMode ? 'array' : 'object',
      parsers: pgParsers(config.types ?? this.#types),
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
    } as const
    const params = config.values?.map((v) => prepareValue(v))
    try {
      if ((params && params.length > 0) || config.name || config.queryMode === 'extended') {
        const result = await conn.query<unknown>(config.text, params ?? [], options)
        return toPgResult(result, arrayMode)
      }
      const results = await conn.simple(config.text, options)
      const converted = results.map((r) => toPgResult(r, arrayMode))
      if (converted.length === 1) return converted[0]!
      if (converted.length === 0) return { command: '', rowCount: null, oid: null, rows: [], fields: [], rowAsArray: arrayMode }
      return converted
    } catch (error) {
      if (registered) this.#statements.delete(config.name!) // pg forgets a name whose statement failed
      // pg: the server error that ended the session answers the query it was running; those behind it see the connection end.
      if (error instanceof PgError && isFatalSeverity(error)) {
        if (this.#fatalReported === error) throw new Error('Connection terminated unexpectedly', { cause: error })
        this.#fatalReported = error
        throw error
      }
      throw pgError(error as Error, this.#ending, !conn.isReady)
    }
  }

  /** pg: a named statement runs again by name alone; one name never stands for two texts. */
  #named(config: QueryConfig): QueryConfig {
    const known = this.#statements.get(config.name!)
    if (config.text === undefined || config.text === null) {
      // pg sends Parse with an empty text then: the empty query.
      return { ...config, text: known ?? '' }
    }
    if (known !== undefined && known !== config.text)
      throw new Error(`Prepared statements must be unique - '${config.name}' was used for a different statement`)
    this.#statements.set(config.name!, config.text)
    return config
  }

  async #ready(): Promise<Connection> {
    if (this.#conn) return this.#conn
    if (this.#connecting) return this.#connecting
    return this.#whenConnected
  }

  /**
   * Close the session. As in pg: with `pipeline: true` the queries already
   * issued finish first; otherwise queries still running or queued fail with
   * 'Connection terminated' (pg destroys the socket so a hung query cannot
   * hold end() up).
   */
  end(): Promise<void>
  end(callback: (error?: Error) => void): void
  end(callback?: (error?: Error) => void): Promise<void> | void {
    this.#ending = true
    const conn = this.#conn
    if (!conn && !this.#connecting) this.#connectFailed(closedError())
    const close = async (c: Connection) => {
      if (this.pipeline) await this.#settled()
      else if (c.pending > 0) c.destroy(new Error('Connection terminated'))
      return c.close()
    }
    const done = conn ? close(conn) : this.#connecting ? this.#connecting.then(close, () => undefined) : Promise.resolve()
    if (!conn && !this.#connecting) queueMicrotask(() => this.emit('end'))
    if (!callback) return done
    done.then(() => callback(), (error: Error) => callback(error))
  }

  escapeIdentifier(str: string): string {
    return escapeIdentifier(str)
  }

  escapeLiteral(str: string): string {
    return escapeLiteral(str)
  }
}

/**
 * pg sends a Buffer parameter in binary with no declared type, so the server
 * reads it as whatever the statement needs: text for `$1::text` or a text
 * column ('foo', not '\x666f6f'), bytea for a bytea column. pgfleet's own
 * API declares bytes as bytea; this session belongs to the facade, so its
 * registry's serializer is wrapped to leave the type to the server, as pg does.
 */
function untypedBytes(conn: Connection): void {
  const registry = conn.types
  const serialize = registry.serialize.bind(registry)
  registry.serialize = (value, index) => {
    const out = serialize(value, index)
    return out.format === 1 && value instanceof Uint8Array && out.oid === Oid.bytea ? { ...out, oid: 0 } : out
  }
}

/** @internal */
export const attachConnection = (conn: Connection, config: PgClientConfig, onIdleError: (error: Error) => void): Client =>
  Client[attachKey](conn, config, onIdleError)
