/**
 * Text and binary decoding agree on values printed and sent by a real
 * PostgreSQL 15 (fixtures/pg-values.json, made by fixtures/pg-values.sql),
 * in several process time zones (timestamp without time zone is read as local time).
 */
import { afterAll, describe, expect, test } from 'vitest'
import values from './fixtures/pg-values.json' with { type: 'json' }
import { TypeRegistry } from './registry.js'

interface Fixture {
  oid: number
  text: string
  binary: string
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16)
  return out
}

const fixtures = values as Fixture[]
const encoder = new TextEncoder()
const originalTz = process.env.TZ

afterAll(() => {
  process.env.TZ = originalTz
})

describe.each(['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam'])('process TZ %s', (tz) => {
  test('every fixture decodes to the same value in text and binary', () => {
    process.env.TZ = tz
    const types = new TypeRegistry()
    expect(fixtures.length).toBeGreaterThan(1000)
    for (const f of fixtures) {
      expect(types.hasBinaryDecoder(f.oid), `oid ${f.oid}`).toBe(true)
      const fromText = types.decode(f.oid, 0, encoder.encode(f.text))
      const fromBinary = types.decode(f.oid, 1, hex(f.binary))
      expect(fromBinary, `oid ${f.oid} ${JSON.stringify(f.text)}`).toStrictEqual(fromText)
      if (fromText instanceof Date) expect(Number.isNaN(fromText.getTime()), f.text).toBe(false)
    }
  })
})

test('fixtures hold the values their text says', () => {
  const types = new TypeRegistry()
  const byText = (oid: number, text: string) => {
    const f = fixtures.find((x) => x.oid === oid && x.text === text)
    if (!f) throw new Error(`no fixture ${oid} ${text}`)
    return types.decode(oid, 1, hex(f.binary))
  }
  expect(byText(20, '9223372036854775807')).toBe(9223372036854775807n)
  expect(byText(20, '-9223372036854775808')).toBe(-9223372036854775808n)
  expect(byText(700, '0.1')).toBe(0.1)
  expect(byText(700, '1e-45')).toBe(1e-45)
  expect(byText(700, '0.00024414062')).toBe(0.00024414062) // 2^-12: a halfway tie, to even
  expect(byText(700, '-0')).toBe(-0)
  expect(byText(701, 'NaN')).toBeNaN()
  expect(byText(1082, '0044-03-15 BC')).toBe('0044-03-15 BC')
  expect(byText(1082, 'infinity')).toBe('infinity')
  expect(byText(1184, '-infinity')).toBe('-infinity')
  expect(byText(1042, 'ab   ')).toBe('ab   ')
  expect(byText(1007, '[0:2]={7,8,9}')).toEqual([7, 8, 9])
  expect(byText(1007, '{{1,2},{3,NULL}}')).toEqual([[1, 2], [3, null]])
  expect(byText(1007, '{}')).toEqual([])
  expect(byText(1009, '{"a b","c\\"d",NULL,"","NULL","x\\\\y","{}","é,;"}')).toEqual(['a b', 'c"d', null, '', 'NULL', 'x\\y', '{}', 'é,;'])
  const ts = fixtures.find((x) => x.oid === 1184 && x.text === '2024-03-31 08:00:00.123456+05:30')!
  expect((types.decode(1184, 0, encoder.encode(ts.text)) as Date).toISOString()).toBe('2024-03-31T02:30:00.123Z')
})
