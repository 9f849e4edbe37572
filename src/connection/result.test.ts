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
import { encodeDataRowBody } from '../protocol/testing/index.js'
import { Oid } from '../types/oids.js'
import { ResultCollector } from './collector.js'
import { RowBuilder } from './result.js'
import { fieldsOf, inChunk, registry, rowSet, simpleRow, utf8, viewOnly } from './testing/row-sets.js'

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
