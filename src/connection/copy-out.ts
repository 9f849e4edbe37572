/**
 * COPY ... TO STDOUT (protocol docs 55.2.6, copy-out mode) as an async
 * iterable of the server's CopyData chunks (one row each in text and CSV
 * formats; binary format passes through unchanged). A bounded buffer pauses
 * socket reads while the consumer is behind. Leaving the loop early cancels
 * the COPY outside a transaction block and drains it inside one (a cancel
 * would abort the transaction); `return()` resolves once the session is idle.
 */
import { PgError, ProtocolError } from '../errors.js'
import { COPY_DONE, encodeCopyFail, encodeQuery } from '../protocol/frontend/index.js'
import type { BackendMessage } from '../protocol/messages.js'
import { BufferedIterator } from './buffered-iterator.js'
import type { Connection } from './connection.js'
import type { CopyToOptions } from './copy.js'
import type { Operation, OperationHost } from './operation.js'
import { parseCommandTag } from './result.js'

const DEFAULT_HIGH_WATER_BYTES = 1024 * 1024

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
  private answered = false
  private copying = false
  /** Set when the deadline passed: chunks are read and dropped, and the COPY fails. */
  private dropped: Error | undefined
  private host: OperationHost | undefined

  constructor(
    private readonly sql: string,
    private readonly sink: CopyOutSink,
  ) {}

  send(host: OperationHost): void {
    this.host = host
    host.write(encodeQuery(this.sql))
  }

  /** The deadline passed: drop the chunks still coming and fail with `reason` (see Operation.expired). */
  expired(reason: Error): void {
    this.dropped = reason
    this.host?.resume()
  }

  handle(message: BackendMessage, host: OperationHost): boolean {
    switch (message.type) {
      case 'CopyOutResponse':
        this.copying = true
        return false
      case 'CopyData':
        if (!this.copying) throw new ProtocolError('server sent CopyData before CopyOutResponse')
        if (!this.dropped && !this.sink.chunk(message.data)) host.pause()
        return false
      case 'CopyDone':
        if (!this.copying) throw new ProtocolError('server sent CopyDone before CopyOutResponse')
        this.copying = false
        return false
      case 'CopyInResponse':
        host.write(encodeCopyFail('copyTo() needs a COPY ... TO STDOUT statement'))
        return false
      case 'CopyBothResponse':
        host.write(COPY_DONE)
        this.copying = true
        return false
      case 'RowDescription':
      case 'DataRow':
      case 'EmptyQueryResponse':
        // The statement is not a COPY: its rows are dropped and the call fails (the session is fine).
        this.error ??= new TypeError('copyTo() needs a COPY ... TO STDOUT statement')
        if (message.type === 'EmptyQueryResponse') this.answered = true
        return false
      case 'CommandComplete':
        this.answered = true
        this.rowCount = parseCommandTag(message.tag).rowCount
        return false
      case 'ErrorResponse': {
        const error = new PgError(message.fields)
        error.query = this.sql
        this.error = error
        this.answered = true
        this.copying = false
        return false
      }
      case 'ReadyForQuery':
        if (!this.answered) throw new ProtocolError('server sent ReadyForQuery before the COPY completed')
        this.sink.end(this.rowCount, this.error ?? this.dropped)
        return true
      default:
        throw new ProtocolError(`server sent ${message.type} during COPY TO STDOUT`)
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
export class CopyOutStream extends BufferedIterator<Uint8Array> {
  /** Rows copied (from the CommandComplete tag), once the iteration has ended. */
  rowCount: number | null = null

  constructor(
    connection: Connection,
    private readonly sql: string,
    private readonly options: CopyToOptions = {},
  ) {
    super(connection, options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES, (chunk) => chunk.length)
  }

  /** The same chunks as a Web ReadableStream (pull-based, so backpressure holds). */
  get readable(): ReadableStream<Uint8Array> {
    return toReadableStream(this)
  }

  protected cancelOnBreak(): boolean {
    return this.connection.transactionStatus !== 'T'
  }

  protected start(): Promise<void> {
    const { signal, unlink } = this.linkSignal(this.options.signal)
    // The iteration ends with the tracked promise, so a timeout or abort
    // reaches the consumer as PGFLEET_QUERY_TIMEOUT / PGFLEET_ABORTED.
    return this.connection
      .track<void>({ signal, timeoutMs: this.options.timeoutMs }, (resolve, reject) => {
        const sink: CopyOutSink = {
          chunk: (data) => this.push(data),
          end: (rowCount, error) => {
            this.rowCount = rowCount
            if (error) reject(error)
            else resolve()
          },
        }
        return new CopyToOperation(this.sql, sink)
      }, this.sql)
      .then(
        () => this.end(undefined),
        (error: Error) => this.end(error),
      )
      .finally(unlink)
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
