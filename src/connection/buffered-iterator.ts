/**
 * The consumer side shared by row streams and COPY TO: a bounded buffer fed
 * by the connection and drained by `next()`. When the buffered weight (rows,
 * or bytes) reaches the high-water mark, `push()` returns false and the
 * connection pauses reading, so the server's send buffer fills and the server
 * waits (TCP flow control); taking items below half the mark resumes reading.
 *
 * Leaving the loop early (break, return, throw) stops the query: with a
 * CancelRequest, or by reading and dropping the rest (inside a transaction
 * block a cancel would abort the user's transaction). `return()` resolves only
 * once the query has finished on the wire, so the session is idle again.
 */
import { ErrorCode, QUERY_CANCELED } from '../errors.js'
import type { Connection } from './connection.js'

/** Taken items at the front of the buffer before it is compacted (when they are also half of it). */
const COMPACT_AFTER = 1024

export abstract class BufferedIterator<T> implements AsyncIterableIterator<T> {
  /** Items from `head` on are waiting; those before it were taken (and cleared). */
  private buffer: (T | undefined)[] = []
  private head = 0
  private weight = 0
  private paused = false
  private started = false
  private finished = false
  /** Set once the consumer left early: items are dropped, a cancel error is expected. */
  protected stopping = false
  private failure: Error | undefined
  private wake: (() => void) | undefined
  private completion: Promise<void> | undefined
  /** Aborted to stop the query early; start() passes its signal to the query. */
  protected readonly stopper = new AbortController()

  constructor(
    protected readonly connection: Connection,
    private readonly highWater: number,
    private readonly weigh: (item: T) => number,
  ) {}

  /** Send the query; the returned promise settles when it has finished on the wire (errors go through end()). */
  protected abstract start(): Promise<void>

  /** On an early stop: true to cancel the query, false to drain it. */
  protected abstract cancelOnBreak(): boolean

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<T>> {
    if (!this.started) {
      this.started = true
      this.completion = this.start()
    }
    for (;;) {
      if (this.head < this.buffer.length) {
        const item = this.buffer[this.head]!
        // A consumer a little slower than the server never drains the buffer
        // completely: drop each taken item, and the taken front once it is
        // at least half the array, or every item of the stream stays reachable.
        this.buffer[this.head++] = undefined
        this.weight -= this.weigh(item)
        if (this.head === this.buffer.length) {
          this.buffer = []
          this.head = 0
        } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.buffer.length) {
          this.buffer = this.buffer.slice(this.head)
          this.head = 0
        }
        // Resume after taking the item: resume() may deliver more synchronously.
        if (this.paused && this.weight <= this.highWater / 2) {
          this.paused = false
          this.connection.resume()
        }
        return { value: item, done: false }
      }
      if (this.failure) throw this.failure
      if (this.finished) return { value: undefined, done: true }
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }

  /** Stop early: cancel or drain the rest; resolves once the session is idle again. */
  async return(): Promise<IteratorResult<T>> {
    if (this.started && !this.finished) {
      this.stopping = true
      this.buffer = []
      this.head = this.weight = 0
      if (this.cancelOnBreak()) this.stopper.abort(new Error('stream closed early'))
      if (this.paused) {
        this.paused = false
        this.connection.resume()
      }
      await this.completion
    }
    this.finished = true
    return { value: undefined, done: true }
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.return()
    throw error
  }

  /** From the connection: one more item; false asks it to pause reading. */
  protected push(item: T): boolean {
    if (this.stopping) return true
    this.buffer.push(item)
    this.weight += this.weigh(item)
    this.notify()
    if (this.weight >= this.highWater) this.paused = true
    return !this.paused
  }

  /** The query finished; a cancel caused by an early stop is not an error. */
  protected end(error: Error | undefined): void {
    this.finished = true
    this.failure = this.stopping && error && isCancelOrAbort(error) ? undefined : error
    this.notify()
  }

  /** The query's signal: the stopper, aborted also when the user's signal aborts. `unlink` removes the forwarding. */
  protected linkSignal(user: AbortSignal | undefined): { signal: AbortSignal; unlink: () => void } {
    if (!user) return { signal: this.stopper.signal, unlink: () => undefined }
    if (user.aborted) return { signal: user, unlink: () => undefined }
    const forward = () => this.stopper.abort(user.reason)
    user.addEventListener('abort', forward, { once: true })
    return { signal: this.stopper.signal, unlink: () => user.removeEventListener('abort', forward) }
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
  return code === QUERY_CANCELED || code === ErrorCode.Aborted
}
