/**
 * A pg-compatible `Client` over a pgfleet session: constructor(config),
 * connect(cb?), query(text | config, values?, cb?), end(cb?), events 'error',
 * 'notice', 'notification', 'end', escapeIdentifier / escapeLiteral. Values
 * come back as pg returns them (int8 and numeric as strings, dates as Date).
 * Connecting goes through pgfleet's balancer, so `load_balance=true` works.
 */
import { connect as connectSession } from '../api.js'
import type { Connection } from '../connection/connection.js'
import type { ServerErrorFields } from '../errors.js'
import { ConnectionError, ErrorCode } from '../errors.js'
import { fromPgConfig, type PgClientConfig } from './config.js'
import { settle, splitQueryArgs, type Callback } from './callback.js'
import { Emitter } from './emitter.js'
import { escapeIdentifier, escapeLiteral } from './escape.js'
import { types as globalTypes, pgParsers, type CustomTypesConfig } from './pg-types.js'
import { prepareValue, toPgResult, type QueryConfig, type QueryResult } from './result.js'


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
  #input: string | PgClientConfig | undefined
  #types: CustomTypesConfig
  #conn: Connection | undefined
  #connecting: Promise<Connection> | undefined
  #ending = false
  /** Set by a pool: where 'error' goes while the client sits idle in it. */
  #errorTarget: ((error: Error) => void) | undefined

  constructor(config?: string | PgClientConfig) {
    super()
    this.#input = config
    this.#types = (typeof config === 'object' ? config.types : undefined) ?? globalTypes
    if (typeof config === 'object') {
      this.host = typeof config.host === 'string' ? config.host : undefined
      this.port = config.port === undefined ? undefined : Number(config.port)
      this.user = typeof config.user === 'string' ? config.user : undefined
      this.database = typeof config.database === 'string' ? config.database : undefined
    }
  }

  /** @internal Wrap a session opened by a pool. */
  static [attachKey](conn: Connection, types: CustomTypesConfig | undefined, onIdleError: (error: Error) => void): Client {
    const client = new Client(types ? { types } : undefined)
    client.#adopt(conn)
    client.#errorTarget = onIdleError
    return client
  }

  /** The backend process id of the session (pg: `processID`). */
  get processID(): number | null {
    return this.#conn?.processId ?? null
  }

  /** The pgfleet session underneath, once connected. */
  get connection(): Connection | undefined {
    return this.#conn
  }

  /** Open the session. With a callback, errors go to it; without, the promise rejects. */
  connect(): Promise<void>
  connect(callback: (error: Error | null) => void): void
  connect(callback?: (error: Error | null) => void): Promise<void> | void {
    if (this.#conn || this.#connecting) {
      const error = new Error('Client has already been connected. You cannot reuse a client.')
      if (callback) return void queueMicrotask(() => callback(error))
      return Promise.reject(error)
    }
    this.#connecting = this.#open()
    const done = this.#connecting.then(() => undefined)
    if (!callback) return done
    done.then(() => callback(null), (error: Error) => callback(error))
  }

  async #open(): Promise<Connection> {
    const { options } = fromPgConfig(this.#input)
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
    conn.events.on('notice', (fields) => this.emit('notice', { name: 'notice', ...fields }))
    conn.events.on('notification', (n) => this.emit('notification', { processId: n.processId, channel: n.channel, payload: n.payload }))
    conn.events.on('error', (error) => this.#onSessionError(error))
    conn.closed.then(() => this.emit('end'))
  }

  #onSessionError(error: Error): void {
    if (this.#ending) return
    if (this.#errorTarget) this.#errorTarget(error)
    else this.emit('error', error)
  }

  /** @internal Pools route 'error' to themselves while the client is idle. */
  setIdleErrorTarget(target: ((error: Error) => void) | undefined): void {
    this.#errorTarget = target
  }

  /**
   * Run a query. `values` (non-empty), `name` or `queryMode: 'extended'` use
   * bound parameters; otherwise the simple protocol, which accepts several
   * statements (then the result is an array, as in pg).
   */
  query<R = any>(text: string | QueryConfig, values?: readonly unknown[]): Promise<QueryResult<R>>
  query<R = any>(text: string | QueryConfig, callback: Callback<QueryResult<R>>): void
  query<R = any>(text: string | QueryConfig, values: readonly unknown[] | undefined, callback: Callback<QueryResult<R>>): void
  query<R = any>(
    text: string | QueryConfig,
    values?: readonly unknown[] | Callback<QueryResult<R>>,
    callback?: Callback<QueryResult<R>>,
  ): Promise<QueryResult<R>> | void {
    const args = splitQueryArgs(values, callback)
    return settle(this.#run(text, args.values) as Promise<QueryResult<R>>, args.callback)
  }

  async #run(input: string | QueryConfig, values: readonly unknown[] | undefined): Promise<QueryResult | QueryResult[]> {
    if (input === null || input === undefined) throw new TypeError('Client was passed a null or undefined query')
    const config: QueryConfig = typeof input === 'string' ? { text: input } : { ...input }
    if (typeof (input as { submit?: unknown }).submit === 'function')
      throw new TypeError('pgfleet/pg does not run submittable queries (pg-cursor, pg-query-stream); use pgfleet stream() or cursor() instead')
    if (values !== undefined) config.values = values
    if (typeof config.text !== 'string') throw new TypeError('query text must be a string')
    const conn = await this.#ready()
    const arrayMode = config.rowMode === 'array'
    // pg's parsers go into pgfleet's row pipeline: rows come back in pg's shape, parsed once.
    const options = { rowMode: arrayMode ? 'array' : 'object', parsers: pgParsers(config.types ?? this.#types) } as const
    const params = config.values?.map((v) => prepareValue(v))
    if ((params && params.length > 0) || config.name || config.queryMode === 'extended') {
      const result = await conn.query<unknown>(config.text, params ?? [], options)
      return toPgResult(result, arrayMode)
    }
    const results = await conn.simple(config.text, options)
    const converted = results.map((r) => toPgResult(r, arrayMode))
    if (converted.length === 1) return converted[0]!
    if (converted.length === 0) return { command: '', rowCount: null, oid: null, rows: [], fields: [], rowAsArray: arrayMode }
    return converted
  }

  async #ready(): Promise<Connection> {
    if (this.#conn) return this.#conn
    if (this.#connecting) return this.#connecting
    throw new ConnectionError('Client is not connected: call client.connect() first', { code: ErrorCode.NotConnected, safeToRetry: true })
  }

  /** Close the session (queued queries finish first). */
  end(): Promise<void>
  end(callback: (error?: Error) => void): void
  end(callback?: (error?: Error) => void): Promise<void> | void {
    this.#ending = true
    const conn = this.#conn
    const done = conn ? conn.close() : this.#connecting ? this.#connecting.then((c) => c.close(), () => undefined) : Promise.resolve()
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

/** @internal */
export const attachConnection = (conn: Connection, types: CustomTypesConfig | undefined, onIdleError: (error: Error) => void): Client =>
  Client[attachKey](conn, types, onIdleError)
