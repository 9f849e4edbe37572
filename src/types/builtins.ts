/**
 * The built-in type table every TypeRegistry starts from: for each OID, its
 * text parser (and a byte-level fast path where no string is needed) and, for
 * the types where binary is faster to read, its binary decoder.
 *
 * numeric is the string the server prints (every digit kept), read in binary
 * where that string is cheaper to build from base-10000 digits than to decode
 * (binary/numeric.ts), in text under Bun (NUMERIC_IN_TEXT). Types not listed
 * (money, time, timetz, interval, inet, cidr, macaddr, bit, point, ranges,
 * ...) and unknown OIDs come back as the string the server printed: they have
 * no lossless JS equivalent.
 */
import { decodeBool, decodeBytea, decodeFloat4, decodeFloat8, decodeInt2, decodeInt4, decodeInt8, decodeOid, decodeText, decodeUuid } from './binary/scalars.js'
import { decodeNumeric } from './binary/numeric.js'
import { decodeDate, decodeTimestamp, decodeTimestamptz } from './binary/datetime.js'
import { Oid } from './oids.js'
import { parseBool, parseBoolBytes, parseBytea, parseByteaBytes, parseFloat, parseInt8, parseInteger, parseIntegerBytes, parseJson, parseString } from './text/scalars.js'
import { parseTimestamp, parseTimestamptz } from './text/datetime.js'
import { parseJsonBytes } from './text/json.js'
import { asciiDecodeRange } from './utf8.js'

/**
 * Reads one value from bytes[start, end) of the frame it arrived in: no view
 * per value. The bytes are the socket chunk (or the reader's buffer for a
 * message split across chunks), which the reader never overwrites; still,
 * copy what you keep, or the value holds the whole chunk in memory.
 */
export type RangeParser = (bytes: Uint8Array, start: number, end: number) => unknown

/** How one type is read. */
export interface TypeCodec {
  /** Text format, from the decoded string. */
  parse: (text: string) => unknown
  /** Text format straight from the bytes, when that avoids making a string. */
  parseBytes?: RangeParser
  /** Binary format. */
  parseBinary?: RangeParser
  /** Ask the server for text although parseBinary could decode binary (numeric on Bun, below); decode() still takes both. */
  preferText?: boolean
}

/**
 * numeric in text under Bun. JavaScriptCore makes every `+=` of the binary
 * decoder a rope (V8 copies strings this short flat), so each value costs
 * two rope cells and a number string, kept until the string is first read
 * (and flattened then); the text is ASCII, which a Buffer's native
 * latin1Slice turns into one flat string. Paired, end to end
 * (bench/paired-rows.mjs, 50k-row fetches, Bun 1.4.5): text 1.02-1.08x wall
 * and 1.18-1.30x client CPU of binary (objects / arrays, two runs); decoding
 * alone (50k values kept): 45M vs 20M values/s, 30M vs 9M when each string is
 * read once. On Node text is slower (0.91x / 0.93x wall), so V8 keeps binary.
 */
const NUMERIC_IN_TEXT = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'

/** Built-in codecs by OID. */
export const BUILTIN_CODECS: ReadonlyMap<number, TypeCodec> = new Map<number, TypeCodec>([
  [Oid.bool, { parse: parseBool, parseBytes: parseBoolBytes, parseBinary: decodeBool }],
  [Oid.int2, { parse: parseInteger, parseBytes: parseIntegerBytes, parseBinary: decodeInt2 }],
  [Oid.int4, { parse: parseInteger, parseBytes: parseIntegerBytes, parseBinary: decodeInt4 }],
  [Oid.oid, { parse: parseInteger, parseBytes: parseIntegerBytes, parseBinary: decodeOid }],
  [Oid.int8, { parse: parseInt8, parseBinary: decodeInt8 }],
  [Oid.float4, { parse: parseFloat, parseBinary: decodeFloat4 }],
  [Oid.float8, { parse: parseFloat, parseBinary: decodeFloat8 }],
  [Oid.numeric, NUMERIC_IN_TEXT
    ? { parse: parseString, parseBytes: asciiDecodeRange, parseBinary: decodeNumeric, preferText: true }
    : { parse: parseString, parseBinary: decodeNumeric }],
  [Oid.bytea, { parse: parseBytea, parseBytes: parseByteaBytes, parseBinary: decodeBytea }],
  [Oid.text, { parse: parseString, parseBinary: decodeText }],
  [Oid.varchar, { parse: parseString, parseBinary: decodeText }],
  [Oid.bpchar, { parse: parseString, parseBinary: decodeText }],
  [Oid.name, { parse: parseString, parseBinary: decodeText }],
  [Oid.uuid, { parse: parseString, parseBinary: decodeUuid }],
  [Oid.date, { parse: parseString, parseBinary: decodeDate }],
  [Oid.timestamp, { parse: parseTimestamp, parseBinary: decodeTimestamp }],
  [Oid.timestamptz, { parse: parseTimestamptz, parseBinary: decodeTimestamptz }],
  [Oid.json, { parse: parseJson, parseBytes: parseJsonBytes }],
  [Oid.jsonb, { parse: parseJson, parseBytes: parseJsonBytes }],
])
