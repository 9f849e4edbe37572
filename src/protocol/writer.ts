/**
 * A growable byte writer for building frontend messages. Each Writer's bytes
 * are its own: no two Writers ever write the same bytes, so interleaved
 * encoders cannot corrupt each other.
 *
 * Messages are framed with `frame(code)`: it writes the type byte and reserves
 * the 4-byte length, which is filled in when the frame ends (at the next
 * `frame()`, `endFrame()` or `finish()`). The length counts itself and the body
 * but not the type byte (protocol docs 55.7).
 *
 * Small messages are carved out of a shared slab (the way Node's Buffer pool
 * hands out small Buffers): a `new Uint8Array(n)` costs ~0.5 µs above 64 bytes
 * (a backing store of its own), and below that the array lives on the V8 heap,
 * where the first `.buffer` (Node's socket.write takes one) moves it off the
 * heap for ~1 µs. A view into the slab costs neither, and the slab's bytes
 * under a finished message are never handed out again.
 */

const encoder = new TextEncoder()

/** Longest string copied by the ASCII fast path. */
const ASCII_FAST_PATH_MAX = 64

/** Size of one slab; a Writer whose size hint is above SLAB_MAX_HINT gets a buffer of its own. */
const SLAB_BYTES = 16 * 1024
const SLAB_MAX_HINT = 2 * 1024

let slab = new Uint8Array(SLAB_BYTES)
/** First byte of the slab that no Writer holds. */
let slabFree = 0
/** The Writer writing at slabFree, if any: at most one at a time. */
let slabWriter: Writer | undefined

/** Integers written by the Writer are big-endian (network order), as the protocol requires. */
export class Writer {
  private buf: Uint8Array
  /** Where this Writer's bytes start in buf (not 0 on a slab). */
  private start: number
  private pos: number
  /** Bytes up to here are this Writer's to write; past it, ensure() moves them to a buffer of its own. */
  private limit: number
  /** Offset of the open frame's length field, or -1 when no frame is open. */
  private lengthAt = -1

  /**
   * `own`: a buffer of its own, never the slab. For module constants (kept for
   * the life of the process, they would pin their slab and whatever later
   * messages land in it) and for secrets (a password, a SASL proof, a cancel
   * key must not stay reachable through a shared slab after their message).
   */
  constructor(initialSize = 256, own = false) {
    if (own || initialSize > SLAB_MAX_HINT) {
      this.buf = new Uint8Array(initialSize)
      this.start = this.pos = 0
      this.limit = initialSize
      return
    }
    // A Writer still open on the slab keeps what it wrote; it moves to its own buffer before writing more.
    if (slabWriter !== undefined) slabWriter.leaveSlab()
    if (slabFree + initialSize > SLAB_BYTES) {
      slab = new Uint8Array(SLAB_BYTES)
      slabFree = 0
    }
    slabWriter = this
    this.buf = slab
    this.start = this.pos = slabFree
    this.limit = SLAB_BYTES
  }

  /** Bytes written so far (including any open frame). */
  get length(): number {
    return this.pos - this.start
  }

  /** Another Writer takes the slab: what this one wrote stays its own, the rest of the slab is not. */
  private leaveSlab(): void {
    slabFree = this.pos
    slabWriter = undefined
    this.limit = this.pos
  }

  /** Make room for `n` more bytes: in place while they fit, else in a buffer of its own, doubling as needed. */
  private ensure(n: number): void {
    if (this.pos + n <= this.limit) return
    const used = this.pos - this.start
    let size = used > 32 ? used * 2 : 64
    while (size < used + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(this.start, this.pos))
    if (slabWriter === this) slabWriter = undefined // its slab bytes (from slabFree) are free again
    if (this.lengthAt !== -1) this.lengthAt -= this.start
    this.buf = next
    this.start = 0
    this.pos = used
    this.limit = size
  }

  /** One unsigned byte. */
  byte(n: number): this {
    this.ensure(1)
    this.buf[this.pos++] = n
    return this
  }

  /** Int16 (values 0..65535 and -32768..-1 both wrap to the same two bytes). */
  int16(n: number): this {
    this.ensure(2)
    const b = this.buf
    const p = this.pos
    b[p] = n >>> 8
    b[p + 1] = n
    this.pos = p + 2
    return this
  }

  /** Int32 (signed or unsigned 32-bit values, e.g. OIDs above 2^31, wrap to the same bytes). */
  int32(n: number): this {
    this.ensure(4)
    const b = this.buf
    const p = this.pos
    b[p] = n >>> 24
    b[p + 1] = n >>> 16
    b[p + 2] = n >>> 8
    b[p + 3] = n
    this.pos = p + 4
    return this
  }

  /**
   * A String: UTF-8 bytes then a NUL terminator. A NUL inside `s` would end the
   * string early and let the rest be read as further fields, so it is rejected.
   */
  cstring(s: string): this {
    // Offsets from this.start: utf8() may move the bytes to a buffer of their own.
    const at = this.pos - this.start
    this.utf8(s)
    const start = this.start + at
    // The terminator first (utf8() reserved its byte): the search for a NUL inside `s` stops there.
    this.buf[this.pos] = 0
    if (this.buf.indexOf(0, start) < this.pos) {
      this.pos = start
      throw new TypeError('a protocol string cannot contain a NUL character')
    }
    this.pos++
    return this
  }

  /** Raw bytes. */
  bytes(data: Uint8Array): this {
    this.ensure(data.length)
    this.buf.set(data, this.pos)
    this.pos += data.length
    return this
  }

  /** Int32 length then the bytes; null writes length -1 (SQL NULL in Bind). */
  sizedBytes(data: Uint8Array | null): this {
    if (data === null) return this.int32(-1)
    this.int32(data.length)
    return this.bytes(data)
  }

  /** Int32 byte length then the UTF-8 bytes of `s` (no terminator; may contain NUL). */
  sizedString(s: string): this {
    this.ensure(4)
    const offset = this.pos - this.start
    this.pos += 4
    const written = this.utf8(s)
    const at = this.start + offset
    const b = this.buf
    b[at] = written >>> 24
    b[at + 1] = written >>> 16
    b[at + 2] = written >>> 8
    b[at + 3] = written
    return this
  }

  /** UTF-8 encode `s` at the cursor, reserving one spare byte; returns bytes written. */
  private utf8(s: string): number {
    // A UTF-16 code unit is at most 3 UTF-8 bytes (surrogate pairs: 2 units → 4 bytes).
    this.ensure(s.length * 3 + 1)
    const b = this.buf
    const start = this.pos
    let p = start
    let i = 0
    // Short ASCII strings (names, small parameters) are cheaper copied by hand than
    // through encodeInto's call overhead; anything else goes to the encoder.
    if (s.length <= ASCII_FAST_PATH_MAX) {
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c >= 0x80) break
        b[p++] = c
      }
    }
    if (i < s.length) p += encoder.encodeInto(i === 0 ? s : s.slice(i), b.subarray(p)).written
    this.pos = p
    return p - start
  }

  /**
   * Start a message: ends any open frame, writes the type byte (omitted for the
   * untyped startup-phase packets: StartupMessage, SSLRequest, CancelRequest)
   * and reserves the length.
   */
  frame(code?: number): this {
    this.endFrame()
    if (code !== undefined) this.byte(code)
    this.ensure(4)
    this.lengthAt = this.pos
    this.pos += 4
    return this
  }

  /** Fill in the open frame's length (from its length field to the cursor). */
  endFrame(): this {
    const at = this.lengthAt
    if (at === -1) return this
    const n = this.pos - at
    const b = this.buf
    b[at] = n >>> 24
    b[at + 1] = n >>> 16
    b[at + 2] = n >>> 8
    b[at + 3] = n
    this.lengthAt = -1
    return this
  }

  /** End any open frame and return everything written so far, as a view of the Writer's buffer. */
  finish(): Uint8Array {
    this.endFrame()
    // Done with the slab: the bytes written stay this message's, the next Writer starts after them.
    if (slabWriter === this) this.leaveSlab()
    return this.buf.subarray(this.start, this.pos)
  }
}

/** Concatenate byte arrays into one new array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let size = 0
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
