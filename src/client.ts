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
import { NotificationHub, notify, type ListenOptions, type NotificationListener, type Subscription } from './connection/listen.js'

export class Client {
  constructor(
    /** The underlying session (protocol level). */
    readonly connection: Connection,
  ) {}

  /** The node this session runs on. */
  get host(): HostSpec {
    return this.connection.host
  }

  get processId(): number {
    return this.connection.processId
  }

  /** Server parameters reported at startup and since (server_version, TimeZone, ...). */
  get parameters(): ReadonlyMap<string, string> {
    return this.connection.parameters
  }

  /** Whether the session is encrypted with TLS. */
  get encrypted(): boolean {
    return this.connection.encrypted
  }

  /** This session's type registry: register parsers and serializers for user types. */
  get types(): TypeRegistry {
    return this.connection.types
  }

  /** Resolves when the session has ended, with the reason unless it was closed by the user. */
  get closed(): Promise<Error | undefined> {
    return this.connection.closed
  }

  /**
   * Run one statement. With `values` it is sent with bound parameters
   * (extended protocol, prepared and cached); without, as a simple query that
   * may hold several statements (the last one's result is returned).
   */
  query<R = Row>(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<Result<R>> {
    return this.connection.query<R>(sql, values, options)
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
    return new RowStream<R>(this.connection, sql, values, options)
  }

  /**
   * Read the rows of one statement in batches (a portal with Execute row
   * limits). Other queries on this session wait until the cursor is closed
   * (or its rows are exhausted).
   */
  cursor<R = Row>(sql: string, values: readonly unknown[] = [], options?: CursorOptions): Cursor<R> {
    return openCursor<R>(this.connection, sql, values, options)
  }

  /** Run `COPY ... FROM STDIN`, sending `source`'s chunks; a throwing source aborts it with CopyFail. */
  copyFrom(sql: string, source: CopySource, options?: CopyOptions): Promise<CopyResult> {
    return copyFrom(this.connection, sql, source, options)
  }

  /** Run `COPY ... TO STDOUT`: an async iterable of chunks (`.readable` for a Web ReadableStream). */
  copyTo(sql: string, options?: CopyToOptions): CopyOutStream {
    return copyTo(this.connection, sql, options)
  }

  /**
   * LISTEN on `channel` (quoted as an identifier, case kept). `onLost` is
   * called if the session ends while subscribed.
   */
  listen(channel: string, listener: NotificationListener, options?: ListenOptions): Promise<Subscription> {
    return this.notifications.listen(channel, listener, options)
  }

  /** NOTIFY `channel` with `payload` (bound parameters: `select pg_notify($1, $2)`). */
  notify(channel: string, payload?: string): Promise<void> {
    return notify(this.connection, channel, payload)
  }

  /** Call `handler` for every notice the server sends; returns a function that removes it. */
  onNotice(handler: (notice: ServerErrorFields) => void): () => void {
    return this.notifications.onNotice(handler)
  }

  private hub: NotificationHub | undefined

  private get notifications(): NotificationHub {
    return (this.hub ??= new NotificationHub(this.connection))
  }

  /** Cancel whatever this session is running now (CancelRequest to its own node). */
  cancel(): Promise<void> {
    return this.connection.cancel()
  }

  /** Finish queued queries, then end the session. */
  close(): Promise<void> {
    return this.connection.close()
  }

  /** `await using db = await connect(...)` closes the session at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
