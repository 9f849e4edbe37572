/**
 * numeric in binary (numeric_send, src/backend/utils/adt/numeric.c):
 *   int16 ndigits, int16 weight, uint16 sign, uint16 dscale,
 *   then ndigits base-10000 digits (int16 each), most significant first;
 *   the value is sum(digit[i] * 10000^(weight - i)).
 * Decoded to exactly the string numeric_out prints (get_str_from_var): the
 * integer part without leading zeros ('0' when weight < 0), then dscale
 * fraction digits, zero-padded or cut. A numeric is a string in text mode as
 * in pg (every digit kept), so both formats give the same string; binary only
 * because it is cheaper to read (no native decode call per value) and to send.
 */
import { ProtocolError } from '../../errors.js'

const NUMERIC_POS = 0x0000
const NUMERIC_NEG = 0x4000
const NUMERIC_NAN = 0xc000
const NUMERIC_PINF = 0xd000
const NUMERIC_NINF = 0xf000
const NBASE = 10000

/** Four-character zero-padded strings of base-10000 digits, made as first needed. */
const PADDED: (string | undefined)[] = new Array(NBASE)

function padded(d: number): string {
  let s = PADDED[d]
  if (s === undefined) {
    s = String.fromCharCode(0x30 + ((d / 1000) | 0), 0x30 + (((d / 100) | 0) % 10), 0x30 + (((d / 10) | 0) % 10), 0x30 + (d % 10))
    PADDED[d] = s
  }
  return s
}

/**
 * Below this length the string is built by concatenation, which V8 copies
 * into a flat string (ConsString::kMinLength is 13); longer results are
 * joined from their pieces, so no value is handed out as a rope.
 */
const FLAT_CONCAT = 13

/** numeric → the string numeric_out prints (NaN, Infinity and -Infinity included). */
export function decodeNumeric(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start < 8) throw new ProtocolError(`binary numeric value must be at least 8 bytes, got ${end - start}`)
  const ndigits = (bytes[start]! << 8) | bytes[start + 1]!
  const weight = (((bytes[start + 2]! << 8) | bytes[start + 3]!) << 16) >> 16
  const sign = (bytes[start + 4]! << 8) | bytes[start + 5]!
  const dscale = (bytes[start + 6]! << 8) | bytes[start + 7]!
  if (end - start !== 8 + 2 * ndigits)
    throw new ProtocolError(`binary numeric value with ${ndigits} digits must be ${8 + 2 * ndigits} bytes, got ${end - start}`)
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) {
    if (sign === NUMERIC_NAN) return 'NaN'
    if (sign === NUMERIC_PINF) return 'Infinity'
    if (sign === NUMERIC_NINF) return '-Infinity'
    throw new ProtocolError(`binary numeric value has sign word 0x${sign.toString(16)}`)
  }
  const at = start + 8
  // Length of the result: sign, integer digits, point and dscale digits.
  let length = sign === NUMERIC_NEG ? 1 : 0
  if (weight < 0) length += 1
  else length += 4 * weight + digitCount(ndigits > 0 ? digit(bytes, at, 0) : 0)
  if (dscale > 0) length += 1 + dscale
  const n = pieces(bytes, at, ndigits, weight, sign, dscale)
  if (length < FLAT_CONCAT) {
    let s = parts[0]!
    for (let i = 1; i < n; i++) s += parts[i]!
    return s
  }
  parts.length = n
  const s = parts.join('')
  parts.length = 0
  return s
}

/** Base-10000 digit i (each is read once or twice; numeric_recv refuses any above 9999). */
function digit(bytes: Uint8Array, at: number, i: number): number {
  const d = (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!
  if (d >= NBASE) throw new ProtocolError(`binary numeric value has digit ${d}, outside 0..9999`)
  return d
}

/** Decimal digits of a base-10000 digit printed without leading zeros ('0' has one). */
function digitCount(d: number): number {
  return d >= 1000 ? 4 : d >= 100 ? 3 : d >= 10 ? 2 : 1
}

/** The pieces of the printed value, reused between values (filled and read before the next call). */
const parts: string[] = []

function pieces(bytes: Uint8Array, at: number, ndigits: number, weight: number, sign: number, dscale: number): number {
  let n = 0
  if (sign === NUMERIC_NEG) parts[n++] = '-'
  let d = 0
  if (weight < 0) parts[n++] = '0'
  else {
    // The first group without leading zeros, the rest padded.
    parts[n++] = String(ndigits > 0 ? digit(bytes, at, 0) : 0)
    for (d = 1; d <= weight; d++) parts[n++] = padded(d < ndigits ? digit(bytes, at, d) : 0)
  }
  if (dscale > 0) {
    parts[n++] = '.'
    d = weight + 1
    for (let i = 0; i < dscale; d++, i += 4) {
      const group = padded(d >= 0 && d < ndigits ? digit(bytes, at, d) : 0)
      parts[n++] = dscale - i >= 4 ? group : group.slice(0, dscale - i)
    }
  }
  return n
}
