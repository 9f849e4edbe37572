/**
 * json/jsonb text straight from the frame bytes. JSON.parse needs a string
 * first, and for the small documents rows usually hold, decoding that string
 * and parsing it costs about twice what reading the bytes in JS does
 * (bench/micro-rows.ts, Node and Bun). So the shapes jsonb prints are read
 * here: objects, arrays, strings without escapes, numbers, true, false, null,
 * spaces. Anything else (an escape, other whitespace, a key Object.prototype has, deep
 * nesting, invalid JSON) hands the whole value to JSON.parse, so every value
 * is exactly what JSON.parse gives: numbers are read by the same conversion
 * from the same digits, and strings are UTF-8 the server has validated.
 */
import { asciiShort, utf8DecodeRange } from '../utf8.js'

/** Thrown inside the reader for anything it leaves to JSON.parse. */
const FALLBACK: unique symbol = Symbol()
const EMPTY = new Uint8Array(0)
/** JSON's number grammar, for numbers that are not plain integers. */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/**
 * Recently read keys by a hash of their length and first and last byte: rows
 * repeat their keys, and comparing bytes with a kept key costs much less than
 * making a new string (which the object then has to internalize).
 */
const KEYS: string[] = new Array<string>(256).fill('')

// The reader's state: module variables, as nothing it calls can re-enter it.
let bytes: Uint8Array = EMPTY
let pos = 0
let end = 0

/** Parse the json/jsonb text in bytes[start, stop). */
export function parseJsonBytes(source: Uint8Array, start: number, stop: number): unknown {
  bytes = source
  pos = start
  end = stop
  try {
    const value = read(0)
    if (pos === end) return value
  } catch (error) {
    if (error !== FALLBACK) throw error
  } finally {
    bytes = EMPTY // keep no reference to the frame
  }
  return JSON.parse(utf8DecodeRange(source, start, stop))
}

/** The byte at pos after any spaces, or -1 at the value's end (the frame goes on with other values). */
function next(): number {
  while (pos < end && bytes[pos] === 0x20) pos++
  return pos < end ? bytes[pos]! : -1
}

/** Step over the byte `c` (after spaces), or fall back. */
function expect(c: number): void {
  if (next() !== c) throw FALLBACK
  pos++
}

function read(depth: number): unknown {
  if (depth > 64) throw FALLBACK
  const c = next()
  if (c === 0x22) return string(false)
  if (c === 0x7b) {
    pos++
    const object: Record<string, unknown> = {}
    if (next() === 0x7d) return pos++, object
    do {
      if (next() !== 0x22) throw FALLBACK
      const key = string(true)
      // JSON.parse defines own properties; assignment would set the prototype for `__proto__`, call an
      // accessor on Object.prototype, or throw on a frozen one (`constructor` under SES lockdown).
      if (key in Object.prototype) throw FALLBACK
      expect(0x3a)
      object[key] = read(depth + 1)
    } while (next() === 0x2c && ++pos)
    expect(0x7d)
    return object
  }
  if (c === 0x5b) {
    pos++
    const array: unknown[] = []
    if (next() === 0x5d) return pos++, array
    do array.push(read(depth + 1))
    while (next() === 0x2c && ++pos)
    expect(0x5d)
    return array
  }
  if (c === 0x74) return word('true', true)
  if (c === 0x66) return word('false', false)
  if (c === 0x6e) return word('null', null)
  return number()
}

function word<T>(text: string, value: T): T {
  for (let i = 0; i < text.length; i++) if (pos >= end || bytes[pos++] !== text.charCodeAt(i)) throw FALLBACK
  return value
}

/** The bytes [start, stop) as a string: short ASCII built in JS (no native call), the rest decoded natively. */
function text(start: number, stop: number, ascii: boolean): string {
  return ascii && stop - start <= 12 ? asciiShort(bytes, start, stop) : utf8DecodeRange(bytes, start, stop)
}

/** A string without escapes (pos at its opening quote); a key comes from KEYS when it was read before. */
function string(key: boolean): string {
  const start = ++pos
  let ascii = true
  for (let c; (c = pos < end ? bytes[pos]! : -1) !== 0x22; pos++) {
    // Escapes, raw control characters and a missing quote go to JSON.parse.
    if (c === 0x5c || c < 0x20) throw FALLBACK
    if (c > 0x7f) ascii = false
  }
  const stop = pos++
  if (!key || !ascii || stop === start) return text(start, stop, ascii)
  const slot = ((stop - start) * 31 + bytes[start]! * 7 + bytes[stop - 1]!) & 255
  const kept = KEYS[slot]!
  let i = 0
  if (kept.length === stop - start) while (i < kept.length && kept.charCodeAt(i) === bytes[start + i]) i++
  return i === stop - start ? kept : (KEYS[slot] = text(start, stop, true))
}

function number(): number {
  const start = pos
  let value = 0
  let c
  for (; (c = pos < end ? bytes[pos]! : -1) >= 0x30 && c <= 0x39; pos++) value = value * 10 + c - 0x30
  // Up to 15 digits, an integer is exact as summed (a leading zero stands alone, as in JSON).
  if (pos > start && pos - start < 16 && c !== 0x2e && (c | 0x20) !== 0x65 && (bytes[start] !== 0x30 || pos - start === 1)) return value
  for (; (c = pos < end ? bytes[pos]! : -1) === 0x2d || c === 0x2b || c === 0x2e || (c | 0x20) === 0x65 || (c >= 0x30 && c <= 0x39); pos++);
  let s = ''
  for (let i = start; i < pos; i++) s += String.fromCharCode(bytes[i]!)
  if (!NUMBER.test(s)) throw FALLBACK
  return Number(s)
}
