/**
 * Binary-format decoders for scalar types (the server's *send functions:
 * network byte order, fixed widths). Each returns exactly what the text
 * parser returns for the same value.
 */
import { ProtocolError } from '../../errors.js'
import { utf8Decode, utf8DecodeRange } from '../utf8.js'

/** Scratch for float and int8 reads: copying 4/8 bytes in beats allocating a DataView per value. */
const scratch = new ArrayBuffer(8)
const scratchBytes = new Uint8Array(scratch)
const scratchF32 = new Float32Array(scratch, 0, 1)
const scratchF64 = new Float64Array(scratch)
const scratchI64 = new BigInt64Array(scratch)
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Copy the `width` big-endian bytes at `start` into the scratch buffer in host order. */
function loadScratch(bytes: Uint8Array, start: number, width: number): void {
  if (LITTLE_ENDIAN) for (let i = 0; i < width; i++) scratchBytes[i] = bytes[start + width - 1 - i]!
  else for (let i = 0; i < width; i++) scratchBytes[i] = bytes[start + i]!
}

/**
 * Throw unless a fixed-width value, bytes[start, end), has its width. Every
 * decoder here reads its value from a range of the frame (no view per value);
 * called with the bytes alone, the range is all of them.
 */
export function checkWidth(type: string, start: number, end: number, width: number): void {
  if (end - start !== width)
    throw new ProtocolError(`binary ${type} value must be ${width} bytes, got ${end - start}`)
}

export function decodeBool(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  checkWidth('bool', start, end, 1)
  return bytes[start] !== 0
}

export function decodeInt2(bytes: Uint8Array, start = 0, end = bytes.length): number {
  checkWidth('int2', start, end, 2)
  return (((bytes[start]! << 8) | bytes[start + 1]!) << 16) >> 16
}

export function decodeInt4(bytes: Uint8Array, start = 0, end = bytes.length): number {
  checkWidth('int4', start, end, 4)
  return (bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!
}

/** oid (and xid, cid): unsigned 32-bit. */
export function decodeOid(bytes: Uint8Array, start = 0, end = bytes.length): number {
  checkWidth('oid', start, end, 4)
  return ((bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!) >>> 0
}

/** int8 → bigint (as in text mode). */
export function decodeInt8(bytes: Uint8Array, start = 0, end = bytes.length): bigint {
  checkWidth('int8', start, end, 8)
  loadScratch(bytes, start, 8)
  return scratchI64[0]!
}

export function decodeFloat8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  checkWidth('float8', start, end, 8)
  loadScratch(bytes, start, 8)
  return scratchF64[0]!
}

/**
 * float4 → the number text mode gives. The server prints a float4 with the
 * fewest digits that read back as the same float4 (float4out with the default
 * extra_float_digits = 1, Ryu since PostgreSQL 12), so text mode reads 0.1 for
 * 0.1::float4, not the float's exact value 0.100000001490116... Do the same here:
 * find that shortest decimal, then read it as a double.
 */
export function decodeFloat4(bytes: Uint8Array, start = 0, end = bytes.length): number {
  checkWidth('float4', start, end, 4)
  loadScratch(bytes, start, 4)
  return shortestFloat4(scratchF32[0]!)
}

/**
 * The double nearest to the shortest decimal that rounds to the float32 `f`,
 * chosen as Ryu's f2s chooses (closest to f; exact halfway ties to an even
 * last digit), so it reads back as the same double as the server's text.
 */
export function shortestFloat4(f: number): number {
  if (f === 0 || !Number.isFinite(f)) return f
  if (f < 0) return -shortestFloat4(-f)
  for (let p = 1; p < 9; p++) {
    const e = f.toExponential(p - 1)
    const x = Number(e)
    if (Math.fround(x) === f && !onBound(x, f)) return halfwayToEven(f, p) ?? x
    if (x < f) {
      // At a power of two the gap below is half the gap above, so the nearest
      // p-digit decimal can miss while the next one up still rounds to f.
      const up = nextDecimalUp(e)
      if (Math.fround(up) === f && !onBound(up, f)) return up
    }
  }
  return Number(f.toExponential(8))
}

/**
 * True when x is exactly halfway between f and a neighbouring float32. Such a
 * decimal reads back as f only through ties-to-even, and PostgreSQL's float4
 * output does not choose it (61313032::float4 prints 6.1313032e+07, not
 * 6.131303e+07; found by test/integration/binary-format.test.ts).
 */
function onBound(x: number, f: number): boolean {
  if (x === f) return false
  const bits = new Float32Array([f])
  const word = new Uint32Array(bits.buffer)
  word[0] = word[0]! + (x > f ? 1 : -1)
  return x === (f + bits[0]!) / 2
}

/**
 * When f lies exactly halfway between two p-digit decimals, toExponential rounds
 * up; Ryu rounds to the even one. Return the lower one when that is the even
 * one, else undefined.
 */
function halfwayToEven(f: number, p: number): number | undefined {
  const longer = f.toExponential(p)
  const ePos = longer.indexOf('e')
  if (longer.charCodeAt(ePos - 1) !== 0x35) return undefined
  const digits = longer.slice(0, ePos).replace('.', '')
  if (exactDigits(f) !== digits) return undefined
  const lastKept = digits.charCodeAt(p - 1) - 0x30
  if (lastKept % 2 !== 0) return undefined
  const down = `${digits[0]}${p > 1 ? '.' : ''}${digits.slice(1, p)}${longer.slice(ePos)}`
  return Number(down)
}

/** The significant decimal digits of a positive double, exactly (no trailing zeros). */
function exactDigits(f: number): string {
  let m = f
  let k = 0
  while (!Number.isInteger(m)) {
    m *= 2
    k--
  }
  const n = k < 0 ? BigInt(m) * 5n ** BigInt(-k) : BigInt(m)
  return String(n).replace(/0+$/, '')
}

/** For a positive `d.ddde±x`, the next decimal up with as many digits. */
function nextDecimalUp(exp: string): number {
  const ePos = exp.indexOf('e')
  const digits = exp.slice(0, ePos).replace('.', '')
  const scale = Number(exp.slice(ePos + 1)) - (digits.length - 1)
  return Number(`${Number(digits) + 1}e${scale}`)
}

/**
 * bytea → a copy: the input is a range of a whole socket chunk, which a kept
 * view would hold in memory. Copied into a new plain Uint8Array (a Buffer's
 * own slice() would return a view).
 */
export function decodeBytea(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return copyRange(bytes, start, end)
}

/** A new Uint8Array holding bytes[start, end). */
export function copyRange(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start)
  // Short values: a loop beats making the view that set() needs.
  if (end - start <= 64) for (let i = start; i < end; i++) out[i - start] = bytes[i]!
  else out.set(bytes.subarray(start, end))
  return out
}

/** text, varchar, bpchar, name, and other types sent as their UTF-8 text. */
export function decodeText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return utf8DecodeRange(bytes, start, end)
}

const HEX_DIGIT = new Uint8Array(Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0)))
const DASH = 0x2d
/** The 36 ASCII bytes of the uuid being printed. */
const UUID_TEXT = new Uint8Array(36)

/** uuid → lowercase `8-4-4-4-12` string, as uuid_out prints it. */
export function decodeUuid(bytes: Uint8Array, start = 0, end = bytes.length): string {
  checkWidth('uuid', start, end, 16)
  // One flat string from 36 ASCII bytes: one native decode costs V8 what
  // String.fromCharCode.apply does and JSC half of it (bench/micro-rows.ts,
  // uuid binary on Bun 4.6M → 8.3M rows/s, Node unchanged); concatenating 20 pieces would build a rope.
  const c = UUID_TEXT
  for (let i = 0, j = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) c[j++] = DASH
    const b = bytes[start + i]!
    c[j++] = HEX_DIGIT[b >> 4]!
    c[j++] = HEX_DIGIT[b & 15]!
  }
  return utf8Decode(c)
}
