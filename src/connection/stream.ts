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
const QUERY_CANCELED = '57014'

/**
 * The rows of one query as an async iterable with backpressure. The query is
 * sent on the first `next()`, so a stream that is never iterated costs nothing.
 */
export class RowStream<R> implements AsyncIterableIterator<R> {
  private readonly highWater: number
  private readonly lowWater: number
  private buffer: R[] = []
  private head = 0
  private paused = false
  private started = false
  private finished = false
  private stopping = false
  private failure: Error | undefined
  private wake: (() => void) | undefined
  private completion: Promise<void> | undefined
  private readonly stopper = new AbortController()

  constructor(
    private readonly connection: Connection,
    private readonly sql: string,
    private readonly values: readonly unknown[],
    private readonly options: StreamOptions = {},
  ) {
    const size = options.batchSize ?? DEFAULT_BATCH_SIZE
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`batchSize must be a positive integer, got ${size}`)
    this.highWater = size
    this.lowWater = Math.floor(size / 2)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<R>> {
    if (!this.started) this.start()
    for (;;) {
      if (this.head < this.buffer.length) {
        const row = this.buffer[this.head++]!
        if (this.head === this.buffer.length) {
          this.buffer = []
          this.head = 0
        }
        // Resume after taking the row: resume() may deliver more rows synchronously.
        if (this.paused && this.buffer.length - this.head <= this.lowWater) {
          this.paused = false
          this.connection.resume()
        }
        return { value: row, done: false }
      }
      if (this.failure) throw this.failure
      if (this.finished) return { value: undefined, done: true }
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }

  /** Stop early: cancel or drain the rest, resolve once the session is idle again. */
  async return(): Promise<IteratorResult<R>> {
    if (this.started && !this.finished) {
      this.stopping = true
      this.buffer = []
      this.head = 0
      const drain = this.options.onBreak ?? (this.connection.transactionStatus === 'T' ? 'drain' : 'cancel')
      if (drain === 'cancel') this.stopper.abort(new Error('stream closed early'))
      if (this.paused) {
        this.paused = false
        this.connection.resume()
      }
      await this.completion
    }
    this.finished = true
    this.buffer = []
    return { value: undefined, done: true }
  }

  async throw(error?: unknown): Promise<IteratorResult<R>> {
    await this.return()
    throw error
  }

  private start(): void {
    this.started = true
    const { signal: userSignal, ...rest } = this.options
    const options: QueryOptions = { rowMode: rest.rowMode, timeoutMs: rest.timeoutMs, signal: this.stopper.signal }
    const forward = () => this.stopper.abort(userSignal!.reason)
    if (userSignal) {
      if (userSignal.aborted) options.signal = userSignal
      else userSignal.addEventListener('abort', forward, { once: true })
    }
    const done = this.connection.extended(this.sql, this.values, options, (row) => this.push(row as R))
    this.completion = done
      .then(
        () => this.end(undefined),
        (error: Error) => this.end(this.stopping && isCancelOrAbort(error) ? undefined : error),
      )
      .finally(() => userSignal?.removeEventListener('abort', forward))
  }

  /** Row sink: false asks the connection to pause reading. */
  private push(row: R): boolean {
    if (this.stopping) return true
    this.buffer.push(row)
    this.notify()
    if (this.buffer.length - this.head >= this.highWater) {
      this.paused = true
      return false
    }
    return true
  }

  private end(error: Error | undefined): void {
    this.finished = true
    this.failure = error
    this.notify()
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
}

/** The error a query gets when the early stop cancelled it (57014) or aborted it before it was sent. */
function isCancelOrAbort(error: Error): boolean {
  const code = (error as { code?: unknown }).code
  return code === QUERY_CANCELED || code === 'PGFLEET_ABORTED'
}
