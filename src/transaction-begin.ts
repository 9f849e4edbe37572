/**
 * The statements of one transaction attempt, with BEGIN sent late: in front
 * of the first statement when that one uses the extended protocol, in the
 * same Sync (one round trip less per transaction; the server skips the
 * statement if BEGIN fails, protocol docs 55.2.3), or alone, just before a
 * first statement that uses the simple protocol.
 *
 * Until the server has confirmed BEGIN, later statements wait for the first
 * one to settle, so none can run outside the transaction; if BEGIN failed,
 * they fail with its error and so does the attempt. Statements go out in the
 * order of the calls, COMMIT and ROLLBACK included.
 */
import type { Connection, QueryOptions } from './connection/connection.js'
import type { BeginPrefix } from './connection/extended-query.js'
import type { Result, Row } from './connection/result.js'

const ignore = (): void => undefined

/** One attempt's statements on its session, BEGIN included (see the module comment). */
export class TransactionStatements {
  /** Savepoint names handed out so far (pgfleet_sp_N), shared by nested savepoints. */
  savepointNames = 0
  /** The BEGIN still to send; undefined once sent (or when there is none to send). */
  private pending: string | undefined
  private begin: BeginPrefix | undefined
  /** Settles once the statement that carried (or followed) BEGIN has settled. */
  private firstSettled: Promise<void> | undefined
  /** Calls queued behind the first statement, not yet sent. */
  private waiting = 0
  private failure: { error: unknown } | undefined

  /** `begin`: the BEGIN statement (whitelisted text); none when the session is already in the transaction. */
  constructor(
    readonly connection: Connection,
    begin?: string,
  ) {
    this.pending = begin
  }

  /** BEGIN has been sent: the attempt must end with COMMIT or ROLLBACK. */
  get beginSent(): boolean {
    return this.pending === undefined && this.begin !== undefined
  }

  /** Set when BEGIN failed: nothing ran in the transaction, and the attempt rejects with this error. */
  get beginFailure(): { error: unknown } | undefined {
    return this.failure
  }

  /** Run one statement of the transaction (Client.query's rules for `values` and `options`). */
  run<R = Row>(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<Result<R>> {
    if (this.failure) return Promise.reject(this.failure.error)
    if (this.pending !== undefined) return this.first<R>(sql, values, options)
    if (this.begin !== undefined && (this.waiting > 0 || !this.begin.started)) {
      this.waiting++
      return this.firstSettled!.then(() => {
        this.waiting--
        return this.failure ? Promise.reject(this.failure.error) : this.connection.query<R>(sql, values, options)
      })
    }
    return this.connection.query<R>(sql, values, options)
  }

  private first<R>(sql: string, values: readonly unknown[] | undefined, options: QueryOptions | undefined): Promise<Result<R>> {
    const begin: BeginPrefix = { sql: this.pending!, started: false }
    this.pending = undefined
    this.begin = begin
    // Connection.query's rule: values or `prepare` mean the extended protocol.
    const extended = values !== undefined || options?.prepare !== undefined
    const first: Promise<unknown> = extended
      ? this.connection.extended(sql, values ?? [], options, undefined, begin)
      : this.connection.query(begin.sql).then(() => void (begin.started = true))
    this.firstSettled = first.then(ignore, (error: unknown) => {
      if (!begin.started) this.failure = { error }
    })
    // A simple-protocol statement waits behind BEGIN like any later one.
    return extended ? (first as Promise<Result<R>>) : this.run<R>(sql, values, options)
  }
}
