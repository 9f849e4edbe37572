import { describe, expect, test } from 'vitest'
import { parseArray } from './text/array.js'
import { parseTimestamp, parseTimestamptz } from './text/datetime.js'
import { parseBool, parseBoolBytes, parseBytea, parseFloat, parseInt8, parseInteger, parseIntegerBytes, parseJson } from './text/scalars.js'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('scalars', () => {
  test('bool', () => {
    expect(parseBool('t')).toBe(true)
    expect(parseBool('f')).toBe(false)
    expect(parseBoolBytes(bytes('t'))).toBe(true)
    expect(parseBoolBytes(bytes('f'))).toBe(false)
  })

  test('int2/int4/oid from text and from bytes', () => {
    for (const s of ['0', '1', '-1', '32767', '-32768', '2147483647', '-2147483648', '4294967295']) {
      expect(parseInteger(s)).toBe(Number(s))
      expect(parseIntegerBytes(bytes(s))).toBe(Number(s))
    }
  })

  test('int8 is an exact bigint', () => {
    expect(parseInt8('9223372036854775807')).toBe(2n ** 63n - 1n)
    expect(parseInt8('-9223372036854775808')).toBe(-(2n ** 63n))
    expect(parseInt8('9007199254740993')).toBe(9007199254740993n)
  })

  test('float specials and exponents as PostgreSQL prints them', () => {
    expect(parseFloat('NaN')).toBeNaN()
    expect(parseFloat('Infinity')).toBe(Infinity)
    expect(parseFloat('-Infinity')).toBe(-Infinity)
    expect(parseFloat('-0')).toBe(-0)
    expect(parseFloat('1.5e-07')).toBe(1.5e-7)
    expect(parseFloat('1e+30')).toBe(1e30)
    expect(parseFloat('1.7976931348623157e+308')).toBe(Number.MAX_VALUE)
  })

  test('json', () => {
    expect(parseJson('{"a":[1,"x",null]}')).toEqual({ a: [1, 'x', null] })
    expect(parseJson('"s"')).toBe('s')
    expect(parseJson('12345678901234567890')).toBe(12345678901234567000)
  })

  test('bytea hex', () => {
    expect(parseBytea('\\x')).toEqual(new Uint8Array(0))
    expect(parseBytea('\\x00ff10AB')).toEqual(new Uint8Array([0, 255, 16, 171]))
    expect(() => parseBytea('\\x0g')).toThrow(SyntaxError)
  })

  test('bytea escape format', () => {
    expect(parseBytea('')).toEqual(new Uint8Array(0))
    expect(parseBytea('ab\\\\c\\000\\377')).toEqual(new Uint8Array([97, 98, 92, 99, 0, 255]))
    expect(() => parseBytea('\\9')).toThrow(SyntaxError)
  })
})

describe('timestamps (process TZ applies to timestamp without time zone)', () => {
  test('timestamptz with offsets, fractions, BC', () => {
    const iso = (s: string) => (parseTimestamptz(s) as Date).toISOString()
    expect(iso('2024-02-29 13:45:06.123456+05:30')).toBe('2024-02-29T08:15:06.123Z')
    expect(iso('2024-02-29 13:45:06+00')).toBe('2024-02-29T13:45:06.000Z')
    expect(iso('2024-02-29 13:45:06.5-03:30')).toBe('2024-02-29T17:15:06.500Z')
    expect(iso('1800-01-01 00:19:32+00:19:32')).toBe('1800-01-01T00:00:00.000Z')
    expect(iso('0044-03-15 12:23:28+05:53:28 BC')).toBe('-000043-03-15T06:30:00.000Z')
    expect(iso('0010-01-01 00:00:00+00')).toBe('0010-01-01T00:00:00.000Z')
    expect(iso('12345-01-01 00:00:00+00')).toBe('+012345-01-01T00:00:00.000Z')
    // Microseconds are truncated, never rounded up into the next millisecond.
    expect(iso('1999-12-31 23:59:59.999999+00')).toBe('1999-12-31T23:59:59.999Z')
  })

  test('timestamp is local wall-clock time', () => {
    const d = parseTimestamp('2024-02-29 13:45:06.789') as Date
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()]).toEqual([2024, 1, 29, 13, 45, 6, 789])
    const old = parseTimestamp('0099-06-30 23:00:00.5') as Date
    expect([old.getFullYear(), old.getMonth(), old.getDate(), old.getHours(), old.getMilliseconds()]).toEqual([99, 5, 30, 23, 500])
    const bc = parseTimestamp('0044-03-15 12:00:00 BC') as Date
    expect([bc.getFullYear(), bc.getMonth(), bc.getDate(), bc.getHours()]).toEqual([-43, 2, 15, 12])
  })

  test('infinity stays a string', () => {
    expect(parseTimestamp('infinity')).toBe('infinity')
    expect(parseTimestamptz('-infinity')).toBe('-infinity')
  })
})

describe('arrays', () => {
  const str = (s: string) => s
  test('one dimension, quoting, NULL', () => {
    expect(parseArray('{1,2,3}', Number)).toEqual([1, 2, 3])
    expect(parseArray('{}', Number)).toEqual([])
    expect(parseArray('{"a b","c\\"d",NULL,"","NULL","x\\\\y",null,nULl}', str)).toEqual(['a b', 'c"d', null, '', 'NULL', 'x\\y', null, null])
    expect(parseArray('{"{}","a,b","}"}', str)).toEqual(['{}', 'a,b', '}'])
    expect(parseArray('{é,😀,"ü ü"}', str)).toEqual(['é', '😀', 'ü ü'])
  })

  test('nested', () => {
    expect(parseArray('{{1,2},{3,4}}', Number)).toEqual([[1, 2], [3, 4]])
    expect(parseArray('{{{1},{NULL}},{{3},{4}}}', Number)).toEqual([[[1], [null]], [[3], [4]]])
    expect(parseArray('{{"a\\"",NULL},{"",b}}', str)).toEqual([['a"', null], ['', 'b']])
  })

  test('input-only syntax: spaces, escapes in unquoted elements, bounds prefix', () => {
    expect(parseArray('{ 1 , 2 }', Number)).toEqual([1, 2])
    expect(parseArray('{a\\,b,\\NULL}', str)).toEqual(['a,b', 'NULL'])
    expect(parseArray('[0:1]={7,8}', Number)).toEqual([7, 8])
    expect(parseArray('[1:1][-1:0]={{7,8}}', Number)).toEqual([[7, 8]])
  })

  test('box arrays use ;', () => {
    expect(parseArray('{(3,4),(1,2);(1,1),(0,0)}', str, ';')).toEqual(['(3,4),(1,2)', '(1,1),(0,0)'])
  })

  test('elements go through the element parser', () => {
    expect(parseArray('{9223372036854775807,NULL}', BigInt)).toEqual([9223372036854775807n, null])
    expect(parseArray('{"{\\"a\\": 1}",NULL}', JSON.parse)).toEqual([{ a: 1 }, null])
  })

  test('malformed literals throw', () => {
    expect(() => parseArray('1,2', Number)).toThrow(SyntaxError)
    expect(() => parseArray('{"abc', str)).toThrow(SyntaxError)
    expect(() => parseArray('{{1,2}', Number)).toThrow(SyntaxError)
    expect(() => parseArray('[1:2]{1,2}', Number)).toThrow(SyntaxError)
  })
})

describe('UTF-8 text', () => {
  test('a leading U+FEFF (byte order mark) is data, kept in values and in names', async () => {
    const { utf8Decode } = await import('./utf8.js')
    const bom = (s: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(s)])
    expect(utf8Decode(bom('a'))).toBe('\uFEFFa')
    expect(utf8Decode(bom('a longer value'))).toBe('\uFEFFa longer value')
    const { BodyCursor } = await import('../protocol/backend/cursor.js')
    const body = new Uint8Array([...bom('col'), 0])
    expect(new BodyCursor(body, 0, body.length, 'RowDescription').cstring('field name')).toBe('\uFEFFcol')
  })
})
