/**
 * COPY ... TO STDOUT (protocol docs 55.2.6, copy-out mode) as an async
 * iterable of the server's CopyData chunks (one row each in text and CSV
 * formats; binary format passes through unchanged). A bounded buffer pauses
 * socket reads while the consumer is behind. Leaving the loop early cancels
 * the COPY outside a transaction block and drains it inside one (a cancel
 * would abort the transaction); `return()` resolves once the session is idle.
 */
import { PgError } from '../errors.js'
import { COPY_DONE, encodeCopyFail, encodeQuery } from '../protocol/frontend/index.js'
import type { BackendMessage } from '../protocol/messages.js'
import type { Connection } from './connection.js'
import type { CopyToOptions } from './copy.js'
import type { Operation, OperationHost } from './operation.js'
import { parseCommandTag } from './result.js'

const DEFAULT_HIGH_WATER_BYTES = 1024 * 1024
const QUERY_CANCELED = '57014'

interface CopyOutSink {
  /** A chunk arrived; false asks to pause reading. */
  chunk(data: Uint8Array): boolean
  /** The COPY finished (ReadyForQuery) or failed. */
  end(rowCount: number | null, error: Error | undefined): void
}

/** The exclusive operation behind copyTo(). */
class CopyToOperation implements Operation {
  readonly exclusive = true
  private error: Error | undefined
  private rowCount: number | null = null

  constructor(
    private readonly sql: string,
    private readonly sink: CopyOutSink,
  ) {}

  send(host: OperationHost): void {
    host.write(encodeQuery(this.sql))
  }

  handle(message: BackendMessage, host: OperationHost): boolean {
    switch (message.type) {
      case 'CopyData':
        if (!this.sink.chunk(message.data)) host.pause()
        return false
      case 'CopyInResponse':
        host.write(encodeCopyFail('copyTo() needs a COPY ... TO STDOUT statement'))
        return false
      case 'CopyBothResponse':
        host.write(COPY_DONE)
        return false
      case 'CommandComplete':
        this.rowCount = parseCommandTag(message.tag).rowCount
        return false
      case 'ErrorResponse': {
        const error = new PgError(message.fields)
        error.query = this.sql
        this.error = error
        return false
      }
      case 'ReadyForQuery':
        this.sink.end(this.rowCount, this.error)
        return true
      default:
        // CopyOutResponse, CopyDone: nothing to do.
        return false
    }
  }

  fail(error: Error): void {
    this.sink.end(null, error)
  }
}

/**
 * The chunks of one COPY ... TO STDOUT. The statement is sent on the first
 * `next()` (or the first pull of `readable`).
 */
export class CopyOutStream implements AsyncIterableIterator<Uint8Array> {
  /** Rows copied (from the CommandComplete tag), once the iteration has ended. */
  rowCount: number | null = null
  private readonly highWater: number
  private chunks: Uint8Array[] = []
  private head = 0
  private buffered = 0
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
    private readonly options: CopyToOptions = {},
  ) {
    this.highWater = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  /** The same chunks as a Web ReadableStream (pull-based, so backpressure holds). */
  get readable(): ReadableStream<Uint8Array> {
    return toReadableStream(this)
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (!this.started) this.start()
    for (;;) {
      if (this.head < this.chunks.length) {
        const chunk = this.chunks[this.head++]!
        this.buffered -= chunk.length
        if (this.head === this.chunks.length) {
          this.chunks = []
          this.head = 0
        }
        if (this.paused && this.buffered <= this.highWater / 2) {
          this.paused = false
          this.connection.resume()
        }
        return { value: chunk, done: false }
      }
      if (this.failure) throw this.failure
      if (this.finished) return { value: undefined, done: true }
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }

  /** Stop early: cancel or drain the rest; resolves once the session is idle again. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    if (this.started && !this.finished) {
      this.stopping = true
      this.chunks = []
      this.head = this.buffered = 0
      if (this.connection.transactionStatus !== 'T') this.stopper.abort(new Error('COPY stream closed early'))
      if (this.paused) {
        this.paused = false
        this.connection.resume()
      }
      await this.completion
    }
    this.finished = true
    return { value: undefined, done: true }
  }

  async throw(error?: unknown): Promise<IteratorResult<Uint8Array>> {
    await this.return()
    throw error
  }

  private start(): void {
    this.started = true
    const userSignal = this.options.signal
    let signal: AbortSignal = this.stopper.signal
    const forward = () => this.stopper.abort(userSignal!.reason)
    if (userSignal?.aborted) signal = userSignal
    else userSignal?.addEventListener('abort', forward, { once: true })
    const sink: CopyOutSink = {
      chunk: (data) => {
        if (this.stopping) return true
        this.chunks.push(data)
        this.buffered += data.length
        this.notify()
        if (this.buffered >= this.highWater) this.paused = true
        return !this.paused
      },
      end: (rowCount, error) => {
        this.rowCount = rowCount
        this.finished = true
        const code = (error as { code?: unknown } | undefined)?.code
        this.failure = this.stopping && (code === QUERY_CANCELED || code === 'PGFLEET_ABORTED') ? undefined : error
        this.notify()
      },
    }
    // The operation reports through the sink; the tracked promise only wires cancel and timeout.
    this.completion = this.connection
      .track<void>({ signal, timeoutMs: this.options.timeoutMs }, (resolve, reject) => {
        const op = new CopyToOperation(this.sql, sink)
        const end = sink.end
        sink.end = (rowCount, error) => {
          end(rowCount, error)
          if (error) reject(error)
          else resolve()
        }
        return op
      })
      .catch((error: Error) => {
        // Rejected before the operation existed (session not ready, aborted while queued).
        if (!this.finished) sink.end(null, error)
      })
      .finally(() => userSignal?.removeEventListener('abort', forward))
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
}

/** Run COPY ... TO STDOUT; iterate the result for its chunks. */
export function copyTo(connection: Connection, sql: string, options: CopyToOptions = {}): CopyOutStream {
  return new CopyOutStream(connection, sql, options)
}

/** Wrap an async iterable of chunks as a Web ReadableStream, pulling one chunk per read (backpressure). */
export function toReadableStream<T>(iterable: AsyncIterable<T>): ReadableStream<T> {
  const iterator = iterable[Symbol.asyncIterator]()
  return new ReadableStream<T>(
    {
      async pull(controller) {
        try {
          const next = await iterator.next()
          if (next.done) controller.close()
          else controller.enqueue(next.value)
        } catch (error) {
          controller.error(error)
        }
      },
      async cancel() {
        await iterator.return?.()
      },
    },
    { highWaterMark: 0 },
  )
}
