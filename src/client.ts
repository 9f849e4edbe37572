/**
 * The user-facing session: a Connection plus the conveniences built on it.
 * Feature modules (streaming, COPY, LISTEN, transactions) add methods here;
 * the Connection stays the protocol state machine.
 */
import type { Connection, QueryOptions } from './connection/connection.js'
import type { Result, Row } from './connection/result.js'
import type { HostSpec } from './config/types.js'
import type { TypeRegistry } from './types/registry.js'

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
