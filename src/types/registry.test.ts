import { describe, expect, test } from 'vitest'
import { encodeArray, encodeInt4, encodeInt8 } from './binary/encoders.js'
import { Oid } from './oids.js'
import { TypeRegistry } from './registry.js'

const utf8 = (s: string) => new TextEncoder().encode(s)

describe('built-in types', () => {
  const types = new TypeRegistry()

  test('text format for every built-in kind', () => {
    expect(types.decode(Oid.bool, 0, utf8('t'))).toBe(true)
    expect(types.decode(Oid.int4, 0, utf8('-42'))).toBe(-42)
    expect(types.decode(Oid.int8, 0, utf8('9223372036854775807'))).toBe(9223372036854775807n)
    expect(types.decode(Oid.float8, 0, utf8('-Infinity'))).toBe(-Infinity)
    expect(types.decode(Oid.numeric, 0, utf8('123456789012345678901234567890.000000000001'))).toBe('123456789012345678901234567890.000000000001')
    expect(types.decode(Oid.numeric, 0, utf8('NaN'))).toBe('NaN')
    expect(types.decode(Oid.bytea, 0, utf8('\\x0102'))).toEqual(new Uint8Array([1, 2]))
    expect(types.decode(Oid.json, 0, utf8('{"a":1}'))).toEqual({ a: 1 })
    expect(types.decode(Oid.jsonb, 0, utf8('[1, 2]'))).toEqual([1, 2])
    expect(types.decode(Oid.date, 0, utf8('2024-02-29'))).toBe('2024-02-29')
    expect(types.decode(Oid.time, 0, utf8('13:45:06.5'))).toBe('13:45:06.5')
    expect(types.decode(Oid.timetz, 0, utf8('13:45:06+05:30'))).toBe('13:45:06+05:30')
    expect(types.decode(Oid.interval, 0, utf8('1 year 2 mons 00:00:01'))).toBe('1 year 2 mons 00:00:01')
    expect(types.decode(Oid.uuid, 0, utf8('0f8fad5b-d9cb-469f-a165-70867728950e'))).toBe('0f8fad5b-d9cb-469f-a165-70867728950e')
    expect((types.decode(Oid.timestamptz, 0, utf8('2024-02-29 13:45:06+05:30')) as Date).toISOString()).toBe('2024-02-29T08:15:06.000Z')
    expect(types.decode(Oid.text, 0, utf8('héllo wörld, a longer string than thirty-two bytes'))).toBe('héllo wörld, a longer string than thirty-two bytes')
    expect(types.decode(Oid.point, 0, utf8('(1,2)'))).toBe('(1,2)')
  })

  test('arrays of built-ins parse their elements', () => {
    expect(types.decode(Oid._int4, 0, utf8('{{1,2},{3,NULL}}'))).toEqual([[1, 2], [3, null]])
    expect(types.decode(Oid._int8, 0, utf8('{1,-9223372036854775808}'))).toEqual([1n, -9223372036854775808n])
    expect(types.decode(Oid._bool, 0, utf8('{t,f,NULL}'))).toEqual([true, false, null])
    expect(types.decode(Oid._float8, 0, utf8('{NaN,Infinity,1.5}'))).toEqual([NaN, Infinity, 1.5])
    expect(types.decode(Oid._numeric, 0, utf8('{1.10,NaN}'))).toEqual(['1.10', 'NaN'])
    expect(types.decode(Oid._jsonb, 0, utf8('{"{\\"a\\": 1}",NULL}'))).toEqual([{ a: 1 }, null])
    expect(types.decode(Oid._bytea, 0, utf8('{"\\\\x01"}'))).toEqual([new Uint8Array([1])])
    expect(types.decode(Oid._text, 0, utf8('{}'))).toEqual([])
    expect(types.decode(Oid._box, 0, utf8('{(3,4),(1,2);(1,1),(0,0)}'))).toEqual(['(3,4),(1,2)', '(1,1),(0,0)'])
    expect(types.decode(Oid._timestamptz, 0, utf8('{"2024-02-29 13:45:06+00",infinity}'))).toEqual([new Date('2024-02-29T13:45:06Z'), 'infinity'])
  })

  test('unknown OIDs are strings in text and bytes in binary', () => {
    expect(types.decode(999_999, 0, utf8('whatever'))).toBe('whatever')
    expect(types.decodeText(999_999, 'x')).toBe('x')
    expect(types.hasBinaryDecoder(999_999)).toBe(false)
    const raw = new Uint8Array([1, 2])
    const out = types.decode(999_999, 1, raw)
    expect(out).toEqual(raw)
    expect(out).not.toBe(raw)
  })

  test('binary decoders are offered only where they exist', () => {
    for (const oid of [Oid.bool, Oid.int2, Oid.int4, Oid.int8, Oid.oid, Oid.float4, Oid.float8, Oid.numeric, Oid._numeric, Oid.bytea, Oid.uuid, Oid.timestamp, Oid.timestamptz, Oid.date, Oid.text, Oid.varchar, Oid.name, Oid.bpchar, Oid._int4, Oid._text, Oid._timestamptz, Oid._uuid])
      expect(types.hasBinaryDecoder(oid), String(oid)).toBe(true)
    for (const oid of [Oid.json, Oid.jsonb, Oid.interval, Oid.time, Oid._jsonb, Oid.unknown])
      expect(types.hasBinaryDecoder(oid), String(oid)).toBe(false)
    expect(types.decode(Oid._int4, 1, encodeArray(Oid.int4, [encodeInt4(5), null]))).toEqual([5, null])
  })

  test('parserFor is cached per oid and format', () => {
    expect(types.parserFor(Oid.int4, 0)).toBe(types.parserFor(Oid.int4, 0))
    expect(types.parserFor(Oid.int4, 1)).not.toBe(types.parserFor(Oid.int4, 0))
  })

  test('decodeText parses a string', () => {
    expect(types.decodeText(Oid.int8, '7')).toBe(7n)
    expect(types.decodeText(Oid._int2, '{1,2}')).toEqual([1, 2])
  })
})

describe('user types', () => {
  test('version moves with every register, so builders made from old parsers can be dropped', () => {
    const types = new TypeRegistry()
    const before = types.version
    types.register({ oid: 70_100 })
    expect(types.version).toBe(before + 1)
    types.registerByName('thing')
    expect(types.version).toBe(before + 1) // nothing parses differently until resolved
    types.resolveName('thing', 70_101)
    expect(types.version).toBe(before + 2)
  })

  test('register replaces a built-in in both formats, arrays follow', () => {
    const types = new TypeRegistry().register({ oid: Oid.int8, arrayOid: Oid._int8, parse: Number })
    expect(types.decode(Oid.int8, 0, utf8('42'))).toBe(42)
    expect(types.decode(Oid._int8, 0, utf8('{1,NULL}'))).toEqual([1, null])
    // No parseBinary given: binary is no longer requested, so the formats cannot disagree.
    expect(types.hasBinaryDecoder(Oid.int8)).toBe(false)
    expect(types.hasBinaryDecoder(Oid._int8)).toBe(false)
  })

  test('registries are independent (no global table)', () => {
    const a = new TypeRegistry().register({ oid: Oid.int4, parse: (s) => `int:${s}` })
    const b = new TypeRegistry()
    expect(a.decode(Oid.int4, 0, utf8('1'))).toBe('int:1')
    expect(b.decode(Oid.int4, 0, utf8('1'))).toBe(1)
  })

  test('one shared base: fresh registries share the built-in parsers, a registration stays in its registry', () => {
    const a = new TypeRegistry()
    const b = new TypeRegistry()
    // No copy of the built-ins per session: the same parser functions serve both.
    expect(a.parserFor(Oid._int4, 0)).toBe(b.parserFor(Oid._int4, 0))
    a.register({ oid: Oid.int4, parse: (s) => `a:${s}` })
    expect(a.decode(Oid._int4, 0, utf8('{1}'))).toEqual(['a:1'])
    expect(b.decode(Oid._int4, 0, utf8('{1}'))).toEqual([1])
    expect(b.hasBinaryDecoder(Oid.int4)).toBe(true)
    expect(a.hasBinaryDecoder(Oid.int4)).toBe(false)
    // A registry made after a's registration does not see it either, nor does a copy of b.
    expect(new TypeRegistry().decode(Oid.int4, 0, utf8('2'))).toBe(2)
    expect(new TypeRegistry(b).decode(Oid.int4, 0, utf8('2'))).toBe(2)
    expect(new TypeRegistry(a).decode(Oid.int4, 0, utf8('2'))).toBe('a:2')
  })

  test('registering clears cached parsers', () => {
    const types = new TypeRegistry()
    expect(types.parserFor(Oid.int4, 0)(utf8('1'))).toBe(1)
    types.register({ oid: Oid.int4, parse: (s) => -Number(s) })
    expect(types.parserFor(Oid.int4, 0)(utf8('1'))).toBe(-1)
  })

  test('a user type with text and binary parsers, and its array in both formats', () => {
    const types = new TypeRegistry().register({
      oid: 70_000,
      arrayOid: 70_001,
      name: 'cents',
      parse: (s) => Number(s) / 100,
      parseBinary: (b) => (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) / 100),
    })
    expect(types.decode(70_000, 0, utf8('250'))).toBe(2.5)
    expect(types.decode(70_000, 1, encodeInt4(250))).toBe(2.5)
    expect(types.hasBinaryDecoder(70_001)).toBe(true)
    expect(types.decode(70_001, 0, utf8('{250,NULL}'))).toEqual([2.5, null])
    expect(types.decode(70_001, 1, encodeArray(70_000, [encodeInt4(250), null]))).toEqual([2.5, null])
  })

  test('registerByName: the connection resolves names through pg_type', () => {
    const types = new TypeRegistry().registerByName('mood').registerByName('money_cents', { parse: (s) => BigInt(s) })
    expect(types.pendingNames()).toEqual(['mood', 'money_cents'])
    // Before resolution an enum array is the raw literal.
    expect(types.decode(80_001, 0, utf8('{happy,sad}'))).toBe('{happy,sad}')
    types.resolveName('mood', 80_000, 80_001).resolveName('money_cents', 80_010, 80_011)
    expect(types.pendingNames()).toEqual([])
    expect(types.decode(80_000, 0, utf8('happy'))).toBe('happy')
    expect(types.decode(80_001, 0, utf8('{happy,"so so",NULL}'))).toEqual(['happy', 'so so', null])
    expect(types.decode(80_011, 0, utf8('{1,2}'))).toEqual([1n, 2n])
    expect(() => types.resolveName('nope', 1)).toThrow(RangeError)
  })

  test('a copy starts with the registrations of its base and then diverges', () => {
    const base = new TypeRegistry().register({ oid: 90_000, parse: (s) => s.toUpperCase() }).registerByName('later')
    const copy = new TypeRegistry(base)
    expect(copy.decode(90_000, 0, utf8('a'))).toBe('A')
    expect(copy.pendingNames()).toEqual(['later'])
    copy.register({ oid: 90_000, parse: (s) => s + '!' })
    expect(base.decode(90_000, 0, utf8('a'))).toBe('A')
  })

  test('register rejects bad OIDs', () => {
    expect(() => new TypeRegistry().register({ oid: 0 })).toThrow(RangeError)
    expect(() => new TypeRegistry().register({ oid: 1.5 })).toThrow(RangeError)
  })
})

describe('serialize', () => {
  test('defaults, with the parameter number in errors', () => {
    const types = new TypeRegistry()
    expect(types.serialize(5, 1)).toEqual({ value: '5', oid: 0, format: 0 })
    expect(() => types.serialize(() => 0, 3)).toThrow('parameter $3: cannot serialize a function')
  })

  test('registered serializers run first for the values they match', () => {
    class Point {
      constructor(readonly x: number, readonly y: number) {}
    }
    const types = new TypeRegistry()
      .register({ oid: Oid.point, match: (v) => v instanceof Point, serialize: (v) => `(${(v as Point).x},${(v as Point).y})` })
      .register({ oid: Oid.int8, match: (v) => typeof v === 'bigint', serialize: (v) => encodeInt8(v as bigint), parseBinary: (b) => b.length })
    expect(types.serialize(new Point(1, 2), 1)).toEqual({ value: '(1,2)', oid: Oid.point, format: 0 })
    expect(types.serialize(7n, 2)).toEqual({ value: encodeInt8(7n), oid: Oid.int8, format: 1 })
    expect(types.serialize(null, 3)).toEqual({ value: null, oid: 0, format: 0 })
    expect(types.serialize({ x: 1 }, 4)).toEqual({ value: '{"x":1}', oid: 0, format: 0 })
  })
})
