/**
 * Result columns as Prisma's query interpreter expects them: a column type
 * code per OID and each value in the shape @prisma/adapter-pg gives (that
 * adapter's conversion.ts is the reference, so both adapters return the same
 * rows): int2/int4/oid/float as numbers, int8 and numeric as decimal strings,
 * dates and times as ISO-like strings in UTC, json as its text, bytea as
 * bytes, arrays element by element, user types (enums) as text. A built-in
 * type Prisma has no column type for is an UnsupportedNativeDataType error.
 *
 * Every column is read in text format (the parsers below work on text);
 * this ParserSource plugs into pgfleet's row pipeline per query.
 */
import { Oid } from '../types/oids.js'
import type { ParserSource, ValueParser } from '../types/registry.js'
import { parseArray } from '../types/text/array.js'
import { parseBytea } from '../types/text/scalars.js'
import { utf8Decode } from '../types/utf8.js'
import { ColumnType, type ColumnTypeCode } from './types.js'

/** The first OID initdb leaves to user objects (FirstNormalObjectId): enums, domains, extension types. */
const FIRST_NORMAL_OBJECT_ID = 16384

type TextParser = (text: string) => unknown

const asString: TextParser = (t) => t
const asInteger: TextParser = (t) => Number.parseInt(t, 10)
const asFloat: TextParser = (t) => Number.parseFloat(t)
const asBool: TextParser = (t) => t === 't' || t === 'true'
const array =
  (element: TextParser): TextParser =>
  (t) =>
    parseArray(t, element)

/** `2024-02-29 13:45:06.789` → `2024-02-29T13:45:06.789+00:00` (a timestamp without zone is taken as UTC). */
function timestamp(text: string): string {
  return `${text.replace(' ', 'T')}+00:00`
}

const TIMESTAMPTZ = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/

/**
 * `2024-02-29 19:15:06.789+05:30` → `2024-02-29T13:45:06.789+00:00`: the
 * same instant in UTC whatever the session's TimeZone (adapter-pg only
 * relabels the offset, which is right when the session runs in UTC).
 * Infinity and BC values keep adapter-pg's form.
 */
function timestamptz(text: string): string {
  const m = TIMESTAMPTZ.exec(text)
  if (m === null) return text.replace(' ', 'T').replace(/[+-]\d{2}(:\d{2})?$/, '+00:00')
  const [, y, mo, d, h, mi, s, fraction = '', sign, oh, om = '00', os = '00'] = m
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os))
  if (offset === 0) return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}+00:00`
  const at = new Date(0)
  at.setUTCFullYear(Number(y), Number(mo) - 1, Number(d))
  at.setUTCHours(Number(h), Number(mi), Number(s) - offset, 0)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const date = `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`
  return `${date}T${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}${fraction}+00:00`
}

/** `13:45:06+05:30` → `13:45:06` (adapter-pg drops a timetz offset). */
function timetz(text: string): string {
  return text.replace(/[+-]\d{2}(:\d{2})?$/, '')
}

/** `$12.50` → `12.50` (money's currency symbol, as adapter-pg strips it). */
function money(text: string): string {
  return text.slice(1)
}

/** Column type and text parser per built-in OID. */
const COLUMNS = new Map<number, [ColumnTypeCode, TextParser]>([
  [Oid.int2, [ColumnType.Int32, asInteger]],
  [Oid.int4, [ColumnType.Int32, asInteger]],
  [Oid.int8, [ColumnType.Int64, asString]],
  [Oid.oid, [ColumnType.Int64, asInteger]],
  [Oid.float4, [ColumnType.Float, asFloat]],
  [Oid.float8, [ColumnType.Double, asFloat]],
  [Oid.bool, [ColumnType.Boolean, asBool]],
  [Oid.date, [ColumnType.Date, asString]],
  [Oid.time, [ColumnType.Time, asString]],
  [Oid.timetz, [ColumnType.Time, timetz]],
  [Oid.timestamp, [ColumnType.DateTime, timestamp]],
  [Oid.timestamptz, [ColumnType.DateTime, timestamptz]],
  [Oid.numeric, [ColumnType.Numeric, asString]],
  [Oid.money, [ColumnType.Numeric, money]],
  [Oid.json, [ColumnType.Json, asString]],
  [Oid.jsonb, [ColumnType.Json, asString]],
  [Oid.uuid, [ColumnType.Uuid, asString]],
  [Oid.bpchar, [ColumnType.Text, asString]],
  [Oid.text, [ColumnType.Text, asString]],
  [Oid.varchar, [ColumnType.Text, asString]],
  [Oid.bit, [ColumnType.Text, asString]],
  [Oid.varbit, [ColumnType.Text, asString]],
  [Oid.inet, [ColumnType.Text, asString]],
  [Oid.cidr, [ColumnType.Text, asString]],
  [Oid.xml, [ColumnType.Text, asString]],
  [Oid.name, [ColumnType.Text, asString]],
  [Oid.bytea, [ColumnType.Bytes, parseBytea]],
  [Oid._int2, [ColumnType.Int32Array, array(asInteger)]],
  [Oid._int4, [ColumnType.Int32Array, array(asInteger)]],
  [Oid._int8, [ColumnType.Int64Array, array(asString)]],
  [Oid._oid, [ColumnType.Int64Array, array(asInteger)]],
  [Oid._float4, [ColumnType.FloatArray, array(asFloat)]],
  [Oid._float8, [ColumnType.DoubleArray, array(asFloat)]],
  [Oid._numeric, [ColumnType.NumericArray, array(asString)]],
  [Oid._money, [ColumnType.NumericArray, array(money)]],
  [Oid._bool, [ColumnType.BooleanArray, array(asBool)]],
  [Oid._char, [ColumnType.CharacterArray, array(asString)]],
  [Oid._bpchar, [ColumnType.TextArray, array(asString)]],
  [Oid._text, [ColumnType.TextArray, array(asString)]],
  [Oid._varchar, [ColumnType.TextArray, array(asString)]],
  [Oid._varbit, [ColumnType.TextArray, array(asString)]],
  [Oid._bit, [ColumnType.TextArray, array(asString)]],
  [Oid._inet, [ColumnType.TextArray, array(asString)]],
  [Oid._cidr, [ColumnType.TextArray, array(asString)]],
  [Oid._xml, [ColumnType.TextArray, array(asString)]],
  [Oid._date, [ColumnType.DateArray, array(asString)]],
  [Oid._time, [ColumnType.TimeArray, array(asString)]],
  [Oid._timestamp, [ColumnType.DateTimeArray, array(timestamp)]],
  [Oid._timestamptz, [ColumnType.DateTimeArray, array(timestamptz)]],
  [Oid._json, [ColumnType.JsonArray, array(asString)]],
  [Oid._jsonb, [ColumnType.JsonArray, array(asString)]],
  [Oid._bytea, [ColumnType.BytesArray, array(parseBytea)]],
  [Oid._uuid, [ColumnType.UuidArray, array(asString)]],
])

/** Names of built-in types for the UnsupportedNativeDataType error (pg_type.typname). */
const TYPE_NAMES = new Map<number, string>(Object.entries(Oid).map(([name, oid]) => [oid, name]))

/** A built-in column type Prisma cannot represent. */
export class UnsupportedColumnType extends Error {
  constructor(readonly typeName: string) {
    super(`Unsupported column type ${typeName}`)
  }
}

/** Prisma's column type for an OID; user types (enums, domains) are text. Throws UnsupportedColumnType. */
export function columnTypeOf(oid: number): ColumnTypeCode {
  const known = COLUMNS.get(oid)
  if (known) return known[0]
  if (oid >= FIRST_NORMAL_OBJECT_ID) return ColumnType.Text
  throw new UnsupportedColumnType(TYPE_NAMES.get(oid) ?? 'Unknown')
}

const parsers = new Map<number, ValueParser>()
const textOf: ValueParser = (bytes) => utf8Decode(bytes)

/** Text parsers producing Prisma's values, for pgfleet's row pipeline (every column in text). */
export const prismaParsers: ParserSource = {
  parserFor(oid) {
    let parser = parsers.get(oid)
    if (parser === undefined) {
      const parse = COLUMNS.get(oid)?.[1]
      parser = parse === undefined || parse === asString ? textOf : (bytes) => parse(utf8Decode(bytes))
      parsers.set(oid, parser)
    }
    return parser
  },
  hasBinaryDecoder: () => false,
  version: 0,
}
