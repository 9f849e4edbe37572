/**
 * json and jsonb columns are read from the frame bytes by a JS reader
 * (src/types/text/json.ts) that leaves escapes and odd shapes to JSON.parse.
 * Property: for generated documents sent to a real server, the value of the
 * column equals JSON.parse of the text the server printed for it (non-ASCII,
 * escapes, `__proto__`, numbers as numeric_out prints them), as objects and
 * as array rows, in arrays of jsonb too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { Client } from '../../src/index.js'
import { sameValue } from '../../src/types/testing/same-value.js'
import { openTestClient } from './helpers/server.js'

let db: Client

beforeAll(async () => {
  db = await openTestClient()
})
afterAll(async () => {
  await db?.close()
})

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'é', 'a"b', 'x\\y', 'id', 'name'))
const leaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !s.includes('\0')),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
)
const documents = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})).value

describe('json and jsonb values equal JSON.parse of the text the server prints', () => {
  it('json, jsonb and jsonb[]', async () => {
    const sql = 'select $1::json as j, $1::jsonb as b, array[$1::jsonb, null] as a, $1::json::text as jt, $1::jsonb::text as bt'
    await fc.assert(
      fc.asyncProperty(documents, fc.constantFrom<'object' | 'array'>('object', 'array'), async (doc, rowMode) => {
        const text = JSON.stringify(doc)
        const { rows } = await db.query(sql, [text], { rowMode })
        const [j, b, a, jt, bt] = rowMode === 'array' ? (rows[0] as unknown as unknown[]) : Object.values(rows[0] as object)
        expect(sameValue(j, JSON.parse(jt as string)), jt as string).toBe(true)
        expect(sameValue(b, JSON.parse(bt as string)), bt as string).toBe(true)
        expect(Array.isArray(a) && sameValue(a[0], JSON.parse(bt as string)) && a[1] === null, bt as string).toBe(true)
      }),
      { numRuns: 150 },
    )
  })
})
