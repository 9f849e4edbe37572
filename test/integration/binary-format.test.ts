/**
 * Cached statements ask for binary results on the types the registry decodes
 * in binary. Property: for generated values of each such type and arrays of
 * them, the row read in text (first run of a statement) equals the row read
 * in binary (later runs), on a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { Client } from '../../src/index.js'
import { openTestClient } from './helpers/server.js'

let db: Client
/** numeric takes 'Infinity' and '-Infinity' from PostgreSQL 14 on. */
let numericInfinity = true

beforeAll(async () => {
  db = await openTestClient()
  const { rows } = await db.query<{ v: string }>('show server_version_num')
  numericInfinity = Number(rows[0]!.v) >= 140000
})
afterAll(async () => {
  await db?.close()
})

const noNul = (s: string) => !s.includes('\0')

const cases: Record<string, fc.Arbitrary<unknown>> = {
  int2: fc.integer({ min: -32768, max: 32767 }),
  int4: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int8: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  float4: fc.float(),
  float8: fc.double(),
  bool: fc.boolean(),
  bytea: fc.uint8Array({ maxLength: 64 }),
  uuid: fc.uuid(),
  timestamptz: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
  text: fc.string({ unit: 'binary', maxLength: 40 }).filter(noNul),
  // Decimal strings m / 10^s (any scale, negative zero included), and the special values.
  numeric: fc.oneof(
    fc.tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.nat({ max: 30 })).map(([m, s]) => {
      const digits = (m < 0n ? -m : m).toString().padStart(s + 1, '0')
      return `${m < 0n ? '-' : ''}${digits.slice(0, digits.length - s)}${s > 0 ? '.' + digits.slice(digits.length - s) : ''}`
    }),
    fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '-0.000', '1e-300', '-1e300').filter((v) => numericInfinity || !v.endsWith('Infinity')),
  ),
}

describe('binary results of cached statements equal the text results', () => {
  for (const [type, arbitrary] of Object.entries(cases)) {
    it(`${type} and ${type}[]`, async () => {
      const sqlText = `select $1::${type} as v, $2::${type}[] as a, $3::${type}[] as m`
      const sample = fc.tuple(
        fc.option(arbitrary, { nil: null }),
        fc.array(fc.option(arbitrary, { nil: null }), { maxLength: 6 }),
        fc.array(fc.array(arbitrary, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
      )
      // Prepare the statement once so the cached runs below are described already.
      await db.query(sqlText, [null, [], null])
      await fc.assert(
        fc.asyncProperty(sample, async (values) => {
          // Unnamed statement, text results.
          const text = await db.query(sqlText, values, { prepare: false })
          expect(text.fields.every((f) => f.format === 0)).toBe(true)
          // Cached named statement: binary results from the second run on (the cache key
          // includes the parameter types, which vary with the values: a Uint8Array is sent as bytea).
          await db.query(sqlText, values)
          const binary = await db.query(sqlText, values)
          expect(binary.fields.map((f) => f.format)).toEqual([1, 1, 1])
          expect(binary.rows).toEqual(text.rows)
        }),
        { numRuns: 60 },
      )
    })
  }
})
