import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { Oid } from './oids.js'
import { arrayLiteral, dateText, serializeParam } from './serialize.js'
import { parseArray } from './text/array.js'
import { parseTimestamptz } from './text/datetime.js'
import { parseBytea } from './text/scalars.js'

const textParam = (value: string) => ({ value, oid: 0, format: 0 })

describe('serializeParam', () => {
  test('null and undefined are SQL NULL', () => {
    expect(serializeParam(null)).toEqual({ value: null, oid: 0, format: 0 })
    expect(serializeParam(undefined)).toEqual({ value: null, oid: 0, format: 0 })
  })

  test('scalars go as text with OID 0 so the server infers the type', () => {
    expect(serializeParam('héllo')).toEqual(textParam('héllo'))
    expect(serializeParam(42)).toEqual(textParam('42'))
    expect(serializeParam(-0.1)).toEqual(textParam('-0.1'))
    expect(serializeParam(1 / 3)).toEqual(textParam('0.3333333333333333'))
    expect(serializeParam(-0)).toEqual(textParam('-0'))
    expect(serializeParam(NaN)).toEqual(textParam('NaN'))
    expect(serializeParam(Infinity)).toEqual(textParam('Infinity'))
    expect(serializeParam(-Infinity)).toEqual(textParam('-Infinity'))
    expect(serializeParam(2n ** 63n - 1n)).toEqual(textParam('9223372036854775807'))
    expect(serializeParam(true)).toEqual(textParam('t'))
    expect(serializeParam(false)).toEqual(textParam('f'))
  })

  test('bytes go as binary bytea', () => {
    const b = new Uint8Array([0, 1, 255])
    expect(serializeParam(b)).toEqual({ value: b, oid: Oid.bytea, format: 1 })
    expect(serializeParam(b.buffer)).toEqual({ value: b, oid: Oid.bytea, format: 1 })
  })

  test('Date: local ISO time with offset that reads back as the same instant', () => {
    for (const iso of ['2024-02-29T08:15:06.123Z', '1800-01-01T00:00:00.000Z', '0010-05-06T07:08:09.010Z', '-000043-03-15T06:30:00.000Z', '+012345-01-01T00:00:00.000Z']) {
      const d = new Date(iso)
      const text = serializeParam(d).value as string
      expect(text).toMatch(/^\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d(:\d\d)?( BC)?$/)
      // The same text, as the server would print it (space instead of T), parses back.
      expect((parseTimestamptz(text.replace('T', ' ')) as Date).toISOString()).toBe(iso)
    }
  })

  test('invalid Date is refused', () => {
    expect(() => serializeParam(new Date(NaN), 2)).toThrow('parameter $2: cannot serialize an invalid Date')
  })

  test('objects become JSON', () => {
    expect(serializeParam({ a: [1, 'x', null], b: { c: true } })).toEqual(textParam('{"a":[1,"x",null],"b":{"c":true}}'))
    expect(serializeParam({ toJSON: () => 'custom' })).toEqual(textParam('"custom"'))
    expect(serializeParam(Object.assign(Object.create(null), { k: 1 }))).toEqual(textParam('{"k":1}'))
  })

  test('unserializable values name the parameter', () => {
    expect(() => serializeParam(() => 1, 3)).toThrow(new TypeError('parameter $3: cannot serialize a function'))
    expect(() => serializeParam(Symbol('s'), 1)).toThrow('parameter $1: cannot serialize a symbol')
    expect(() => serializeParam({ f() {} }, 2)).toThrow('parameter $2: cannot serialize a function inside a JSON value')
    expect(() => serializeParam({ n: 1n }, 2)).toThrow('parameter $2: cannot serialize a bigint inside a JSON value')
    expect(() => serializeParam(new Map(), 4)).toThrow('parameter $4: cannot serialize a Map')
    expect(() => serializeParam(new Set(), 4)).toThrow('parameter $4: cannot serialize a Set')
    expect(() => serializeParam(new Int32Array(2), 5)).toThrow('parameter $5: cannot serialize a Int32Array')
    expect(() => serializeParam(Promise.resolve(1), 6)).toThrow('parameter $6: cannot serialize a Promise')
    expect(() => serializeParam([1, () => 1], 7)).toThrow('parameter $7: cannot serialize a function inside an array')
    expect(() => serializeParam({ toJSON: () => undefined }, 8)).toThrow('parameter $8')
  })
})

describe('array literals', () => {
  test('quoting, NULL, nesting, element kinds', () => {
    expect(serializeParam([1, 2, 3])).toEqual(textParam('{1,2,3}'))
    expect(arrayLiteral([])).toBe('{}')
    expect(arrayLiteral(['a b', 'c"d', null, '', 'NULL', 'x\\y', undefined])).toBe('{"a b","c\\"d",NULL,"","NULL","x\\\\y",NULL}')
    expect(arrayLiteral([[1, 2], [3, null]])).toBe('{{1,2},{3,NULL}}')
    expect(arrayLiteral([true, false, 10n, NaN, -Infinity])).toBe('{t,f,10,NaN,-Infinity}')
    expect(arrayLiteral([{ a: '"' }])).toBe('{"{\\"a\\":\\"\\\\\\"\\"}"}')
    expect(arrayLiteral([new Uint8Array([1, 171])])).toBe('{"\\\\x01ab"}')
    const d = new Date('2024-02-29T08:15:06.123Z')
    expect(arrayLiteral([d])).toBe(`{"${dateText(d)}"}`)
  })

  test('bytea elements parse back', () => {
    const parsed = parseArray(arrayLiteral([new Uint8Array([0, 92, 255]), null]), parseBytea)
    expect(parsed).toEqual([new Uint8Array([0, 92, 255]), null])
  })

  const element = fc.oneof(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), fc.constant(null), fc.constantFrom('NULL', 'null', '', ' ', '{', '}', '"', '\\', ',', ';'))

  test('strings with NULLs round trip (property)', () => {
    fc.assert(
      fc.property(fc.array(element), (values) => {
        expect(parseArray(arrayLiteral(values), (s) => s)).toEqual(values)
      }),
    )
  })

  test('nested rectangular arrays round trip (property)', () => {
    const matrix = fc.integer({ min: 1, max: 4 }).chain((w) => fc.array(fc.array(element, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 4 }))
    fc.assert(
      fc.property(matrix, (values) => {
        expect(parseArray(arrayLiteral(values), (s) => s)).toEqual(values)
      }),
    )
  })

  test('numbers round trip exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.constant(null))), (values) => {
        expect(parseArray(arrayLiteral(values), Number)).toStrictEqual(values)
      }),
    )
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), (values) => {
        expect(parseArray(arrayLiteral(values), BigInt)).toEqual(values)
      }),
    )
  })
})
