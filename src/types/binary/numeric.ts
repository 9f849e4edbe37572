/**
 * numeric in binary (numeric_send, src/backend/utils/adt/numeric.c):
 *   int16 ndigits, int16 weight, uint16 sign, uint16 dscale,
 *   then ndigits base-10000 digits (int16 each), most significant first;
 *   the value is sum(digit[i] * 10000^(weight - i)).
 * Decoded to exactly the string numeric_out prints (get_str_from_var): the
 * integer part without leading zeros ('0' when weight < 0), then dscale
 * fraction digits, zero-padded or cut. A numeric is a string in text mode as
 * in pg (every digit kept), so both formats give the same string; binary
 * because that string is cheaper to build from base-10000 digits than to
 * decode from UTF-8 (no native call per value).
 */
import { ProtocolError } from '../../errors.js'
import { chargeInflation } from '../inflation.js'

/** Four-character zero-padded strings of base-10000 digits, made as first needed. */
const PADDED: string[] = new Array<string>(10000)

/** Base-10000 digit d of the value at `at` with n digits (0 outside them); numeric_recv refuses any above 9999. */
function digit(bytes: Uint8Array, at: number, n: number, d: number): number {
  const v = d >= 0 && d < n ? (bytes[at + 2 * d]! << 8) | bytes[at + 2 * d + 1]! : 0
  if (v > 9999) throw new ProtocolError(`binary numeric value has digit ${v}, outside 0..9999`)
  return v
}

function padded(d: number): string {
  return (PADDED[d] ??= String(10000 + d).slice(1))
}

/** numeric → the string numeric_out prints (NaN, Infinity and -Infinity included). */
export function decodeNumeric(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const n = (bytes[start]! << 8) | bytes[start + 1]!
  const weight = (((bytes[start + 2]! << 8) | bytes[start + 3]!) << 16) >> 16
  const sign = (bytes[start + 4]! << 8) | bytes[start + 5]!
  const dscale = (bytes[start + 6]! << 8) | bytes[start + 7]!
  if (end - start < 8 || end - start !== 8 + 2 * n)
    throw new ProtocolError(`binary numeric value with ${n} digits must be ${8 + 2 * n} bytes, got ${end - start}`)
  if (sign === 0xc000) return 'NaN'
  if (sign === 0xd000) return 'Infinity'
  if (sign === 0xf000) return '-Infinity'
  if (sign !== 0 && sign !== 0x4000) throw new ProtocolError(`binary numeric value has sign word 0x${sign.toString(16)}`)
  const at = start + 8
  // Zero runs of a large weight or dscale print as far more characters than they take on the wire: charged to max_result_bytes.
  const printed = (weight < 0 ? 1 : 4 * (weight + 1)) + dscale + 2
  if (printed > end - start) chargeInflation(printed - (end - start))
  let s = sign ? '-' : ''
  // The first group without leading zeros, the rest padded.
  if (weight < 0) s += '0'
  else for (let d = 0; d <= weight; d++) s += d ? padded(digit(bytes, at, n, d)) : String(digit(bytes, at, n, 0))
  if (dscale > 0) s += '.'
  for (let i = 0, d = weight + 1; i < dscale; i += 4, d++) s += padded(digit(bytes, at, n, d)).slice(0, dscale - i)
  return s
}
