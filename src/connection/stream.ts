/**
 * Streaming rows: one extended query whose rows go to a bounded buffer
 * instead of an array. When the buffer holds `batchSize` rows the row sink
 * asks the connection to pause reading; the socket stops between two
 * messages, so the server's send buffer fills and the server waits (TCP flow
 * control). The consumer pulling rows below half the buffer resumes reading.
 * Memory is bounded by the buffer plus the socket's own buffers, whatever the
 * size of the result.
 *
 * Leaving the loop early (break, return, throw) stops the query: outside a
 * transaction block with a CancelRequest (as psycopg's `stream()` does),
 * inside one by reading and dropping the rest, because a cancel would abort
 * the user's transaction. Either way the iterator's `return()` resolves only
 * once the query has finished on the wire, so the session is idle and
 * usable again.
 */
import { BufferedIterator } from './buffered-iterator.js'
import type { Connection, QueryOptions } from './connection.js'
import type { RowMode } from './result.js'

/** Options of `Client.stream()`. */
export interface StreamOptions {
  /** Rows buffered before reading pauses (default 1000). */
  batchSize?: number
  /** 'array' yields rows as arrays of values. */
  rowMode?: RowMode
  /** Abort the stream (cancels the query); the iteration rejects. */
  signal?: AbortSignal
  /** Cancel after this many milliseconds from the start, consumer time included (default: config.queryTimeoutMs). */
  timeoutMs?: number
  /**
   * What leaving the loop early does with the rest of the result: 'cancel'
   * sends a CancelRequest, 'drain' reads and drops the remaining rows.
   * Default: 'cancel' outside a transaction block, 'drain' inside one.
   */
  onBreak?: 'cancel' | 'drain'
}

const DEFAULT_BATCH_SIZE = 1000

/**
 * The rows of one query as an async iterable with backpressure. The query is
 * sent on the first `next()`, so a stream that is never iterated costs nothing.
 */
export class RowStream<R> extends BufferedIterator<R> {
  constructor(
    connection: Connection,
    private readonly sql: string,
    private readonly values: readonly unknown[],
    private readonly options: StreamOptions = {},
  ) {
    const size = options.batchSize ?? DEFAULT_BATCH_SIZE
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`batchSize must be a positive integer, got ${size}`)
    super(connection, size, () => 1)
  }

  protected cancelOnBreak(): boolean {
    const onBreak = this.options.onBreak ?? (this.connection.transactionStatus === 'T' ? 'drain' : 'cancel')
    return onBreak === 'cancel'
  }

  protected start(): Promise<void> {
    const { signal, unlink } = this.linkSignal(this.options.signal)
    const options: QueryOptions = { rowMode: this.options.rowMode, timeoutMs: this.options.timeoutMs, signal }
    return this.connection
      .extended(this.sql, this.values, options, (row) => this.push(row as R))
      .then(
        () => this.end(undefined),
        (error: Error) => this.end(error),
      )
      .finally(unlink)
  }
}
