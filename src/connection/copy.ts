/**
 * COPY sub-protocol (protocol docs 55.2.6), both directions, each one
 * exclusive operation started by a simple Query so nothing else is written
 * on the session while COPY runs.
 *
 * COPY FROM STDIN: after CopyInResponse the source's chunks go out as
 * CopyData (small chunks coalesced to ~64 KiB), waiting for the socket to
 * drain between writes, then CopyDone. A source that throws sends CopyFail
 * with its message; the server answers with an ErrorResponse, which rejects
 * the call, and the session stays usable. After a server error the server
 * drops any further CopyData ("simply be dropped"), and the source is closed.
 *
 * COPY TO STDOUT: CopyData chunks go to a bounded buffer; when it is full the
 * connection stops reading the socket until the consumer catches up.
 */
import { concatBytes } from '../protocol/writer.js'
import { PgError, ProtocolError } from '../errors.js'
import { COPY_DONE, encodeCopyData, encodeCopyFail, encodeQuery } from '../protocol/frontend/index.js'
import type { BackendMessage } from '../protocol/messages.js'
import type { Connection } from './connection.js'
import type { Operation, OperationHost } from './operation.js'
import { parseCommandTag } from './result.js'

/** What copyFrom() reads: byte or text chunks, split anywhere. */
export type CopySource =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | ReadableStream<Uint8Array | string>

/** Options of copyFrom() / copyTo(). */
export interface CopyOptions {
  /** Abort the COPY (CancelRequest); the call rejects. */
  signal?: AbortSignal
  /** Cancel after this many milliseconds (default: config.queryTimeoutMs). */
  timeoutMs?: number
}

/** Options of copyTo(). */
export interface CopyToOptions extends CopyOptions {
  /** Bytes buffered before reading pauses (default 1 MiB). */
  highWaterBytes?: number
}

/** The outcome of a COPY: rows copied, from the CommandComplete tag. */
export interface CopyResult {
  rowCount: number
}

const CHUNK_BYTES = 64 * 1024
/** Bytes sent between two yields to the event loop (so a server error is read while a fast source runs). */
const YIELD_BYTES = 1024 * 1024

/** Let I/O callbacks run: a source that never waits would otherwise hide the server's answers. */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))
const encoder = new TextEncoder()

/** The chunks of any supported source, as bytes. Closes the source when iteration stops early. */
async function* chunksOf(source: CopySource): AsyncGenerator<Uint8Array> {
  // A string or byte array is one chunk (a string is also an Iterable of characters).
  if (typeof source === 'string' || source instanceof Uint8Array) return yield toBytes(source)
  if (typeof (source as ReadableStream).getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array | string>).getReader()
    let done = false
    try {
      for (;;) {
        const next = await reader.read()
        if (next.done) return void (done = true)
        yield toBytes(next.value)
      }
    } finally {
      if (!done) await reader.cancel().catch(() => undefined)
      reader.releaseLock()
    }
  }
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) yield toBytes(chunk)
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  if (typeof chunk === 'string') return encoder.encode(chunk)
  if (chunk instanceof Uint8Array) return chunk
  throw new TypeError(`COPY source chunks must be Uint8Array or string, got ${typeof chunk}`)
}

/** COPY ... FROM STDIN fed from a source. */
export class CopyFromOperation implements Operation {
  readonly exclusive = true
  private stopped = false
  private error: PgError | undefined
  private producerError: unknown
  private rowCount = 0
  private answered = false
  /** The statement turned out to be a COPY TO: its output is read and dropped. */
  private copyOut = false

  constructor(
    private readonly sql: string,
    private readonly source: CopySource,
    private readonly resolve: (result: CopyResult) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  send(host: OperationHost): void {
    host.write(encodeQuery(this.sql))
  }

  handle(message: BackendMessage, host: OperationHost): boolean {
    switch (message.type) {
      case 'CopyInResponse':
        void this.pump(host)
        return false
      case 'CopyOutResponse':
      case 'CopyBothResponse':
        // Not a COPY FROM STDIN: leave copy-both mode; COPY TO output is ignored.
        if (message.type === 'CopyBothResponse') host.write(COPY_DONE)
        this.copyOut = true
        this.producerError = new TypeError('copyFrom() needs a COPY ... FROM STDIN statement; use copyTo() for COPY ... TO STDOUT')
        return false
      case 'CopyData':
      case 'CopyDone':
        if (!this.copyOut) throw new ProtocolError(`server sent ${message.type} to a COPY FROM STDIN`)
        return false
      case 'RowDescription':
      case 'DataRow':
      case 'EmptyQueryResponse':
        // The statement is not a COPY: its rows are dropped and the call fails (the session is fine).
        this.producerError ??= new TypeError('copyFrom() needs a COPY ... FROM STDIN statement')
        if (message.type === 'EmptyQueryResponse') this.answered = true
        return false
      case 'CommandComplete':
        this.answered = true
        this.rowCount = parseCommandTag(message.tag).rowCount ?? 0
        return false
      case 'ErrorResponse':
        this.stopped = true
        this.answered = true
        this.error = new PgError(message.fields)
        this.error.query = this.sql
        if (this.producerError !== undefined) Object.defineProperty(this.error, 'cause', { value: this.producerError, configurable: true })
        return false
      case 'ReadyForQuery':
        if (!this.answered) throw new ProtocolError('server sent ReadyForQuery before the COPY completed')
        this.stopped = true
        if (this.error) this.reject(this.error)
        else if (this.producerError instanceof Error) this.reject(this.producerError)
        else this.resolve({ rowCount: this.rowCount })
        return true
      default:
        throw new ProtocolError(`server sent ${message.type} during COPY FROM STDIN`)
    }
  }

  fail(error: Error): void {
    this.stopped = true
    this.reject(error)
  }

  /** Send the source as CopyData with write backpressure, then CopyDone (or CopyFail if it throws). */
  private async pump(host: OperationHost): Promise<void> {
    let parts: Uint8Array[] = []
    let size = 0
    let sinceYield = 0
    const sendParts = (): void => {
      if (size === 0) return
      host.write(encodeCopyData(parts.length === 1 ? parts[0]! : concatBytes(parts)))
      sinceYield += size
      parts = []
      size = 0
    }
    try {
      for await (const bytes of chunksOf(this.source)) {
        if (this.stopped) return
        if (bytes.length === 0) continue
        parts.push(bytes)
        size += bytes.length
        if (size >= CHUNK_BYTES) {
          sendParts()
          await host.drain()
          if (sinceYield >= YIELD_BYTES) {
            sinceYield = 0
            await nextMacrotask()
          }
          if (this.stopped) return
        }
      }
      if (this.stopped) return
      sendParts()
      host.write(COPY_DONE)
    } catch (error) {
      this.producerError = error
      if (!this.stopped) host.write(encodeCopyFail(failMessage(error)))
    }
  }
}

function failMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  // CopyFail carries a C string: no NUL inside.
  return text.replace(/\0/g, ' ') || 'COPY source failed'
}

/** Run COPY ... FROM STDIN with `source`. */
export function copyFrom(connection: Connection, sql: string, source: CopySource, options: CopyOptions = {}): Promise<CopyResult> {
  return connection.track<CopyResult>(options, (resolve, reject) => new CopyFromOperation(sql, source, resolve, reject), sql)
}

export { CopyOutStream, copyTo, toReadableStream } from './copy-out.js'
