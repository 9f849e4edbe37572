/**
 * UTF-8 decoding for column values, straight from a range of the frame bytes
 * (no view per value). One shared TextDecoder (stateless when called without
 * `stream`, so sharing is safe); short ASCII values skip it, because a native
 * call costs more than a loop over a few bytes.
 *
 * Where the bytes are a Buffer (the Node and Bun transports hand their read
 * chunks over as they are), its native `utf8Slice(start, end)` is used: it
 * takes the range directly and costs about a third of TextDecoder's view plus
 * call (measured on Node 20, 16 to 64 bytes). It decodes as TextDecoder with
 * `ignoreBOM` does (a BOM is kept, invalid sequences become U+FFFD; checked by
 * a property test). Nothing here imports a runtime: it is only a method the
 * bytes may have.
 */

// ignoreBOM: a value that starts with U+FEFF is data; the default decoder would drop it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
const encoder = new TextEncoder()

/**
 * Below this length an all-ASCII value is built in JS (asciiShort): one
 * String.fromCharCode call with the codes as arguments costs ~25 ns on Node 20
 * for up to 12 bytes, where the native call costs ~65 ns (and ~40 ns on Bun,
 * where both cost about the same).
 */
const SHORT = 13

/** A Buffer's native range decoder, when the bytes have one. */
interface Utf8Slicing {
  utf8Slice?: (start: number, end: number) => string
}

/** Decode UTF-8 bytes[start, end) to a string (invalid sequences become U+FFFD, as TextDecoder does). */
export function utf8DecodeRange(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < SHORT) {
    for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return decoder.decode(bytes.subarray(start, end))
    return asciiShort(bytes, start, end)
  }
  const slice = (bytes as Utf8Slicing).utf8Slice
  if (slice !== undefined) return slice.call(bytes, start, end)
  // The whole array needs no view of itself (decodeUuid's scratch bytes, utf8Decode).
  return decoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end))
}

/** A Buffer's native Latin-1 range decoder (one byte, one char), when the bytes have one. */
interface Latin1Slicing {
  latin1Slice?: (start: number, end: number) => string
}

/**
 * Decode bytes[start, end) that are ASCII as a rule (numeric_out's digits):
 * as utf8DecodeRange does, but a Buffer's ASCII range goes to latin1Slice.
 */
export function asciiDecodeRange(bytes: Uint8Array, start: number, end: number): string {
  const slice = (bytes as Latin1Slicing).latin1Slice
  if (slice === undefined) return utf8DecodeRange(bytes, start, end)
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return utf8DecodeRange(bytes, start, end)
  return slice.call(bytes, start, end)
}

/**
 * The ASCII bytes[start, end), at most 12 of them, as one flat string: one
 * String.fromCharCode call, not a concatenation per byte (each of which copies
 * the string so far; bench/micro-rows.ts, jsonb with short string values: +30%
 * on Node, +15% on Bun).
 */
export function asciiShort(bytes: Uint8Array, start: number, end: number): string {
  const b = bytes
  const s = start
  const f = String.fromCharCode
  switch (end - start) {
    case 0: return ''
    case 1: return f(b[s]!)
    case 2: return f(b[s]!, b[s + 1]!)
    case 3: return f(b[s]!, b[s + 1]!, b[s + 2]!)
    case 4: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!)
    case 5: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!)
    case 6: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!)
    case 7: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!)
    case 8: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!)
    case 9: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!)
    case 10: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!)
    case 11: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!)
    case 12: return f(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!)
  }
  throw new RangeError(`asciiShort takes at most 12 bytes, got ${end - start}`)
}

/** Decode UTF-8 bytes to a string (invalid sequences become U+FFFD, as TextDecoder does). */
export function utf8Decode(bytes: Uint8Array): string {
  return utf8DecodeRange(bytes, 0, bytes.length)
}

/** Encode a string as UTF-8. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text)
}
