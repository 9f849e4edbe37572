/**
 * MessageReader: the streaming half of the sans-I/O codec. Feed it the bytes
 * read from the socket, split anywhere; take typed backend messages out.
 *
 * Framing happens in feed(): each message header (type byte + Int32 length) is
 * checked the moment its 5 bytes have arrived, so an unknown type or a length
 * outside [4, maxMessageBytes] fails before a single body byte is buffered.
 * Decoding happens in next().
 *
 * Copies: a message that lies inside one chunk is decoded straight from that
 * chunk (a DataRow keeps its range of it). Only a message split across chunks
 * is copied, into a buffer of its own that grows by doubling up to the declared
 * length (so a lying length cannot make the reader allocate more than about
 * twice what actually arrived). Buffers are never reused or overwritten, so
 * views handed out stay valid; the caller must not modify a chunk after feeding it.
 *
 * The DataRow message is one object per reader, overwritten by every next()
 * (no object per row: one-column row reads on Bun 1-12% faster in paired
 * runs, issue 14). Its bytes stay valid; the object does not: a consumer that
 * keeps a DataRow past its next next() call copies it (`{ ...row }`, as
 * compat/raw-stream.ts does). next() returning undefined lets its chunk go.
 *
 * After any ProtocolError the reader is failed: feed() and next() throw that
 * same error forever.
 */
import { ErrorCode, ProtocolError } from '../errors.js'
import type { BackendMessage } from './messages.js'
import { BackendCode } from './codes.js'
import { decodeBackendMessage, isBackendCode, unknownMessageError } from './backend/decode.js'
import { checkDataRow, decodeRowDescriptionRange, sameBytes } from './backend/rows.js'
import { decodeCommandCompleteRange, decodeReadyForQueryRange } from './backend/status.js'

type Msg<T extends BackendMessage['type']> = Extract<BackendMessage, { type: T }>

/**
 * Default cap on one message's length (the Int32 length field, which counts
 * itself): 256 MiB. PostgreSQL cannot send a field above 1 GB (MaxAllocSize) and
 * in practice fails far below that; 256 MiB keeps a hostile or broken server
 * from making the client allocate without bound while allowing very large rows.
 * The one home of this default: the `max_message_bytes` option
 * (src/config/option-parsers.ts) imports it from here.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024

/** Type byte plus Int32 length. */
const HEADER_BYTES = 5
/** Smallest body buffer for a message split across chunks. */
const MIN_SPLIT_BUFFER = 8 * 1024
/**
 * Compact the frame queue once this many consumed entries sit at its head and
 * they are at least half of it: each compaction moves no more entries than were
 * consumed since the last, so a 64 KiB chunk of 4,000 small rows costs no
 * repeated shifting of the rest.
 */
const QUEUE_COMPACT_AT = 1024
/**
 * An emptied frame queue keeps its arrays (their length is their capacity) up
 * to this many entries: a startup's ~20 messages and each query's few reuse
 * them instead of growing four arrays again per chunk (~1.5 KB per connect);
 * a longer burst of rows lets them go.
 */
const QUEUE_KEEP_ENTRIES = 128
const EMPTY = new Uint8Array(0)
/** Longest RowDescription / CommandComplete body kept to recognise its repeat. */
const REPEAT_MAX_BYTES = 4096

/** Limits of a MessageReader. */
export interface MessageReaderOptions {
  /** Largest accepted message length (including the 4-byte length field). Default {@link DEFAULT_MAX_MESSAGE_BYTES} (256 MiB). */
  maxMessageBytes?: number
}

/** Streaming backend message decoder: feed() chunks, next() messages (see the module comment). */
export class MessageReader {
  private readonly maxMessageBytes: number
  private failure: ProtocolError | undefined

  // Complete frames not yet decoded, as parallel arrays (no object per message):
  // entries [frameHead, frameTail) are queued; entries past frameTail are spare room.
  private readonly frameBytes: Uint8Array[] = []
  private readonly frameStart: number[] = []
  private readonly frameEnd: number[] = []
  private readonly frameCode: number[] = []
  private frameHead = 0
  private frameTail = 0
  private queuedBytes = 0

  // The message currently split across chunks.
  private readonly header = new Uint8Array(HEADER_BYTES)
  private headerLength = 0
  private splitCode = 0
  private splitBody: Uint8Array | undefined
  private splitBodyLength = 0
  private splitBodyNeeded = 0

  /** The last RowDescription and CommandComplete, to hand out again when repeated. */
  private readonly repeats = new Repeats()
  /** The one DataRow message, overwritten by each next() (see the module comment). */
  private readonly row: Msg<'DataRow'> = { type: 'DataRow', bytes: EMPTY, start: 0, end: 0 }

  constructor(options: MessageReaderOptions = {}) {
    const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    if (!Number.isInteger(max) || max < 4 || max > 0x7fffffff) {
      throw new RangeError(`maxMessageBytes must be an integer from 4 to 2147483647, got ${max}`)
    }
    this.maxMessageBytes = max
  }

  /** Bytes fed but not yet returned by next() (complete frames plus any partial one). */
  get buffered(): number {
    return this.queuedBytes + this.headerLength + this.splitBodyLength
  }

  /** Add bytes read from the server. Throws ProtocolError on a bad message header. */
  feed(chunk: Uint8Array): void {
    if (this.failure) throw this.failure
    try {
      this.frame(chunk)
    } catch (error) {
      throw this.fail(error)
    }
  }

  /**
   * The next complete message, or undefined until more bytes are fed. Throws
   * ProtocolError on a malformed body. A DataRow is valid until the next call
   * only: the reader hands out one DataRow object and overwrites it.
   */
  next(): BackendMessage | undefined {
    if (this.failure) throw this.failure
    const i = this.frameHead
    if (i === this.frameTail) return this.idle()
    const bytes = this.frameBytes[i]
    const start = this.frameStart[i]
    const end = this.frameEnd[i]
    const code = this.frameCode[i]
    this.frameBytes[i] = EMPTY // drop the reference so a consumed chunk can be collected
    this.frameHead = i + 1
    this.queuedBytes -= end - start + HEADER_BYTES
    if (this.frameHead === this.frameTail) this.emptyQueue()
    else if (this.frameHead >= QUEUE_COMPACT_AT && this.frameHead * 2 >= this.frameTail) this.compactQueue()
    try {
      // DataRow first and alone: next() stays small enough to inline into the read loop.
      return code === BackendCode.DataRow ? this.dataRow(bytes, start, end) : this.decode(code, bytes, start, end)
    } catch (error) {
      throw this.fail(error)
    }
  }

  /** The shared DataRow message over bytes[start, end), checked. */
  private dataRow(bytes: Uint8Array, start: number, end: number): Msg<'DataRow'> {
    checkDataRow(bytes, start, end)
    const row = this.row
    row.bytes = bytes
    row.start = start
    row.end = end
    return row
  }

  /** Nothing queued: the last DataRow handed out is done with, so it lets its chunk go. */
  private idle(): undefined {
    this.row.bytes = EMPTY
    return undefined
  }

  /** Any message but DataRow; those of every query are decoded where they lie (no body view). */
  private decode(code: number, bytes: Uint8Array, start: number, end: number): BackendMessage {
    switch (code) {
      case BackendCode.RowDescription:
        return this.repeats.rowDescription(bytes, start, end)
      case BackendCode.CommandComplete:
        return this.repeats.commandComplete(bytes, start, end)
      case BackendCode.ReadyForQuery:
        return decodeReadyForQueryRange(bytes, start, end)
      default:
        return decodeBackendMessage(code, start === end ? EMPTY : bytes.subarray(start, end))
    }
  }

  private fail(error: unknown): ProtocolError {
    this.failure =
      error instanceof ProtocolError ? error : new ProtocolError(`message decoding failed: ${String(error)}`, { cause: error })
    this.dropQueue()
    this.row.bytes = EMPTY
    this.splitBody = undefined
    this.headerLength = this.splitBodyLength = 0
    return this.failure
  }

  /** Every queued frame was consumed (their chunks already let go): keep the arrays unless a burst made them long. */
  private emptyQueue(): void {
    if (this.frameCode.length > QUEUE_KEEP_ENTRIES) this.dropQueue()
    else this.frameHead = this.frameTail = 0
  }

  /** Forget the queue and its arrays (and the chunks they hold). */
  private dropQueue(): void {
    this.frameBytes.length = this.frameStart.length = this.frameEnd.length = this.frameCode.length = 0
    this.frameHead = this.frameTail = 0
  }

  private compactQueue(): void {
    const n = this.frameHead
    this.frameBytes.splice(0, n)
    this.frameStart.splice(0, n)
    this.frameEnd.splice(0, n)
    this.frameCode.splice(0, n)
    this.frameTail -= n
    this.frameHead = 0
  }

  private push(bytes: Uint8Array, start: number, end: number, code: number): void {
    // At the arrays' end a store appends; before it, it reuses a spare entry.
    const i = this.frameTail++
    this.frameBytes[i] = bytes
    this.frameStart[i] = start
    this.frameEnd[i] = end
    this.frameCode[i] = code
    this.queuedBytes += end - start + HEADER_BYTES
  }

  /** Check a header; returns the body length. */
  private checkHeader(code: number, length: number): number {
    if (!isBackendCode(code)) throw unknownMessageError(code)
    if (length < 4) throw new ProtocolError(`invalid message length ${length}: expected at least 4 (the length counts itself)`, { code: ErrorCode.ProtocolLength })
    if (length > this.maxMessageBytes) {
      throw new ProtocolError(`message length ${length} exceeds the limit of ${this.maxMessageBytes} bytes`, { code: ErrorCode.ProtocolLength })
    }
    return length - 4
  }

  /** Split `chunk` into frames: finish a split message, take whole ones in place, keep the tail. */
  private frame(chunk: Uint8Array): void {
    let p = 0
    const n = chunk.length
    if (this.headerLength > 0) {
      p = this.continueSplit(chunk)
      if (p === n) return
    }
    while (n - p >= HEADER_BYTES) {
      const code = chunk[p]
      const length = ((chunk[p + 1] << 24) | (chunk[p + 2] << 16) | (chunk[p + 3] << 8) | chunk[p + 4]) >>> 0
      const bodyLength = this.checkHeader(code, length)
      const bodyStart = p + HEADER_BYTES
      if (n - bodyStart < bodyLength) break
      this.push(chunk, bodyStart, bodyStart + bodyLength, code)
      p = bodyStart + bodyLength
    }
    if (p < n) this.continueSplit(chunk.subarray(p))
  }

  /** Feed bytes into the split message; returns how many of `bytes` it used. */
  private continueSplit(bytes: Uint8Array): number {
    let p = 0
    const n = bytes.length
    if (this.headerLength < HEADER_BYTES) {
      // Reject an unknown type byte as soon as it arrives, without waiting for the length.
      if (this.headerLength === 0 && n > 0 && !isBackendCode(bytes[0])) throw unknownMessageError(bytes[0])
      const take = Math.min(HEADER_BYTES - this.headerLength, n)
      this.header.set(bytes.subarray(0, take), this.headerLength)
      this.headerLength += take
      p = take
      if (this.headerLength < HEADER_BYTES) return p
      const h = this.header
      const length = ((h[1] << 24) | (h[2] << 16) | (h[3] << 8) | h[4]) >>> 0
      this.splitCode = h[0]
      this.splitBodyNeeded = this.checkHeader(h[0], length)
      this.splitBodyLength = 0
      this.splitBody = new Uint8Array(Math.min(this.splitBodyNeeded, Math.max(MIN_SPLIT_BUFFER, 2 * (n - p))))
    }
    const missing = this.splitBodyNeeded - this.splitBodyLength
    const take = Math.min(missing, n - p)
    if (take > 0) {
      this.ensureSplitCapacity(this.splitBodyLength + take)
      this.splitBody!.set(bytes.subarray(p, p + take), this.splitBodyLength)
      this.splitBodyLength += take
      p += take
    }
    if (this.splitBodyLength === this.splitBodyNeeded) {
      const body = this.splitBody!
      this.push(body, 0, this.splitBodyNeeded, this.splitCode)
      this.splitBody = undefined
      this.headerLength = this.splitBodyLength = 0
    }
    return p
  }

  /** Grow the split body by doubling, never past its declared length. */
  private ensureSplitCapacity(size: number): void {
    const body = this.splitBody!
    if (size <= body.length) return
    const next = new Uint8Array(Math.min(this.splitBodyNeeded, Math.max(size, body.length * 2)))
    next.set(body.subarray(0, this.splitBodyLength))
    this.splitBody = next
  }
}

/**
 * The last RowDescription and CommandComplete a reader decoded, with a copy of
 * their bodies: a query that gets the same columns (the same tag) as the one
 * before gets the same decoded message, so its row builder is reused too
 * (connection/collector.ts). Kept out of MessageReader's own fields, which the
 * DataRow path reads.
 */
class Repeats {
  private descriptionBody: Uint8Array = EMPTY
  private description: Msg<'RowDescription'> | undefined
  private completeBody: Uint8Array = EMPTY
  private complete: Msg<'CommandComplete'> | undefined

  /** The RowDescription in bytes[start, end): the last one again when its body is the same bytes. */
  rowDescription(bytes: Uint8Array, start: number, end: number): Msg<'RowDescription'> {
    const last = this.descriptionBody
    if (this.description !== undefined && last.length === end - start && sameBytes(last, bytes, start)) return this.description
    const message = decodeRowDescriptionRange(bytes, start, end)
    if (end - start <= REPEAT_MAX_BYTES) {
      this.descriptionBody = copyRange(bytes, start, end)
      this.description = message
    }
    return message
  }

  /** The CommandComplete in bytes[start, end): the last one again when its body is the same bytes. */
  commandComplete(bytes: Uint8Array, start: number, end: number): Msg<'CommandComplete'> {
    const last = this.completeBody
    if (this.complete !== undefined && last.length === end - start && sameBytes(last, bytes, start)) return this.complete
    const message = decodeCommandCompleteRange(bytes, start, end)
    if (end - start <= REPEAT_MAX_BYTES) {
      this.completeBody = copyRange(bytes, start, end)
      this.complete = message
    }
    return message
  }
}

/** A copy of bytes[start, end) as a plain Uint8Array (a Buffer's slice() would be a view). */
function copyRange(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const copy = new Uint8Array(end - start)
  copy.set(bytes.subarray(start, end))
  return copy
}
