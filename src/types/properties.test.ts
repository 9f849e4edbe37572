/**
 * Property tests: for generated values of every binary-capable type, decoding
 * the binary encoding gives the same result as decoding the text PostgreSQL
 * would print for that value. The printers below follow the server's output
 * functions (int8out, float4out/float8out via Ryu, byteaout, uuid_out,
 * EncodeDateTime with DateStyle ISO, array_out) and are written independently of
 * the parsers under test.
 */
import fc from 'fast-check'
import { afterAll, describe, expect, test } from 'vitest'
import { encodeArray, encodeBool, encodeDate, encodeFloat4, encodeFloat8, encodeInt2, encodeInt4, encodeInt8, encodeMicros, encodeOid, encodeUuid } from './binary/encoders.js'
import { Oid } from './oids.js'
import { TypeRegistry } from './registry.js'

const types = new TypeRegistry()
const utf8 = new TextEncoder()

/** The property: one value, its binary form, its text form. */
function agrees(oid: number, binary: Uint8Array, text: string): void {
  expect(types.hasBinaryDecoder(oid)).toBe(true)
  const fromBinary = types.decode(oid, 1, binary)
  const fromText = types.decode(oid, 0, utf8.encode(text))
  expect(fromBinary, text).toStrictEqual(fromText)
}

// ---- printers, as PostgreSQL prints ----

const pad = (n: number | bigint | string, w: number) => String(n).padStart(w, '0')

/** float8out: shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e15. */
function float8Text(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity'
  if (x === 0) return Object.is(x, -0) ? '-0' : '0'
  const [m, e] = Math.abs(x).toExponential().split('e') as [string, string]
  const digits = m.replace('.', '')
  const exp = Number(e)
  const sign = x < 0 ? '-' : ''
  if (exp < -4 || exp >= 15) return `${sign}${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}e${exp < 0 ? '-' : '+'}${pad(Math.abs(exp), 2)}`
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
  const frac = digits.slice(exp + 1)
  return `${sign}${int}${frac ? '.' + frac : ''}`
}

/** f = num / den exactly. */
function rational(f: number): [bigint, bigint] {
  let m = f
  let k = 0
  while (!Number.isInteger(m)) {
    m *= 2
    k--
  }
  return [BigInt(m), 2n ** BigInt(-k)]
}

/** x lies exactly halfway between the float4 f and its neighbour on x's side. */
function isHalfway(x: number, f: number): boolean {
  if (x === f) return false
  const bits = new Float32Array([f])
  const word = new Uint32Array(bits.buffer)
  word[0] = word[0]! + (x > f ? 1 : -1)
  return x === (f + bits[0]!) / 2
}

/**
 * float4out (Ryu f2s): the fewest digits that read back as the same float4;
 * among those, the closest to the exact value, ties to even. Exact rational
 * arithmetic; slow and plain on purpose.
 */
function float4Text(f: number): string {
  if (Number.isNaN(f) || !Number.isFinite(f) || f === 0) return float8Text(f)
  const sign = f < 0 ? '-' : ''
  const a = Math.abs(f)
  const [num, den] = rational(a)
  let e10 = Math.floor(Math.log10(a))
  const pow = (n: number) => 10n ** BigInt(n)
  const atLeast = (e: number) => (e >= 0 ? num >= pow(e) * den : num * pow(-e) >= den) // a >= 10^e
  while (!atLeast(e10)) e10--
  while (atLeast(e10 + 1)) e10++
  for (let p = 1; p <= 9; p++) {
    const s = e10 - p + 1
    // a / 10^s = n / d
    const n = s <= 0 ? num * pow(-s) : num
    const d = s <= 0 ? den : den * pow(s)
    const floor = n / d
    // Interval bounds (exactly halfway to the next float4) are not accepted: PostgreSQL 15
    // prints 2022119936::float4 as 2.0221199e+09, not 2.02212e+09.
    const valid = [floor, floor + 1n].filter((N) => Math.fround(Number(`${N}e${s}`)) === a && !isHalfway(Number(`${N}e${s}`), a))
    if (valid.length === 0) continue
    const dist = (N: bigint) => (N * d > n ? N * d - n : n - N * d)
    valid.sort((x, y) => (dist(x) < dist(y) ? -1 : dist(x) > dist(y) ? 1 : Number(x % 2n) - Number(y % 2n)))
    return `${sign}${valid[0]}e${s}`
  }
  throw new Error('unreachable: 9 digits always round-trip a float4')
}

function byteaText(b: Uint8Array): string {
  return '\\x' + Array.from(b, (x) => pad(x.toString(16), 2)).join('')
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b))

/** Fields of a microsecond count since 2000 as PostgreSQL prints them (ISO, BC suffix). */
function dateTimeText(micros: bigint): { date: string; time: string; bc: boolean } {
  const ms = floorDiv(micros, 1000n)
  const subMs = Number(micros - ms * 1000n)
  const d = new Date(Number(ms) + 946684800000)
  const year = d.getUTCFullYear()
  const bc = year <= 0
  const date = `${pad(bc ? 1 - year : year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
  const fracMicros = d.getUTCMilliseconds() * 1000 + subMs
  const frac = fracMicros === 0 ? '' : '.' + pad(fracMicros, 6).replace(/0+$/, '')
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${frac}`
  return { date, time, bc }
}

function timestampText(micros: bigint): string {
  const { date, time, bc } = dateTimeText(micros)
  return `${date} ${time}${bc ? ' BC' : ''}`
}

/** timestamptz printed in a zone `offset` seconds east of UTC: +05:30, -03:30, +00, +00:19:32. */
function timestamptzText(micros: bigint, offset: number): string {
  const { date, time, bc } = dateTimeText(micros + BigInt(offset) * 1_000_000n)
  const abs = Math.abs(offset)
  const h = Math.floor(abs / 3600)
  const m = Math.floor(abs / 60) % 60
  const s = abs % 60
  const zone = `${offset < 0 ? '-' : '+'}${pad(h, 2)}${m || s ? ':' + pad(m, 2) : ''}${s ? ':' + pad(s, 2) : ''}`
  return `${date} ${time}${zone}${bc ? ' BC' : ''}`
}

function dateText(days: number): string {
  const { date, bc } = dateTimeText(BigInt(days) * 86_400_000_000n)
  return `${date}${bc ? ' BC' : ''}`
}

/** array_out's quoting of one element. */
function arrayElementText(s: string | null): string {
  if (s === null) return 'NULL'
  if (s === '' || s.toUpperCase() === 'NULL' || /[{}",\\ \t\n\r\v\f]/.test(s)) return `"${s.replace(/[\\"]/g, '\\$&')}"`
  return s
}

function arrayText(values: unknown[], element: (v: never) => string): string {
  return `{${values.map((v) => (Array.isArray(v) ? arrayText(v, element) : arrayElementText(v === null ? null : element(v as never)))).join(',')}}`
}

function arrayBinary(elementOid: number, values: unknown[], encode: (v: never) => Uint8Array): Uint8Array {
  const map = (v: unknown): unknown => (Array.isArray(v) ? v.map(map) : v === null ? null : encode(v as never))
  return encodeArray(elementOid, map(values) as unknown[])
}

// ---- generators ----

const float4 = fc.float({ noDefaultInfinity: false })
const micros = fc.bigInt({ min: -200_000_000_000_000_000n, max: 2_000_000_000_000_000_000n })
const specialMicros = fc.constantFrom(0n, -1n, 1n, 999n, -999n, -1000n, -1001n, 2n ** 63n - 1n, -(2n ** 63n))
const anyMicros = fc.oneof(micros, specialMicros, fc.bigInt({ min: -1_000_000n, max: 1_000_000n }))
const offsets = fc.constantFrom(0, 19800, -12600, 20700, 1172, -18000, 50400, -43200, 3600 * 14)
// Up to the last day a JS Date (the printer's helper) can show; the fixtures cover 5874897-12-31.
const days = fc.oneof(fc.integer({ min: -2_451_545, max: 99_000_000 }), fc.constantFrom(0, -1, -730119, -730120, 2147483647, -2147483648))
const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'))
const arrayShape = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(
    fc.array(fc.option(arb, { nil: null }), { maxLength: 8 }),
    fc.integer({ min: 1, max: 3 }).chain((w) => fc.array(fc.array(fc.option(arb, { nil: null }), { minLength: w, maxLength: w }), { minLength: 1, maxLength: 3 })),
  )

function specialText(m: bigint): string | null {
  return m === 2n ** 63n - 1n ? 'infinity' : m === -(2n ** 63n) ? '-infinity' : null
}

// ---- properties ----

describe('binary decode(encode(v)) equals text decode(print(v))', () => {
  test('bool, int2, int4, oid, int8', () => {
    fc.assert(fc.property(fc.boolean(), (v) => agrees(Oid.bool, encodeBool(v), v ? 't' : 'f')))
    fc.assert(fc.property(fc.integer({ min: -32768, max: 32767 }), (v) => agrees(Oid.int2, encodeInt2(v), String(v))))
    fc.assert(fc.property(fc.integer(), (v) => agrees(Oid.int4, encodeInt4(v), String(v))))
    fc.assert(fc.property(fc.nat({ max: 4294967295 }), (v) => agrees(Oid.oid, encodeOid(v), String(v))))
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => agrees(Oid.int8, encodeInt8(v), String(v))))
  })

  test('float8', () => {
    fc.assert(fc.property(fc.double(), (v) => agrees(Oid.float8, encodeFloat8(v), float8Text(v))), { numRuns: 2000 })
  })

  test('float4 (shortest digits, ties to even)', () => {
    const powersOfTwo = fc.integer({ min: -149, max: 127 }).map((k) => Math.fround(2 ** k))
    fc.assert(fc.property(fc.oneof(float4, powersOfTwo), (v) => agrees(Oid.float4, encodeFloat4(v), float4Text(v))), { numRuns: 3000 })
  })

  test('bytea, uuid, text types', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (v) => agrees(Oid.bytea, v, byteaText(v))))
    fc.assert(fc.property(fc.uuid(), (v) => agrees(Oid.uuid, encodeUuid(v), v)))
    for (const oid of [Oid.text, Oid.varchar, Oid.bpchar, Oid.name]) fc.assert(fc.property(text, (v) => agrees(oid, utf8.encode(v), v)))
  })

  test('date', () => {
    fc.assert(fc.property(days, (v) => agrees(Oid.date, encodeDate(v), v === 2147483647 ? 'infinity' : v === -2147483648 ? '-infinity' : dateText(v))), { numRuns: 1000 })
  })

  const originalTz = process.env.TZ
  afterAll(() => {
    process.env.TZ = originalTz
  })

  test.each(['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam'])('timestamp and timestamptz, process TZ %s', (tz) => {
    process.env.TZ = tz
    fc.assert(fc.property(anyMicros, (m) => agrees(Oid.timestamp, encodeMicros(m), specialText(m) ?? timestampText(m))), { numRuns: 500 })
    fc.assert(fc.property(anyMicros, offsets, (m, off) => agrees(Oid.timestamptz, encodeMicros(m), specialText(m) ?? timestamptzText(m, off))), { numRuns: 500 })
  })

  test('arrays of every binary-capable element type', () => {
    const cases: [number, number, fc.Arbitrary<never>, (v: never) => Uint8Array, (v: never) => string][] = [
      [Oid._bool, Oid.bool, fc.boolean() as fc.Arbitrary<never>, encodeBool, (v: boolean) => (v ? 't' : 'f')],
      [Oid._int2, Oid.int2, fc.integer({ min: -32768, max: 32767 }) as fc.Arbitrary<never>, encodeInt2, String],
      [Oid._int4, Oid.int4, fc.integer() as fc.Arbitrary<never>, encodeInt4, String],
      [Oid._oid, Oid.oid, fc.nat() as fc.Arbitrary<never>, encodeOid, String],
      [Oid._int8, Oid.int8, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) as fc.Arbitrary<never>, encodeInt8, String],
      [Oid._float4, Oid.float4, float4 as fc.Arbitrary<never>, encodeFloat4, float4Text],
      [Oid._float8, Oid.float8, fc.double() as fc.Arbitrary<never>, encodeFloat8, float8Text],
      [Oid._bytea, Oid.bytea, fc.uint8Array({ maxLength: 8 }) as fc.Arbitrary<never>, (v: Uint8Array) => v, byteaText],
      [Oid._uuid, Oid.uuid, fc.uuid() as fc.Arbitrary<never>, encodeUuid, (v: string) => v],
      [Oid._text, Oid.text, text as fc.Arbitrary<never>, (v: string) => utf8.encode(v), (v: string) => v],
      [Oid._varchar, Oid.varchar, text as fc.Arbitrary<never>, (v: string) => utf8.encode(v), (v: string) => v],
      [Oid._date, Oid.date, days as fc.Arbitrary<never>, encodeDate, (v: number) => (v === 2147483647 ? 'infinity' : v === -2147483648 ? '-infinity' : dateText(v))],
      [Oid._timestamp, Oid.timestamp, anyMicros as fc.Arbitrary<never>, encodeMicros, (m: bigint) => specialText(m) ?? timestampText(m)],
      [Oid._timestamptz, Oid.timestamptz, anyMicros as fc.Arbitrary<never>, encodeMicros, (m: bigint) => specialText(m) ?? timestamptzText(m, 19800)],
    ]
    for (const [arrayOid, elementOid, arb, encode, print] of cases) {
      fc.assert(
        fc.property(arrayShape(arb), (values) => agrees(arrayOid, arrayBinary(elementOid, values, encode), arrayText(values, print))),
        { numRuns: 200 },
      )
    }
  })
})

test('the printers print what PostgreSQL 15 printed', () => {
  // Spot checks against psql output, so the properties above compare with the real format.
  expect(float8Text(1.5e-7)).toBe('1.5e-07')
  expect(float8Text(1e15)).toBe('1e+15')
  expect(float8Text(123456789012345)).toBe('123456789012345')
  expect(float8Text(0.0001)).toBe('0.0001')
  expect(Number(float4Text(Math.fround(0.1)))).toBe(0.1)
  expect(Number(float4Text(2 ** -12))).toBe(0.00024414062)
  expect(timestamptzText(0n, 19800)).toBe('2000-01-01 05:30:00+05:30')
  expect(timestamptzText(-1n, 0)).toBe('1999-12-31 23:59:59.999999+00')
  expect(timestampText(-730120n * 86_400_000_000n)).toBe('0001-12-31 00:00:00 BC')
  expect(dateText(-730120)).toBe('0001-12-31 BC')
  expect(arrayText(['a b', 'c"d', null, '', 'NULL', 'x\\y'], (v: string) => v)).toBe('{"a b","c\\"d",NULL,"","NULL","x\\\\y"}')
})
