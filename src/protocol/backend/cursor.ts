/**
 * A bounds-checked cursor over one backend message body. Every read checks the
 * body's end, so a truncated or lying frame becomes a ProtocolError that says
 * what was expected and what was found, never an out-of-range read.
 */
import { ErrorCode, ProtocolError } from '../../errors.js'
import { utf8DecodeRange } from '../../types/utf8.js'

/**
 * UTF-8 text of bytes[start, end): the one decoder of column values
 * (src/types/utf8.ts, a leaf module with no imports): short ASCII built with
 * one String.fromCharCode call, longer text by a Buffer's native utf8Slice
 * where the bytes are one, else TextDecoder. A concatenation per byte, as
 * here before, allocated ~8 KB per connect (ParameterStatus names and values).
 */
export function decodeText(bytes: Uint8Array, start: number, end: number): string {
  return utf8DecodeRange(bytes, start, end)
}

/** Build the ProtocolError for a malformed body of `message`. */
export function malformed(message: string, detail: string): ProtocolError {
  return new ProtocolError(`malformed ${message} message: ${detail}`, { code: ErrorCode.ProtocolMalformed })
}

/** Reads fields of one message body, bytes[pos, end). */
export class BodyCursor {
  pos: number
  private readonly start: number

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    /** Message name used in error texts. */
    readonly message: string,
  ) {
    this.pos = start
    this.start = start
  }

  /** Bytes left unread. */
  get remaining(): number {
    return this.end - this.pos
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw malformed(
        this.message,
        `expected ${what} (${n} byte${n === 1 ? '' : 's'}) at body offset ${this.pos - this.start}, found ${this.end - this.pos}`,
      )
    }
  }

  /** Unsigned byte. */
  uint8(what: string): number {
    this.need(1, what)
    return this.bytes[this.pos++]
  }

  /** Int16 read as unsigned, as the server writes counts (up to 65535 parameters). */
  uint16(what: string): number {
    this.need(2, what)
    const b = this.bytes
    const p = this.pos
    this.pos = p + 2
    return (b[p] << 8) | b[p + 1]
  }

  /** Signed Int16. */
  int16(what: string): number {
    return (this.uint16(what) << 16) >> 16
  }

  /** Signed Int32. */
  int32(what: string): number {
    this.need(4, what)
    const b = this.bytes
    const p = this.pos
    this.pos = p + 4
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]
  }

  /** Unsigned Int32 (OIDs). */
  uint32(what: string): number {
    return this.int32(what) >>> 0
  }

  /** A NUL-terminated UTF-8 String. */
  cstring(what: string): string {
    const b = this.bytes
    const start = this.pos
    const nul = b.indexOf(0, start)
    if (nul === -1 || nul >= this.end) {
      throw malformed(this.message, `expected NUL-terminated ${what}, found ${this.end - start} bytes without a NUL`)
    }
    this.pos = nul + 1
    return decodeText(b, start, nul)
  }

  /** `n` bytes as a view (no copy). */
  bytesView(n: number, what: string): Uint8Array {
    this.need(n, what)
    const p = this.pos
    this.pos = p + n
    return this.bytes.subarray(p, p + n)
  }

  /** The rest of the body as a view (no copy). */
  rest(): Uint8Array {
    const p = this.pos
    this.pos = this.end
    return this.bytes.subarray(p, this.end)
  }

  /** Assert the body has been read completely. */
  done(): void {
    if (this.pos !== this.end) {
      throw malformed(this.message, `expected end of message, found ${this.end - this.pos} extra byte${this.end - this.pos === 1 ? '' : 's'}`)
    }
  }

  /** A count read from the body must fit in what is left, `minEach` bytes per item. */
  checkCount(count: number, minEach: number, what: string): void {
    if (count * minEach > this.end - this.pos) {
      throw malformed(this.message, `${what} count ${count} needs at least ${count * minEach} bytes, found ${this.end - this.pos}`)
    }
  }
}
