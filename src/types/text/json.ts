/**
 * json/jsonb text straight from the frame bytes. JSON.parse needs a string
 * first, and for the small documents rows usually hold, decoding that string
 * and parsing it costs about twice what reading the bytes in JS does
 * (bench/micro-rows.ts). So the common shapes are read here: objects, arrays,
 * strings without escapes, numbers, true, false, null. Anything else (an
 * escape, a `__proto__` key, deep nesting, anything unexpected) hands the
 * whole value to JSON.parse, so every value is exactly what JSON.parse gives:
 * numbers are read by the same conversion (Number) from the same digits, and
 * a string's bytes are UTF-8 the server has validated.
 */
import { utf8DecodeRange } from '../utf8.js'

/** Thrown inside the fast reader for anything it leaves to JSON.parse. */
const FALLBACK: unique symbol = Symbol('json fallback')

/** Deeper documents go to JSON.parse (this reader recurses). */
const MAX_DEPTH = 64

/**
 * Below this length an ASCII string is built by concatenation (a flat
 * string in V8 below 13 characters); longer ones are decoded natively.
 */
const SHORT = 13

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39

const EMPTY = new Uint8Array(0)

// The reader's position: module state, as nothing it calls can re-enter it.
let bytes: Uint8Array = EMPTY
let pos = 0
let end = 0

/** Parse the json/jsonb text in bytes[start, stop). */
export function parseJsonBytes(source: Uint8Array, start: number, stop: number): unknown {
  bytes = source
  pos = start
  end = stop
  try {
    const value = readValue(0)
    skipSpace()
    if (pos !== end) throw FALLBACK
    return value
  } catch (error) {
    if (error !== FALLBACK) throw error
    return JSON.parse(utf8DecodeRange(source, start, stop))
  } finally {
    // Keep no reference to the frame.
    bytes = EMPTY
  }
}

/** The byte at p, or -1 past the value's end (the frame goes on with other values). */
function at(p: number): number {
  return p < end ? bytes[p]! : -1
}

function skipSpace(): void {
  while (pos < end) {
    const c = bytes[pos]!
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return
    pos++
  }
}

function readValue(depth: number): unknown {
  skipSpace()
  const c = at(pos)
  if (c === QUOTE) return readString()
  if (c === 0x7b) return readObject(depth + 1)
  if (c === 0x5b) return readArray(depth + 1)
  if (c === 0x74) return readWord(0x72, 0x75, 0x65, -1, true) // true
  if (c === 0x66) return readWord(0x61, 0x6c, 0x73, 0x65, false) // false
  if (c === 0x6e) return readWord(0x75, 0x6c, 0x6c, -1, null) // null
  return readNumber()
}

/** The literal whose first letter is at pos and whose next letters are a, b, c (and d unless -1). */
function readWord<T>(a: number, b: number, c: number, d: number, value: T): T {
  const length = d === -1 ? 4 : 5
  if (pos + length > end || bytes[pos + 1] !== a || bytes[pos + 2] !== b || bytes[pos + 3] !== c || (d !== -1 && bytes[pos + 4] !== d))
    throw FALLBACK
  pos += length
  return value
}

function readObject(depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw FALLBACK
  pos++
  const object: Record<string, unknown> = {}
  skipSpace()
  if (at(pos) === 0x7d) {
    pos++
    return object
  }
  for (;;) {
    skipSpace()
    if (at(pos) !== QUOTE) throw FALLBACK
    const key = readKey()
    // JSON.parse makes `__proto__` an own property; assignment would set the prototype.
    if (key === '__proto__') throw FALLBACK
    skipSpace()
    if (at(pos) !== COLON) throw FALLBACK
    pos++
    object[key] = readValue(depth)
    skipSpace()
    const c = at(pos++)
    if (c === COMMA) continue
    if (c === 0x7d) return object
    throw FALLBACK
  }
}

function readArray(depth: number): unknown[] {
  if (depth > MAX_DEPTH) throw FALLBACK
  pos++
  const array: unknown[] = []
  skipSpace()
  if (at(pos) === 0x5d) {
    pos++
    return array
  }
  for (;;) {
    array.push(readValue(depth))
    skipSpace()
    const c = at(pos++)
    if (c === COMMA) continue
    if (c === 0x5d) return array
    throw FALLBACK
  }
}

/**
 * Recently read ASCII keys, by a hash of length and first and last byte: rows
 * repeat their keys, and comparing bytes with a kept key costs much less than
 * making a new string (which the object then has to internalize).
 */
const KEYS: string[] = new Array<string>(256).fill('')
/** Longer keys are not kept. */
const MAX_KEPT_KEY = 64

/**
 * Move pos from a string's opening quote past its closing one. Throws
 * FALLBACK at an escape; returns whether every byte is ASCII.
 */
function scanString(): boolean {
  let ascii = true
  for (pos++; ; pos++) {
    if (pos >= end) throw FALLBACK
    const c = bytes[pos]!
    if (c === QUOTE) break
    // Escapes go to JSON.parse; raw control characters are not JSON.
    if (c === BACKSLASH || c < 0x20) throw FALLBACK
    if (c >= 0x80) ascii = false
  }
  pos++
  return ascii
}

/** The string of bytes[start, stop): short ASCII built here, the rest decoded natively. */
function stringOf(ascii: boolean, start: number, stop: number): string {
  if (!ascii || stop - start >= SHORT) return utf8DecodeRange(bytes, start, stop)
  let s = ''
  for (let i = start; i < stop; i++) s += String.fromCharCode(bytes[i]!)
  return s
}

/** A string value without escapes (pos at its opening quote). */
function readString(): string {
  const start = pos + 1
  const ascii = scanString()
  return stringOf(ascii, start, pos - 1)
}

/** A key without escapes (pos at its opening quote), from KEYS when it was read before. */
function readKey(): string {
  const start = pos + 1
  const ascii = scanString()
  const stop = pos - 1
  const length = stop - start
  if (!ascii || length === 0 || length > MAX_KEPT_KEY) return stringOf(ascii, start, stop)
  const slot = (length * 31 + bytes[start]! * 7 + bytes[stop - 1]!) & 255
  const kept = KEYS[slot]!
  if (kept.length === length) {
    let i = 0
    while (i < length && kept.charCodeAt(i) === bytes[start + i]) i++
    if (i === length) return kept
  }
  return (KEYS[slot] = stringOf(true, start, stop))
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE
}

/** A number in JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
function readNumber(): number {
  const start = pos
  let negative = false
  if (at(pos) === MINUS) {
    negative = true
    pos++
  }
  if (!isDigit(at(pos))) throw FALLBACK
  // A leading zero stands alone.
  if (at(pos) === ZERO && isDigit(at(pos + 1))) throw FALLBACK
  let value = 0
  const digitsStart = pos
  let c = at(pos)
  while (isDigit(c)) {
    value = value * 10 + (c - ZERO)
    c = at(++pos)
  }
  // Integers of up to 15 digits are exact as summed; the rest is read as JSON.parse reads it.
  if (c !== DOT && c !== 0x65 && c !== 0x45 && pos - digitsStart <= 15) return negative ? -value : value
  if (c === DOT) {
    if (!isDigit(at(++pos))) throw FALLBACK
    while (isDigit(at(pos))) pos++
  }
  c = at(pos)
  if (c === 0x65 || c === 0x45) {
    c = at(++pos)
    if (c === PLUS || c === MINUS) pos++
    if (!isDigit(at(pos))) throw FALLBACK
    while (isDigit(at(pos))) pos++
  }
  let text = ''
  for (let i = start; i < pos; i++) text += String.fromCharCode(bytes[i]!)
  return Number(text)
}
