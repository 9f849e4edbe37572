import { describe, expect, test } from 'vitest'
import { ProtocolError } from '../errors.js'
import { decodeArray } from './binary/array.js'
import { decodeDate, decodeTimestamp, decodeTimestamptz } from './binary/datetime.js'
import { encodeArray, encodeBool, encodeBytea, encodeDate, encodeFloat4, encodeFloat8, encodeInt2, encodeInt4, encodeInt8, encodeMicros, encodeOid, encodeTimestamptz, encodeUuid } from './binary/encoders.js'
import { decodeBool, decodeBytea, decodeFloat4, decodeFloat8, decodeInt2, decodeInt4, decodeInt8, decodeOid, decodeText, decodeUuid, shortestFloat4 } from './binary/scalars.js'
import { Oid } from './oids.js'

describe('scalars round trip through the encoders', () => {
  test('bool', () => {
    expect(decodeBool(encodeBool(true))).toBe(true)
    expect(decodeBool(encodeBool(false))).toBe(false)
  })

  test('integers at their limits', () => {
    for (const v of [0, 1, -1, 32767, -32768]) expect(decodeInt2(encodeInt2(v))).toBe(v)
    for (const v of [0, -1, 2147483647, -2147483648]) expect(decodeInt4(encodeInt4(v))).toBe(v)
    for (const v of [0, 2147483648, 4294967295]) expect(decodeOid(encodeOid(v))).toBe(v)
    for (const v of [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n]) expect(decodeInt8(encodeInt8(v))).toBe(v)
    expect(decodeInt8(encodeInt8(-5))).toBe(-5n)
  })

  test('encoders refuse out-of-range values', () => {
    expect(() => encodeInt2(32768)).toThrow(RangeError)
    expect(() => encodeInt4(1.5)).toThrow(RangeError)
    expect(() => encodeInt8(2n ** 63n)).toThrow(RangeError)
    expect(() => encodeInt8(2 ** 60)).toThrow(RangeError)
    expect(() => encodeOid(-1)).toThrow(RangeError)
    expect(() => encodeUuid('not-a-uuid')).toThrow(RangeError)
    expect(() => encodeTimestamptz(new Date(NaN))).toThrow(RangeError)
  })

  test('float8 keeps every bit, including specials and -0', () => {
    for (const v of [0.1, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 1 / 3]) expect(decodeFloat8(encodeFloat8(v))).toBe(v)
  })

  test('float4 reads as the shortest decimal, like the text the server prints', () => {
    expect(decodeFloat4(encodeFloat4(0.1))).toBe(0.1)
    expect(decodeFloat4(encodeFloat4(3.4028235e38))).toBe(3.4028235e38)
    expect(decodeFloat4(encodeFloat4(1.4e-45))).toBe(1e-45)
    expect(decodeFloat4(encodeFloat4(16777217))).toBe(16777216)
    expect(decodeFloat4(encodeFloat4(-0))).toBe(-0)
    expect(decodeFloat4(encodeFloat4(NaN))).toBeNaN()
    expect(decodeFloat4(encodeFloat4(-Infinity))).toBe(-Infinity)
    // 2^-12 = 0.000244140625 is halfway between two 11-digit decimals: the even one wins.
    expect(shortestFloat4(2 ** -12)).toBe(0.00024414062)
    expect(shortestFloat4(-(2 ** -12))).toBe(-0.00024414062)
  })

  test('bytea is copied out of the (reused) input buffer', () => {
    const wire = new Uint8Array([9, 1, 2, 3, 9])
    const out = decodeBytea(wire.subarray(1, 4))
    wire.fill(0)
    expect(out).toEqual(new Uint8Array([1, 2, 3]))
    expect(decodeBytea(new Uint8Array(0))).toEqual(new Uint8Array(0))
    expect(encodeBytea(out)).toBe(out)
  })

  test('uuid and text', () => {
    const u = '0f8fad5b-d9cb-469f-a165-70867728950e'
    expect(decodeUuid(encodeUuid(u))).toBe(u)
    expect(decodeUuid(encodeUuid('{0F8FAD5B-D9CB-469F-A165-70867728950E}'))).toBe(u)
    expect(decodeText(new TextEncoder().encode('héllo 😀'))).toBe('héllo 😀')
    expect(decodeText(new TextEncoder().encode('x'.repeat(100)))).toBe('x'.repeat(100))
  })

  test('fixed widths are checked', () => {
    expect(() => decodeInt4(new Uint8Array(3))).toThrow(ProtocolError)
    expect(() => decodeInt8(new Uint8Array(9))).toThrow(ProtocolError)
    expect(() => decodeUuid(new Uint8Array(15))).toThrow(ProtocolError)
    expect(() => decodeTimestamptz(new Uint8Array(4))).toThrow(ProtocolError)
  })
})

describe('dates and timestamps', () => {
  test('timestamptz: microseconds since 2000 UTC, truncated to ms toward the past', () => {
    expect((decodeTimestamptz(encodeMicros(0n)) as Date).toISOString()).toBe('2000-01-01T00:00:00.000Z')
    expect((decodeTimestamptz(encodeMicros(-1n)) as Date).toISOString()).toBe('1999-12-31T23:59:59.999Z')
    expect((decodeTimestamptz(encodeMicros(1999n)) as Date).toISOString()).toBe('2000-01-01T00:00:00.001Z')
    const d = new Date('2024-02-29T08:15:06.123Z')
    expect(decodeTimestamptz(encodeTimestamptz(d))).toEqual(d)
    const far = new Date('+012345-06-07T08:09:10.011Z')
    expect(decodeTimestamptz(encodeTimestamptz(far))).toEqual(far)
    const bc = new Date('-000043-03-15T06:30:00.000Z')
    expect(decodeTimestamptz(encodeTimestamptz(bc))).toEqual(bc)
  })

  test('±infinity are the strings text mode gives', () => {
    expect(decodeTimestamptz(encodeTimestamptz('infinity'))).toBe('infinity')
    expect(decodeTimestamptz(encodeTimestamptz('-infinity'))).toBe('-infinity')
    expect(decodeTimestamp(encodeMicros(2n ** 63n - 1n))).toBe('infinity')
    expect(decodeTimestamp(encodeMicros(-(2n ** 63n)))).toBe('-infinity')
    expect(decodeDate(encodeDate(2147483647))).toBe('infinity')
    expect(decodeDate(encodeDate(-2147483648))).toBe('-infinity')
  })

  test('timestamp is a local wall-clock time', () => {
    const d = decodeTimestamp(encodeMicros(BigInt(Date.UTC(2024, 1, 29, 13, 45, 6, 789) - 946684800000) * 1000n + 999n)) as Date
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()]).toEqual([2024, 1, 29, 13, 45, 6, 789])
  })

  test('date: days since 2000-01-01 as the ISO string, BC years', () => {
    expect(decodeDate(encodeDate(0))).toBe('2000-01-01')
    expect(decodeDate(encodeDate(-10957))).toBe('1970-01-01')
    expect(decodeDate(encodeDate(1520))).toBe('2004-02-29')
    expect(decodeDate(encodeDate(-730119))).toBe('0001-01-01')
    expect(decodeDate(encodeDate(-730120))).toBe('0001-12-31 BC')
    expect(decodeDate(encodeDate(2921940))).toBe('10000-01-01')
  })
})

describe('arrays', () => {
  test('one and two dimensions with NULLs', () => {
    const one = encodeArray(Oid.int4, [encodeInt4(1), null, encodeInt4(-3)])
    expect(decodeArray(one, decodeInt4)).toEqual([1, null, -3])
    const two = encodeArray(Oid.int8, [[encodeInt8(1n), encodeInt8(2n)], [encodeInt8(3n), null]])
    expect(decodeArray(two, decodeInt8)).toEqual([[1n, 2n], [3n, null]])
  })

  test('empty array has zero dimensions', () => {
    expect(decodeArray(encodeArray(Oid.text, []), decodeText)).toEqual([])
  })

  test('elements are views; bytea elements are copied', () => {
    const wire = encodeArray(Oid.bytea, [new Uint8Array([1, 2]), new Uint8Array(0)])
    const out = decodeArray(wire, decodeBytea) as Uint8Array[]
    wire.fill(0)
    expect(out).toEqual([new Uint8Array([1, 2]), new Uint8Array(0)])
  })

  test('lower bounds are ignored', () => {
    const wire = encodeArray(Oid.int4, [encodeInt4(7), encodeInt4(8)])
    new DataView(wire.buffer).setInt32(16, 0) // lower bound 0, as '[0:1]={7,8}'
    expect(decodeArray(wire, decodeInt4)).toEqual([7, 8])
  })

  test('malformed arrays are protocol errors, not crashes', () => {
    const wire = encodeArray(Oid.int4, [encodeInt4(1), encodeInt4(2)])
    expect(() => decodeArray(wire.subarray(0, wire.length - 1), decodeInt4)).toThrow(ProtocolError)
    expect(() => decodeArray(wire.subarray(0, 2), decodeInt4)).toThrow(ProtocolError)
    const huge = wire.slice()
    new DataView(huge.buffer).setInt32(12, 0x7fffffff)
    expect(() => decodeArray(huge, decodeInt4)).toThrow(ProtocolError)
    const dims = wire.slice()
    new DataView(dims.buffer).setInt32(0, 7)
    expect(() => decodeArray(dims, decodeInt4)).toThrow(ProtocolError)
    const badLen = wire.slice()
    new DataView(badLen.buffer).setInt32(20, -2)
    expect(() => decodeArray(badLen, decodeInt4)).toThrow(ProtocolError)
  })
})
