/**
 * The user-facing session: a Connection plus the conveniences built on it.
 * Feature modules (streaming, COPY, LISTEN, transactions) add methods here;
 * the Connection stays the protocol state machine.
 */
import type { Connection, QueryOptions } from './connection/connection.js'
import type { Result, Row } from './connection/result.js'
import type { HostSpec } from './config/types.js'
import type { TypeRegistry } from './types/registry.js'
import type { ServerErrorFields } from './errors.js'
import { RowStream, type StreamOptions } from './connection/stream.js'
import { openCursor, type Cursor, type CursorOptions } from './connection/cursor.js'
import { copyFrom, copyTo, type CopyOptions, type CopyOutStream, type CopyResult, type CopySource, type CopyToOptions } from './connection/copy.js'
import { runTransaction, type Transaction, type TransactionOptions } from './transaction.js'
import { toQuery, type SqlFragment } from './sql.js'
import { registerTypeByName, type TypeInfo } from './connection/type-names.js'
import type { NamedTypeSpec } from './types/registry.js'
import { NotificationHub, notify, type ListenOptions, type NotificationListener, type Subscription } from './connection/listen.js'

/** One session as the user sees it: queries, streams, COPY, LISTEN, transactions (see the module comment). */
export class Client {
  readonly #connection: Connection

  constructor(connection: Connection) {
    this.#connection = connection
  }

  /**
   * The session every method goes through. A pool client overrides it to
   * refuse use after release, so no method can reach a session that has been
   * lent to someone else.
   */
  protected session(): Connection {
    return this.#connection
  }

  /** Run `call` on the session; a refusal becomes a rejected promise. */
  protected withSession<T>(call: (connection: Connection) => Promise<T>): Promise<T> {
    try {
      return call(this.session())
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** The underlying session (protocol level). */
  get connection(): Connection {
    return this.session()
  }

  /** The node this session runs on. */
  get host(): HostSpec {
    return this.session().host
  }

  get processId(): number {
    return this.session().processId
  }

  /** Server parameters reported at startup and since (server_version, TimeZone, ...). */
  get parameters(): ReadonlyMap<string, string> {
    return this.session().parameters
  }

  /** Whether the session is encrypted with TLS. */
  get encrypted(): boolean {
    return this.session().encrypted
  }

  /** The wire protocol version the startup settled on: '3.0', or '3.2' when max_protocol_version asked for it and the server (PostgreSQL 18+) speaks it. */
  get protocolVersion(): '3.0' | '3.2' {
    return this.session().protocolVersion
  }

  /** This session's type registry: register parsers and serializers for user types. */
  get types(): TypeRegistry {
    return this.session().types
  }

  /** Resolves when the session has ended, with the reason unless it was closed by the user. */
  get closed(): Promise<Error | undefined> {
    return this.session().closed
  }

  /**
   * Run one statement. With `values` it is sent with bound parameters
   * (extended protocol, prepared and cached); without, as a simple query that
   * may hold several statements (the last one's result is returned).
   */
  query<R = Row>(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<Result<R>> {
    // withSession's rule, inlined: the hot path allocates no closure per query.
    let session: Connection
    try {
      session = this.session()
    } catch (error) {
      return Promise.reject(error)
    }
    return session.query<R>(sql, values, options)
  }

  /**
   * Run a tagged template: every `${value}` is a bound parameter, never text
   * (see `sql` for identifiers, lists and fragments). Also takes a fragment
   * built with `sql` and query options.
   *
   * @example
   * const { rows } = await db.sql`select * from accounts where id = ${id}`
   * await db.sql(sql`select pg_sleep(${s})`, { timeoutMs: 100 })
   */
  sql<R = Row>(strings: TemplateStringsArray | SqlFragment, ...values: unknown[]): Promise<Result<R>> {
    const fragment = !Array.isArray(strings)
    const query = toQuery(strings, fragment ? [] : values)
    const options = fragment ? (values[0] as QueryOptions | undefined) : undefined
    return this.withSession((c) => c.query<R>(query.text, query.values, options))
  }

  /**
   * Run `fn` in a transaction: BEGIN (with the options), COMMIT when it
   * resolves, ROLLBACK when it throws. Serialization failures (40001) and
   * deadlocks (40P01) run `fn` again after a jittered exponential backoff, up
   * to `retries` (default 5) times, so `fn` may run more than once. A COMMIT
   * whose reply is lost rejects with TransactionOutcomeUnknownError and is
   * not retried. Do not run other queries on this client meanwhile: they
   * would join the transaction.
   *
   * @example
   * await db.transaction(async (tx) => {
   *   await tx.query('update accounts set balance = balance - $1 where id = $2', [100, 1])
   *   await tx.query('update accounts set balance = balance + $1 where id = $2', [100, 2])
   * }, { isolation: 'serializable' })
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T> | T, options?: TransactionOptions): Promise<T> {
    return this.withSession((c) => runTransaction(c, fn, options))
  }

  /**
   * Register a user type by name (enum, domain, composite, extension type):
   * its OID and array OID are looked up in pg_type, then `spec` is registered
   * for both. `parse` receives the text form (for composites, `parseComposite`
   * splits the fields).
   *
   * @example
   * await db.registerType('mood', { parse: (t) => t.toUpperCase() })
   */
  registerType(name: string, spec?: NamedTypeSpec): Promise<TypeInfo> {
    return this.withSession((c) => registerTypeByName(c, c.types, name, spec))
  }

  /**
   * Stream the rows of one statement with backpressure: at most `batchSize`
   * rows are buffered, the socket is paused while the consumer is behind.
   * Leaving the loop early stops the query and leaves the session usable.
   *
   * @example
   * for await (const row of db.stream('select * from big where id > $1', [0])) { ... }
   */
  stream<R = Row>(sql: string, values: readonly unknown[] = [], options?: StreamOptions): RowStream<R> {
    return new RowStream<R>(this.session(), sql, values, options)
  }

  /**
   * Read the rows of one statement in batches (a portal with Execute row
   * limits). Other queries on this session wait until the cursor is closed
   * (or its rows are exhausted).
   */
  cursor<R = Row>(sql: string, values: readonly unknown[] = [], options?: CursorOptions): Cursor<R> {
    return openCursor<R>(this.session(), sql, values, options)
  }

  /** Run `COPY ... FROM STDIN`, sending `source`'s chunks; a throwing source aborts it with CopyFail. */
  copyFrom(sql: string, source: CopySource, options?: CopyOptions): Promise<CopyResult> {
    return this.withSession((c) => copyFrom(c, sql, source, options))
  }

  /** Run `COPY ... TO STDOUT`: an async iterable of chunks (`.readable` for a Web ReadableStream). */
  copyTo(sql: string, options?: CopyToOptions): CopyOutStream {
    return copyTo(this.session(), sql, options)
  }

  /**
   * LISTEN on `channel` (quoted as an identifier, case kept). `onLost` is
   * called if the session ends while subscribed.
   */
  listen(channel: string, listener: NotificationListener, options?: ListenOptions): Promise<Subscription> {
    return this.withSession(() => this.notifications.listen(channel, listener, options))
  }

  /** NOTIFY `channel` with `payload` (bound parameters: `select pg_notify($1, $2)`). */
  notify(channel: string, payload?: string): Promise<void> {
    return this.withSession((c) => notify(c, channel, payload))
  }

  /** Call `handler` for every notice the server sends; returns a function that removes it. */
  onNotice(handler: (notice: ServerErrorFields) => void): () => void {
    return this.notifications.onNotice(handler)
  }

  /** This client's LISTEN and notice subscriptions (created on first use). */
  protected hub: NotificationHub | undefined

  private get notifications(): NotificationHub {
    return (this.hub ??= new NotificationHub(this.session()))
  }

  /** Cancel whatever this session is running now (CancelRequest to its own node). */
  cancel(): Promise<void> {
    return this.withSession((c) => c.cancel())
  }

  /** Finish queued queries, then end the session. */
  close(): Promise<void> {
    return this.withSession((c) => c.close())
  }

  /** `await using db = await connect(...)` closes the session at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
