/**
 * numeric in binary decodes to exactly the string PostgreSQL prints for it
 * (what text mode returns). The encoder and printer here follow numeric_send
 * and numeric_out and are written apart from the decoder: a value is an exact
 * bigint m with dscale s (m / 10^s), printed from the bigint, encoded through
 * base-10000 groups.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ProtocolError } from '../../errors.js'
import { Oid } from '../oids.js'
import { TypeRegistry } from '../registry.js'
import { encodeArray } from './encoders.js'
import { decodeNumeric } from './numeric.js'
import { inflation, InflationLimit } from '../inflation.js'

const types = new TypeRegistry()
const utf8 = new TextEncoder()

function header(ndigits: number, weight: number, sign: number, dscale: number, digits: number[] = []): Uint8Array {
  const out = new Uint8Array(8 + 2 * digits.length)
  const view = new DataView(out.buffer)
  view.setInt16(0, ndigits)
  view.setInt16(2, weight)
  view.setUint16(4, sign)
  view.setUint16(6, dscale)
  digits.forEach((d, i) => view.setUint16(8 + 2 * i, d))
  return out
}

/**
 * numeric_send of m / 10^dscale: base-10000 groups aligned on the decimal
 * point, leading and trailing zero groups stripped (as stored values are),
 * then `trail` zero groups added back (get_str_from_var reads unstripped
 * trailing digits as zeros; a leading zero group it would print).
 */
function numericBinary(m: bigint, dscale: number, trail = 0): Uint8Array {
  const abs = m < 0n ? -m : m
  const s = abs.toString().padStart(dscale + 1, '0')
  const int = s.slice(0, s.length - dscale)
  const frac = s.slice(s.length - dscale)
  const intPadded = int.padStart(Math.ceil(int.length / 4) * 4, '0')
  const fracPadded = frac.padEnd(Math.ceil(frac.length / 4) * 4, '0')
  const groups: number[] = []
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)))
  let weight = groups.length - 1
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)))
  while (groups.length > 0 && groups[0] === 0) {
    groups.shift()
    weight--
  }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop()
  if (groups.length === 0) weight = 0
  const digits = [...groups, ...new Array<number>(trail).fill(0)]
  return header(digits.length, weight, m < 0n ? 0x4000 : 0, dscale, digits)
}

/** numeric_out of m / 10^dscale, from the bigint. */
function numericText(m: bigint, dscale: number): string {
  const abs = m < 0n ? -m : m
  const unit = 10n ** BigInt(dscale)
  const frac = dscale > 0 ? '.' + (abs % unit).toString().padStart(dscale, '0') : ''
  return `${m < 0n ? '-' : ''}${abs / unit}${frac}`
}

const magnitudes = fc.oneof(
  fc.bigInt({ min: -99_999n, max: 99_999n }),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
  fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }),
  fc.integer({ min: 0, max: 1200 }).map((k) => 10n ** BigInt(k)),
  fc.integer({ min: 0, max: 1200 }).map((k) => -(10n ** BigInt(k)) + 1n),
)
const scales = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 1, 3, 4, 5, 8, 1000, 16383))
const specials: [string, Uint8Array][] = [
  ['NaN', header(0, 0, 0xc000, 0)],
  ['Infinity', header(0, 0, 0xd000, 0)],
  ['-Infinity', header(0, 0, 0xf000, 0)],
]

describe('binary numeric', () => {
  test('decodes to the string numeric_out prints, and text mode gives the same', () => {
    fc.assert(
      fc.property(magnitudes, scales, fc.nat({ max: 2 }), (m, dscale, trail) => {
        const text = numericText(m, dscale)
        const binary = numericBinary(m, dscale, trail)
        expect(decodeNumeric(binary)).toBe(text)
        expect(types.decode(Oid.numeric, 1, binary)).toBe(types.decode(Oid.numeric, 0, utf8.encode(text)))
      }),
      { numRuns: 2000 },
    )
  })

  test('a value inside a larger frame reads only its range', () => {
    fc.assert(
      fc.property(magnitudes, scales, fc.uint8Array({ maxLength: 9 }), fc.uint8Array({ maxLength: 9 }), (m, dscale, before, after) => {
        const binary = numericBinary(m, dscale)
        const frame = new Uint8Array([...before, ...binary, ...after])
        expect(decodeNumeric(frame, before.length, before.length + binary.length)).toBe(numericText(m, dscale))
      }),
    )
  })

  test('NaN, Infinity, -Infinity, zero, negative zero-scale and small scales', () => {
    for (const [text, binary] of specials) expect(decodeNumeric(binary)).toBe(text)
    expect(decodeNumeric(header(0, 0, 0, 0))).toBe('0')
    expect(decodeNumeric(header(0, 0, 0, 4))).toBe('0.0000')
    expect(decodeNumeric(numericBinary(-5n, 0))).toBe('-5')
    expect(decodeNumeric(numericBinary(-12345678n, 0))).toBe('-12345678')
    expect(decodeNumeric(numericBinary(1428571n, 4))).toBe('142.8571')
    expect(decodeNumeric(numericBinary(-1n, 20))).toBe('-0.00000000000000000001')
    expect(decodeNumeric(numericBinary(10000n, 0))).toBe('10000')
    expect(decodeNumeric(numericBinary(10n ** 131071n, 0))).toBe('1' + '0'.repeat(131071))
  })

  test('numeric[] in binary equals numeric[] in text', () => {
    const element = fc.oneof(
      fc.tuple(magnitudes, scales).map(([m, s]) => [numericText(m, s), numericBinary(m, s)] as [string, Uint8Array]),
      fc.constantFrom(...specials),
    )
    fc.assert(
      fc.property(fc.array(fc.option(element, { nil: null }), { maxLength: 8 }), (values) => {
        const text = `{${values.map((v) => (v === null ? 'NULL' : v[0])).join(',')}}`
        const binary = encodeArray(Oid.numeric, values.map((v) => (v === null ? null : v[1])))
        expect(types.decode(Oid._numeric, 1, binary)).toStrictEqual(types.decode(Oid._numeric, 0, utf8.encode(text)))
      }),
      { numRuns: 300 },
    )
  })

  test('a malformed value is a ProtocolError', () => {
    expect(() => decodeNumeric(new Uint8Array(7))).toThrow(ProtocolError)
    expect(() => decodeNumeric(header(2, 0, 0, 0, [1]))).toThrow(/must be 12 bytes, got 10/)
    expect(() => decodeNumeric(header(0, 0, 0x8000, 0))).toThrow(/sign word 0x8000/)
    expect(() => decodeNumeric(header(1, 0, 0, 0, [10000]))).toThrow(/digit 10000/)
  })

  test('charges what a value prints beyond its bytes to max_result_bytes, also in small pieces', () => {
    // 0.1 at dscale 250: 10 bytes, 252 characters printed.
    const tenth = header(1, -1, 0, 250, [1000])
    inflation.left = 1000
    inflation.charged = 0
    try {
      expect(decodeNumeric(tenth)).toBe(`0.1${'0'.repeat(249)}`)
      expect(inflation.charged).toBeGreaterThanOrEqual(242)
      expect(() => {
        for (let i = 0; i < 10; i++) decodeNumeric(tenth)
      }).toThrow(InflationLimit)
    } finally {
      inflation.left = Infinity
    }
  })
})
