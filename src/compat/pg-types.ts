/**
 * pg's `types` (pg-types 2): text parsers by OID with pg's defaults, which
 * ORMs rely on — int8 and numeric as strings, date/timestamp/timestamptz as
 * Date (date and timestamp in local time), json parsed, interval as an object,
 * arrays of those as arrays. `types.setTypeParser` changes every pgfleet/pg
 * client of the process, as in pg. `pgParsers` plugs a set of these parsers
 * (per query, per client, or the global one) into pgfleet's row pipeline in
 * place of the session's registry, so rows are parsed in one pass and per-query
 * and per-client `types` overrides work as in pg.
 */
import type { ParserSource, ValueParser } from '../types/registry.js'
import { parseArray } from '../types/text/array.js'
import { parseBytea } from '../types/text/scalars.js'
import { utf8Decode } from '../types/utf8.js'

/** A text parser as pg calls it: the value as the server printed it. */
export type PgTypeParser = (value: string) => unknown
export type PgTypeFormat = 'text' | 'binary'

/** What a per-client or per-query `types` option provides. */
export interface CustomTypesConfig {
  getTypeParser(oid: number, format?: PgTypeFormat): PgTypeParser | ((value: any) => unknown)
}

const identity: PgTypeParser = (value) => value

const parseInteger: PgTypeParser = (value) => parseInt(value, 10)
const parseFloatValue: PgTypeParser = (value) => parseFloat(value)
const parseBool: PgTypeParser = (value) =>
  value === 'TRUE' || value === 't' || value === 'true' || value === 'y' || value === 'yes' || value === 'on' || value === '1'
const parseJson: PgTypeParser = (value) => JSON.parse(value)

const DATE_TIME = /^(\d{1,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,}))?)?\s*(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?(\s+BC)?$/

/**
 * postgres-date semantics: 'infinity' → Infinity; a value without offset
 * (date, timestamp) in local time; with an offset (timestamptz) exact.
 */
export function parsePgDate(value: string): Date | number | string {
  if (value === 'infinity') return Infinity
  if (value === '-infinity') return -Infinity
  const m = DATE_TIME.exec(value)
  if (!m) return value
  let year = parseInt(m[1]!, 10)
  if (m[13]) year = 1 - year
  const month = parseInt(m[2]!, 10) - 1
  const day = parseInt(m[3]!, 10)
  const hour = m[4] ? parseInt(m[4], 10) : 0
  const minute = m[5] ? parseInt(m[5], 10) : 0
  const second = m[6] ? parseInt(m[6], 10) : 0
  const ms = m[7] ? Math.floor(parseFloat(`0.${m[7]}`) * 1000) : 0
  let date: Date
  if (m[8] || m[9]) {
    const sign = m[9] === '-' ? -1 : 1
    const offsetSeconds = m[8] ? 0 : sign * (parseInt(m[10]!, 10) * 3600 + parseInt(m[11] ?? '0', 10) * 60 + parseInt(m[12] ?? '0', 10))
    const utc = new Date(0)
    utc.setUTCFullYear(year, month, day) // also right for years 0-99, which Date.UTC maps to 19xx
    utc.setUTCHours(hour, minute, second, ms)
    date = new Date(utc.getTime() - offsetSeconds * 1000)
  } else {
    date = new Date(year, month, day, hour, minute, second, ms)
    if (year >= 0 && year < 100) date.setFullYear(year)
  }
  return date
}

/** postgres-interval's shape: only the non-zero parts are set. */
export interface PgInterval {
  years?: number
  months?: number
  days?: number
  hours?: number
  minutes?: number
  seconds?: number
  milliseconds?: number
  toPostgres(): string
}

const INTERVAL_UNIT = /([+-]?\d+)\s+(year|mon|day)s?/g
const INTERVAL_TIME = /([+-])?(\d+):(\d+):(\d+)(?:\.(\d+))?/

/** An interval in the default `postgres` IntervalStyle ("1 year 2 mons 3 days 04:05:06.5"). */
export function parsePgInterval(value: string): PgInterval {
  const out: PgInterval = { toPostgres: () => intervalText(out) }
  Object.defineProperty(out, 'toPostgres', { enumerable: false })
  for (const m of value.matchAll(INTERVAL_UNIT)) {
    const n = parseInt(m[1]!, 10)
    if (n === 0) continue
    if (m[2] === 'year') out.years = n
    else if (m[2] === 'mon') out.months = n
    else out.days = n
  }
  const t = INTERVAL_TIME.exec(value)
  if (t) {
    const sign = t[1] === '-' ? -1 : 1
    const parts = [parseInt(t[2]!, 10), parseInt(t[3]!, 10), parseInt(t[4]!, 10)] as const
    if (parts[0]) out.hours = sign * parts[0]
    if (parts[1]) out.minutes = sign * parts[1]
    if (parts[2]) out.seconds = sign * parts[2]
    if (t[5]) {
      const ms = parseFloat(`0.${t[5]}`) * 1000
      if (ms) out.milliseconds = sign * ms
    }
  }
  return out
}

function intervalText(i: PgInterval): string {
  const parts: string[] = []
  if (i.years) parts.push(`${i.years} years`)
  if (i.months) parts.push(`${i.months} months`)
  if (i.days) parts.push(`${i.days} days`)
  if (i.hours) parts.push(`${i.hours} hours`)
  if (i.minutes) parts.push(`${i.minutes} minutes`)
  if (i.seconds || i.milliseconds) parts.push(`${(i.seconds ?? 0) + (i.milliseconds ?? 0) / 1000} seconds`)
  // postgres-interval's order: smallest unit first.
  return parts.length === 0 ? '0' : parts.reverse().join(' ')
}

const parsePoint: PgTypeParser = (value) => {
  const [x, y] = value.slice(1, -1).split(',')
  return { x: parseFloat(x!), y: parseFloat(y!) }
}

const parseCircle: PgTypeParser = (value) => {
  const m = /^<\(([^,]+),([^)]+)\),([^>]+)>$/.exec(value)
  return m ? { x: parseFloat(m[1]!), y: parseFloat(m[2]!), radius: parseFloat(m[3]!) } : value
}

type BufferFrom = { from(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array }
const NodeBuffer = (globalThis as { Buffer?: BufferFrom }).Buffer
/** bytea as pg gives it: a Buffer where the runtime has one (a view, no copy), else a Uint8Array. */
const parseByteaValue: PgTypeParser = (value) => {
  const bytes = parseBytea(value)
  return NodeBuffer ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes
}

const arrayOf = (element: PgTypeParser): PgTypeParser => (value) => parseArray(value, element)

/** pg-types' default text parsers (textParsers.js); every other OID stays a string. */
const DEFAULT_TEXT_PARSERS: ReadonlyArray<readonly [number, PgTypeParser]> = [
  [20, identity], // int8: a string, lossless (pg)
  [21, parseInteger],
  [23, parseInteger],
  [26, parseInteger],
  [700, parseFloatValue],
  [701, parseFloatValue],
  [16, parseBool],
  [1082, parsePgDate],
  [1114, parsePgDate],
  [1184, parsePgDate],
  [600, parsePoint],
  [651, arrayOf(identity)],
  [718, parseCircle],
  [1000, arrayOf(parseBool)],
  [1001, arrayOf(parseByteaValue)],
  [1005, arrayOf(parseInteger)],
  [1007, arrayOf(parseInteger)],
  [1028, arrayOf(parseInteger)],
  [1016, arrayOf(identity)],
  [1017, arrayOf(parsePoint)],
  [1021, arrayOf(parseFloatValue)],
  [1022, arrayOf(parseFloatValue)],
  [1231, arrayOf(parseFloatValue)], // numeric[]: floats, as pg-types does
  [1014, arrayOf(identity)],
  [1015, arrayOf(identity)],
  [1008, arrayOf(identity)],
  [1009, arrayOf(identity)],
  [1040, arrayOf(identity)],
  [1041, arrayOf(identity)],
  [1115, arrayOf(parsePgDate)],
  [1182, arrayOf(parsePgDate)],
  [1185, arrayOf(parsePgDate)],
  [1186, parsePgInterval],
  [1187, arrayOf(parsePgInterval)],
  [17, parseByteaValue],
  [114, parseJson],
  [3802, parseJson],
  [199, arrayOf(parseJson)],
  [3807, arrayOf(parseJson)],
  [3907, arrayOf(identity)],
  [2951, arrayOf(identity)],
  [791, arrayOf(identity)],
  [1183, arrayOf(identity)],
  [1270, arrayOf(identity)],
]

/** pg's type OID names (`types.builtins`). */
export const builtins = Object.freeze({
  BOOL: 16, BYTEA: 17, CHAR: 18, INT8: 20, INT2: 21, INT4: 23, REGPROC: 24, TEXT: 25, OID: 26, TID: 27, XID: 28, CID: 29,
  JSON: 114, XML: 142, PG_NODE_TREE: 194, SMGR: 210, PATH: 602, POLYGON: 604, CIDR: 650, FLOAT4: 700, FLOAT8: 701,
  ABSTIME: 702, RELTIME: 703, TINTERVAL: 704, CIRCLE: 718, MACADDR8: 774, MONEY: 790, MACADDR: 829, INET: 869,
  ACLITEM: 1033, BPCHAR: 1042, VARCHAR: 1043, DATE: 1082, TIME: 1083, TIMESTAMP: 1114, TIMESTAMPTZ: 1184,
  INTERVAL: 1186, TIMETZ: 1266, BIT: 1560, VARBIT: 1562, NUMERIC: 1700, REFCURSOR: 1790, REGPROCEDURE: 2202,
  REGOPER: 2203, REGOPERATOR: 2204, REGCLASS: 2205, REGTYPE: 2206, UUID: 2950, TXID_SNAPSHOT: 2970,
  PG_LSN: 3220, PG_NDISTINCT: 3361, PG_DEPENDENCIES: 3402, TSVECTOR: 3614, TSQUERY: 3615, GTSVECTOR: 3642,
  REGCONFIG: 3734, REGDICTIONARY: 3769, JSONB: 3802, REGNAMESPACE: 4089, REGROLE: 4096,
})

/** A set of type parsers (pg-types' `TypeOverrides` shape). */
export class PgTypes implements CustomTypesConfig {
  readonly builtins = builtins
  readonly #text = new Map<number, PgTypeParser>(DEFAULT_TEXT_PARSERS)
  readonly #binary = new Map<number, (value: any) => unknown>()

  readonly #base: CustomTypesConfig | undefined

  constructor(base?: CustomTypesConfig) {
    this.#base = base
    if (base) this.#text.clear()
    // pg-types' functions need no `this`: callers destructure them
    // (@prisma/adapter-pg: `const { getTypeParser } = pg.types`).
    this.getTypeParser = this.getTypeParser.bind(this)
    this.setTypeParser = this.setTypeParser.bind(this)
  }

  /** pg: `setTypeParser(oid, fn)` or `setTypeParser(oid, 'text' | 'binary', fn)`. */
  setTypeParser(oid: number, format: PgTypeFormat | PgTypeParser, parser?: PgTypeParser): void {
    if (typeof format === 'function') {
      parser = format
      format = 'text'
    }
    if (typeof parser !== 'function') throw new TypeError('setTypeParser needs a parser function')
    if (format === 'binary') this.#binary.set(oid, parser)
    else this.#text.set(oid, parser)
  }

  /** The parser for `oid`; unknown OIDs give the value unchanged (a string). */
  getTypeParser(oid: number, format: PgTypeFormat = 'text'): PgTypeParser {
    const own = format === 'binary' ? this.#binary.get(oid) : this.#text.get(oid)
    if (own) return own
    if (this.#base) return this.#base.getTypeParser(oid, format) as PgTypeParser
    return identity
  }
}

/** The process-wide parsers of pgfleet/pg (`types` in pg). */
export const types = new PgTypes()

/**
 * `types` as the row pipeline's parsers. Results are asked for in text, as pg
 * does by default; a column's parser is looked up when its RowDescription
 * arrives (pg's `addFields`), and no version is given, so a setTypeParser
 * between two queries applies to the second.
 */
export function pgParsers(types: CustomTypesConfig): ParserSource {
  return {
    hasBinaryDecoder: () => false,
    parserFor(oid: number, format: 0 | 1): ValueParser {
      let parse: (value: any) => unknown
      try {
        parse = types.getTypeParser(oid, format === 1 ? 'binary' : 'text')
      } catch (error) {
        // A user's getTypeParser that throws fails the query at its first value, never the session.
        return () => {
          throw error
        }
      }
      // a copy: a view would hold its whole socket chunk in memory (and a Buffer's slice() is a view)
      if (format === 1) return (bytes) => parse(new Uint8Array(bytes))
      // Most columns (text, varchar, int8, numeric, unknown OIDs) are the string itself.
      if (parse === identity) return utf8Decode
      return (bytes) => parse(utf8Decode(bytes))
    },
  }
}
