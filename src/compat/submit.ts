/**
 * pg's submittable protocol on a pgfleet session, so pg-cursor,
 * pg-query-stream and pg-copy-streams run unchanged: `client.query(x)` with
 * an object that has `submit(connection)` queues one exclusive operation;
 * when it reaches the wire, `submit` gets a `PgConnection` that writes
 * protocol messages the way pg's `lib/connection` does (parse, bind,
 * describe, execute, flush, sync, close, query, the COPY messages) and the
 * server's answers go to the object's `handleX` methods in pg's shapes, as
 * pg's client dispatches them, until ReadyForQuery ends the operation.
 */
import type { Operation, OperationHost } from '../connection/operation.js'
import { PgError } from '../errors.js'
import {
  COPY_DONE,
  encodeBind,
  encodeClose,
  encodeCopyData,
  encodeCopyFail,
  encodeDescribe,
  encodeExecute,
  encodeParse,
  encodeQuery,
  FLUSH,
  SYNC,
} from '../protocol/frontend/index.js'
import { dataRowValues } from '../protocol/backend/index.js'
import type { BackendMessage, FormatCode } from '../protocol/messages.js'
import { utf8Decode } from '../types/utf8.js'
import { Emitter } from './emitter.js'
import { toFieldDef, type FieldDef } from './result.js'
import { RawStream } from './raw-stream.js'

/** What pg calls with a submittable's answers (every handler optional, as pg checks each). */
export interface Submittable {
  // `any`: submittables written for pg type this as pg's own Connection.
  submit(connection: any): Error | void
  callback?: ((error: Error | null, result?: unknown) => void) | undefined
  handleRowDescription?(msg: { fields: FieldDef[] }): void
  handleDataRow?(msg: { fields: (string | Uint8Array | null)[] }): void
  handlePortalSuspended?(connection: PgConnection): void
  handleEmptyQuery?(connection: PgConnection): void
  handleCommandComplete?(msg: { text: string; command: string }, connection: PgConnection): void
  handleCopyInResponse?(connection: PgConnection): void
  handleCopyData?(msg: { chunk: Uint8Array }, connection: PgConnection): void
  handleReadyForQuery?(connection: PgConnection): void
  handleError?(error: Error, connection: PgConnection): void
}

/** A submittable is any object with `submit` (pg's own test: `typeof config.submit === 'function'`). */
export function isSubmittable(value: unknown): value is Submittable {
  return typeof value === 'object' && value !== null && typeof (value as { submit?: unknown }).submit === 'function'
}

/** pg hands binary column values over as Buffers; a copy, since the message's bytes are a view into the reader's buffer. */
function binaryValue(bytes: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: { from(b: Uint8Array): Uint8Array } }).Buffer
  return B ? B.from(bytes) : bytes.slice()
}

type BindValue = string | Uint8Array | null

/**
 * The `connection` a submittable writes to: pg's `lib/connection` method
 * names, writing only while its operation is the one on the wire, and the
 * events pg-cursor listens for (rowDescription, noData, readyForQuery).
 */
export class PgConnection extends Emitter {
  /** pg-copy-streams reads and writes raw protocol bytes here. */
  readonly stream: RawStream
  #host: OperationHost | undefined
  #flow: OperationHost | undefined

  constructor(redeliver: (message: BackendMessage) => void) {
    super()
    this.stream = new RawStream({
      writeRaw: (bytes) => this.writeRaw(bytes),
      // Flow control outlives the operation: a reader behind may resume the socket after ReadyForQuery.
      pause: () => this.#flow?.pause(),
      resume: () => this.#flow?.resume(),
      drain: () => this.#host?.drain() ?? Promise.resolve(),
      redeliver,
    })
  }

  /** @internal The operation reached the wire (host) or finished (undefined). */
  setHost(host: OperationHost | undefined): void {
    this.#host = host
    if (host) this.#flow = host
  }

  /** @internal Raw bytes for the server; dropped once the operation finished (they would land in another query's exchange). */
  writeRaw(bytes: Uint8Array): boolean {
    if (!this.#host) return false
    this.#host.write(bytes)
    return true
  }

  /** @internal */
  get host(): OperationHost | undefined {
    return this.#host
  }

  parse(query: { text: string; name?: string; types?: readonly number[] }): void {
    this.writeRaw(encodeParse(query.name ?? '', query.text, query.types ?? []))
  }

  bind(config: { portal?: string; statement?: string; values?: readonly unknown[] | null; binary?: boolean } = {}): void {
    const values = config.values ?? []
    const params: BindValue[] = values.map((v) => (v === null || v === undefined ? null : v instanceof Uint8Array ? v : String(v)))
    const formats: FormatCode[] = params.map((p) => (p instanceof Uint8Array ? 1 : 0))
    this.writeRaw(
      encodeBind({
        portal: config.portal ?? '',
        statement: config.statement ?? '',
        params,
        paramFormats: formats.includes(1) ? formats : undefined,
        resultFormats: config.binary ? [1] : undefined,
      }),
    )
  }

  describe(msg: { type: 'S' | 'P'; name?: string }): void {
    this.writeRaw(encodeDescribe(msg.type, msg.name ?? ''))
  }

  execute(config: { portal?: string; rows?: number } = {}): void {
    this.writeRaw(encodeExecute(config.portal ?? '', config.rows ?? 0))
  }

  close(msg: { type: 'S' | 'P'; name?: string }): void {
    this.writeRaw(encodeClose(msg.type, msg.name ?? ''))
  }

  flush(): void {
    this.writeRaw(FLUSH)
  }

  sync(): void {
    this.writeRaw(SYNC)
  }

  query(text: string): void {
    this.writeRaw(encodeQuery(text))
  }

  sendCopyFromChunk(chunk: Uint8Array): void {
    this.writeRaw(encodeCopyData(chunk))
  }

  endCopyFrom(): void {
    this.writeRaw(COPY_DONE)
  }

  sendCopyFail(message: string): void {
    this.writeRaw(encodeCopyFail(message))
  }
}

/**
 * The exclusive operation behind `client.query(submittable)`: nothing else is
 * written while it runs (a cursor keeps its portal open across reads, COPY
 * owns the session), as pg runs one active query at a time.
 */
export class SubmitOperation implements Operation {
  readonly exclusive = true
  readonly connection = new PgConnection((message) => (message.type === 'ReadyForQuery' ? this.readyForQuery() : this.deliver(message)))
  #finished = false

  readonly #query: Submittable
  readonly #onDone: (error: Error | undefined) => void

  constructor(query: Submittable, onDone: (error: Error | undefined) => void) {
    this.#query = query
    this.#onDone = onDone
  }

  send(host: OperationHost): void {
    this.connection.setHost(host)
    const error = this.#query.submit(this.connection)
    // pg: an Error returned by submit() fails the query; nothing was written for it.
    if (error instanceof Error) throw error
  }

  handle(message: BackendMessage): boolean {
    const c = this.connection
    if (c.stream.capturing) {
      // pg-copy-streams' COPY TO reads the raw stream itself until CopyDone.
      c.stream.capture(message)
      if (message.type === 'ReadyForQuery') return this.#finish(undefined, false)
      return false
    }
    return this.deliver(message)
  }

  /** @internal One message to the submittable as pg's client would dispatch it; true after ReadyForQuery. */
  deliver(message: BackendMessage): boolean {
    const q = this.#query
    const c = this.connection
    switch (message.type) {
      case 'RowDescription': {
        const msg = { name: 'rowDescription', fieldCount: message.fields.length, fields: message.fields.map(toFieldDef) }
        c.emit('rowDescription', msg)
        q.handleRowDescription?.(msg)
        return false
      }
      case 'DataRow': {
        // pg hands a submittable each column as text (as its cursor and stream parse them).
        const fields = dataRowValues(message).map((v) => (v === null ? null : utf8Decode(v)))
        q.handleDataRow?.({ fields })
        return false
      }
      case 'PortalSuspended':
        q.handlePortalSuspended?.(c)
        return false
      case 'EmptyQueryResponse':
        q.handleEmptyQuery?.(c)
        return false
      case 'CommandComplete':
        q.handleCommandComplete?.({ text: message.tag, command: message.tag.split(' ')[0]! }, c)
        return false
      case 'CopyInResponse':
        q.handleCopyInResponse?.(c)
        return false
      case 'CopyData':
        q.handleCopyData?.({ chunk: binaryValue(message.data) }, c)
        return false
      case 'NoData':
        c.emit('noData', { name: 'noData' })
        return false
      case 'ParseComplete':
        c.emit('parseComplete', { name: 'parseComplete' })
        return false
      case 'BindComplete':
        c.emit('bindComplete', { name: 'bindComplete' })
        return false
      case 'CloseComplete':
        c.emit('closeComplete', { name: 'closeComplete' })
        return false
      case 'ErrorResponse':
        q.handleError?.(new PgError(message.fields), c)
        return false
      case 'ReadyForQuery':
        return this.#finish(undefined, true, message.status)
      default:
        // CopyOutResponse, CopyDone, ParameterDescription: pg's client has no submittable hook for them.
        return false
    }
  }

  fail(error: Error): void {
    if (this.#finished) return
    this.#finished = true
    this.connection.setHost(undefined)
    this.#query.handleError?.(error, this.connection)
    this.connection.emit('end')
    this.#onDone(error)
  }

  #status: 'I' | 'T' | 'E' = 'I'

  #finish(error: Error | undefined, notify: boolean, status: 'I' | 'T' | 'E' = this.#status): boolean {
    this.#status = status
    this.#finished = true
    // Later writes (a cursor closed after its end) must not reach another query's exchange.
    this.connection.setHost(undefined)
    if (notify) this.readyForQuery()
    this.#onDone(error)
    return true
  }

  /** @internal ReadyForQuery for the submittable (now, or once a raw-stream reader gave the bytes back). */
  readyForQuery(): void {
    this.#query.handleReadyForQuery?.(this.connection)
    this.connection.emit('readyForQuery', { name: 'readyForQuery', status: this.#status })
  }
}
