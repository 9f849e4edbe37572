/**
 * On Node the transport hands the reader the Buffers the socket read, so the
 * row builder reads values from Buffers (text through their native utf8Slice).
 * Property: on a Buffer chunk, at any offset, the builder builds exactly the
 * row the simple decoding builds from copied values (src/connection/result.test.ts
 * checks the same on plain Uint8Arrays), and every byte value in a row is a
 * plain Uint8Array holding only its own bytes: never a view (a Buffer's slice()
 * is one) that would keep the socket chunk alive.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RowBuilder } from '../../src/connection/result.js'
import { fieldsOf, inChunk, registry, rowSet, simpleRow, viewOnly } from '../../src/connection/testing/row-sets.js'
import { encodeDataRowBody } from '../../src/protocol/testing/index.js'
import { TypeRegistry } from '../../src/types/registry.js'

function expectNoViews(row: unknown): void {
  for (const value of Object.values(row as object)) {
    if (!(value instanceof Uint8Array)) continue
    expect(value.constructor).toBe(Uint8Array)
    expect(value.byteOffset).toBe(0)
    expect(value.buffer.byteLength).toBe(value.length)
  }
}

describe('RowBuilder on Buffer chunks', () => {
  for (const [label, source] of [['registry (range parsers)', registry], ['view parsers only (pg facade)', viewOnly]] as const) {
    for (const mode of ['object', 'array'] as const) {
      it(`builds the row the simple decoding builds, with no views: ${label}, ${mode}`, () => {
        fc.assert(
          fc.property(rowSet, ([cols, values, before, after]) => {
            const fields = fieldsOf(cols)
            const chunk = Buffer.from(inChunk(encodeDataRowBody(values), before, after))
            const built = new RowBuilder(fields, source, mode).build(chunk, before)
            expect(built).toEqual(simpleRow(fields, values, source, mode))
            expectNoViews(built)
          }),
          { numRuns: 400 },
        )
      })

      it(`keeps building that row past the 32 rows after which a builder makes its own constructor: ${label}, ${mode}`, () => {
        fc.assert(
          fc.property(rowSet, ([cols, values, before, after]) => {
            const fields = fieldsOf(cols)
            const chunk = Buffer.from(inChunk(encodeDataRowBody(values), before, after))
            const builder = new RowBuilder(fields, source, mode)
            const expected = simpleRow(fields, values, source, mode)
            for (let i = 0; i < 40; i++) expect(builder.build(chunk, before)).toEqual(expected)
          }),
          { numRuns: 50 },
        )
      })
    }
  }
})

describe("a registered type's parseBinary on Buffer chunks", () => {
  it('gets a plain Uint8Array view of its value, so its slice() is a copy of the value alone', () => {
    const seen: Uint8Array[] = []
    const custom = new TypeRegistry().register({ oid: 900_001, parseBinary: (bytes) => (seen.push(bytes), bytes.slice()) })
    const fields = fieldsOf([[{ oid: 900_001, format: 1 }, 'v']])
    const chunk = Buffer.from(inChunk(encodeDataRowBody([new Uint8Array([1, 2, 3, 4])]), 100, 1000))
    const row = new RowBuilder(fields, custom, 'object').build(chunk, 100) as { v: Uint8Array }
    expect(seen[0]!.constructor).toBe(Uint8Array)
    expect([...seen[0]!]).toEqual([1, 2, 3, 4])
    expect(row.v.buffer.byteLength).toBe(4)
  })
})
