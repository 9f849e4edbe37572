/**
 * The row builder reads every value from its range of the frame. Property:
 * for generated rows (every built-in type in both formats where the registry
 * reads it, NULLs, empty values, duplicate names, `__proto__`), at any offset
 * inside a larger chunk, it builds exactly the row that the simple decoding
 * builds: split the DataRow into one copied value per column and parse each
 * copy on its own.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors.js'
import type { FieldDescription } from '../protocol/messages.js'
import { encodeDataRowBody } from '../protocol/testing/index.js'
import { encodeBool, encodeDate, encodeFloat8, encodeInt2, encodeInt4, encodeInt8, encodeMicros, encodeUuid } from '../types/binary/encoders.js'
import { Oid } from '../types/oids.js'
import { TypeRegistry, type ParserSource } from '../types/registry.js'
import { utf8Decode } from '../types/utf8.js'
import { ResultCollector } from './collector.js'
import { RowBuilder } from './result.js'

const registry = new TypeRegistry()
const utf8 = new TextEncoder()

/** A column: its type, format and a generator of its values' bytes. */
const column: fc.Arbitrary<{ oid: number; format: 0 | 1; value: fc.Arbitrary<Uint8Array> }> = fc.constantFrom(
  { oid: Oid.int4, format: 0 as const, value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => utf8.encode(String(n))) },
  { oid: Oid.int4, format: 1 as const, value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(encodeInt4) },
  { oid: Oid.int2, format: 1 as const, value: fc.integer({ min: -32768, max: 32767 }).map(encodeInt2) },
  { oid: Oid.int8, format: 0 as const, value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => utf8.encode(String(n))) },
  { oid: Oid.int8, format: 1 as const, value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(encodeInt8) },
  { oid: Oid.float8, format: 1 as const, value: fc.double().map(encodeFloat8) },
  { oid: Oid.float8, format: 0 as const, value: fc.double({ noNaN: true }).map((x) => utf8.encode(String(x))) },
  { oid: Oid.bool, format: 0 as const, value: fc.boolean().map((b) => utf8.encode(b ? 't' : 'f')) },
  { oid: Oid.bool, format: 1 as const, value: fc.boolean().map(encodeBool) },
  { oid: Oid.text, format: 0 as const, value: fc.string({ unit: 'binary', maxLength: 80 }).map((s) => utf8.encode(s)) },
  { oid: Oid.text, format: 1 as const, value: fc.uint8Array({ maxLength: 80 }) }, // any bytes: invalid UTF-8 too
  { oid: Oid.numeric, format: 0 as const, value: fc.stringMatching(/^-?\d{1,20}(\.\d{1,10})?$/).map((s) => utf8.encode(s)) },
  { oid: Oid.uuid, format: 1 as const, value: fc.uuid().map(encodeUuid) },
  { oid: Oid.uuid, format: 0 as const, value: fc.uuid().map((u) => utf8.encode(u)) },
  { oid: Oid.date, format: 1 as const, value: fc.integer({ min: -100_000, max: 100_000 }).map(encodeDate) },
  { oid: Oid.timestamptz, format: 1 as const, value: fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }).map(encodeMicros) },
  { oid: Oid.timestamptz, format: 0 as const, value: fc.constantFrom('2024-02-29 13:45:06.123456+05:30', '1999-12-31 23:59:59+00', 'infinity').map((s) => utf8.encode(s)) },
  { oid: Oid.bytea, format: 0 as const, value: fc.uint8Array({ maxLength: 40 }).map((b) => utf8.encode('\\x' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''))) },
  { oid: Oid.bytea, format: 1 as const, value: fc.uint8Array({ maxLength: 100 }) },
  { oid: Oid.jsonb, format: 0 as const, value: fc.jsonValue().map((j) => utf8.encode(JSON.stringify(j))) },
  { oid: Oid._int4, format: 0 as const, value: fc.array(fc.option(fc.integer(), { nil: null })).map((a) => utf8.encode(`{${a.map((x) => x ?? 'NULL').join(',')}}`)) },
  { oid: 999_999, format: 1 as const, value: fc.uint8Array({ maxLength: 20 }) }, // unknown type: a copy of its bytes
)

const name = fc.constantFrom('a', 'b', 'id', 'name', '__proto__', 'constructor', 'toString', 'x y', '')

/** Columns, one value (or NULL) per column, where the body sits in its chunk. */
const rowSet = fc
  .array(fc.tuple(column, name), { minLength: 0, maxLength: 10 })
  .chain((cols) =>
    fc.tuple(
      fc.constant(cols),
      fc.tuple(...cols.map(([c]) => fc.option(c.value, { nil: null, freq: 5 }))),
      fc.nat({ max: 64 }),
      fc.nat({ max: 64 }),
    ),
  )

function fieldsOf(cols: [{ oid: number; format: 0 | 1 }, string][]): FieldDescription[] {
  return cols.map(([c, n]) => ({ name: n, tableOid: 0, columnAttr: 0, dataTypeOid: c.oid, dataTypeSize: -1, dataTypeModifier: -1, format: c.format }))
}

/** The simple decoding: one copied value per column, each parsed alone. */
function simpleRow(fields: FieldDescription[], values: (Uint8Array | null)[], source: ParserSource, mode: 'object' | 'array'): unknown {
  const parsed = values.map((v, i) => (v === null ? null : source.parserFor(fields[i]!.dataTypeOid, fields[i]!.format as 0 | 1)(v.slice())))
  if (mode === 'array') return parsed
  const row: Record<string, unknown> = {}
  fields.forEach((f, i) => Object.defineProperty(row, f.name, { value: parsed[i], enumerable: true, writable: true, configurable: true }))
  return row
}

/** The body placed at `before` bytes into a chunk, with `after` bytes of other data behind it. */
function inChunk(body: Uint8Array, before: number, after: number): Uint8Array {
  const chunk = new Uint8Array(before + body.length + after).fill(0xee)
  chunk.set(body, before)
  return chunk
}

/** A source like pg's facade: view parsers only, the plain-string one among them. */
const viewOnly: ParserSource = {
  parserFor: (oid, format) => (format === 0 && (oid === Oid.text || oid === Oid.numeric) ? utf8Decode : registry.parserFor(oid, format)),
  hasBinaryDecoder: () => false,
}

describe('RowBuilder reads values in place', () => {
  for (const [label, source] of [['registry (range parsers)', registry], ['view parsers only (pg facade)', viewOnly]] as const) {
    for (const mode of ['object', 'array'] as const) {
      it(`builds the row the simple decoding builds: ${label}, ${mode}`, () => {
        fc.assert(
          fc.property(rowSet, ([cols, values, before, after]) => {
            const fields = fieldsOf(cols)
            const chunk = inChunk(encodeDataRowBody(values), before, after)
            const built = new RowBuilder(fields, source, mode).build(chunk, before)
            const expected = simpleRow(fields, values, source, mode)
            // toEqual: toStrictEqual would compare a column named "constructor" as the rows' class.
            expect(built).toEqual(expected)
            expect(Object.keys(built as object)).toEqual(Object.keys(expected as object))
            if (mode === 'object') expect(Object.getPrototypeOf(built)).toBe(Object.prototype)
          }),
          { numRuns: 400 },
        )
      })
    }
  }

  it('rows of one builder share their keys in column order; __proto__ is data', () => {
    const fields = fieldsOf([
      [{ oid: Oid.int4, format: 0 }, 'a'],
      [{ oid: Oid.text, format: 0 }, '__proto__'],
      [{ oid: Oid.int4, format: 0 }, 'a'],
    ])
    const builder = new RowBuilder(fields, registry, 'object')
    const body = encodeDataRowBody([utf8.encode('1'), utf8.encode('p'), utf8.encode('3')])
    const row = builder.build(body, 0) as Record<string, unknown>
    expect(Object.keys(row)).toEqual(['a', '__proto__'])
    expect(row.a).toBe(3) // duplicate names: the last column wins, as in pg
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('p')
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
  })
})

describe('ResultCollector keeps the protocol strict', () => {
  const fields = fieldsOf([
    [{ oid: Oid.int4, format: 0 }, 'a'],
    [{ oid: Oid.int4, format: 0 }, 'b'],
  ])
  const row = (values: (Uint8Array | null)[]) => {
    const bytes = encodeDataRowBody(values)
    return { type: 'DataRow' as const, bytes, start: 0, end: bytes.length }
  }

  it('a short or long row is a ProtocolError, a row of the right width a row', () => {
    const collector = new ResultCollector(registry, 'object')
    collector.describe(fields)
    expect(() => collector.row(row([utf8.encode('1')]))).toThrow(ProtocolError)
    expect(() => collector.row(row([utf8.encode('1'), null, null]))).toThrow(/DataRow with 3 columns, but RowDescription has 2/)
    collector.row(row([utf8.encode('1'), null]))
    collector.complete('SELECT 1')
    expect(collector.last.rows).toEqual([{ a: 1, b: null }])
  })

  it('max_result_bytes counts each row as its body less the column count', () => {
    const collector = new ResultCollector(registry, 'array', undefined, 20)
    collector.describe(fields)
    collector.row(row([utf8.encode('12'), utf8.encode('34')])) // 2 * (4 + 2) = 12 bytes
    expect(collector.overflow).toBeUndefined()
    collector.row(row([utf8.encode('12'), null])) // 4 + 2 + 4 = 10: 22 > 20
    expect(collector.overflow?.message).toMatch(/max_result_bytes \(20 bytes\)/)
  })
})
