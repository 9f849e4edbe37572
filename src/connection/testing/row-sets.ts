/**
 * Generated row sets for the row builder's property tests (src/connection/result.test.ts
 * on plain Uint8Array chunks, test/unit/rows-buffer.test.ts on Node's Buffers): every
 * built-in type in both formats where the registry reads it, NULLs, empty values,
 * duplicate names, `__proto__`, and the simple decoding the builder must equal.
 */
import fc from 'fast-check'
import type { FieldDescription } from '../../protocol/messages.js'
import { encodeArray, encodeBool, encodeDate, encodeFloat8, encodeInt2, encodeInt4, encodeInt8, encodeMicros, encodeUuid } from '../../types/binary/encoders.js'
import { Oid } from '../../types/oids.js'
import { TypeRegistry, type ParserSource } from '../../types/registry.js'
import { utf8Decode } from '../../types/utf8.js'

export const registry = new TypeRegistry()
export const utf8 = new TextEncoder()

/** A column: its type, format and a generator of its values' bytes. */
export const column: fc.Arbitrary<{ oid: number; format: 0 | 1; value: fc.Arbitrary<Uint8Array> }> = fc.constantFrom(
  { oid: Oid.int4, format: 0 as const, value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => utf8.encode(String(n))) },
  { oid: Oid.int4, format: 1 as const, value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(encodeInt4) },
  { oid: Oid.int2, format: 1 as const, value: fc.integer({ min: -32768, max: 32767 }).map(encodeInt2) },
  { oid: Oid.int8, format: 0 as const, value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => utf8.encode(String(n))) },
  { oid: Oid.int8, format: 1 as const, value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(encodeInt8) },
  { oid: Oid.float8, format: 1 as const, value: fc.double().map(encodeFloat8) },
  { oid: Oid.float8, format: 0 as const, value: fc.double({ noNaN: true }).map((x) => utf8.encode(String(x))) },
  { oid: Oid.bool, format: 0 as const, value: fc.boolean().map((b) => utf8.encode(b ? 't' : 'f')) },
  { oid: Oid.bool, format: 1 as const, value: fc.boolean().map(encodeBool) },
  { oid: Oid.text, format: 0 as const, value: fc.string({ unit: 'binary', maxLength: 80 }).map((s) => utf8.encode(s)) },
  { oid: Oid.text, format: 1 as const, value: fc.uint8Array({ maxLength: 80 }) }, // any bytes: invalid UTF-8 too
  { oid: Oid.numeric, format: 0 as const, value: fc.stringMatching(/^-?\d{1,20}(\.\d{1,10})?$/).map((s) => utf8.encode(s)) },
  { oid: Oid.uuid, format: 1 as const, value: fc.uuid().map(encodeUuid) },
  { oid: Oid.uuid, format: 0 as const, value: fc.uuid().map((u) => utf8.encode(u)) },
  { oid: Oid.date, format: 1 as const, value: fc.integer({ min: -100_000, max: 100_000 }).map(encodeDate) },
  { oid: Oid.timestamptz, format: 1 as const, value: fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }).map(encodeMicros) },
  { oid: Oid.timestamptz, format: 0 as const, value: fc.constantFrom('2024-02-29 13:45:06.123456+05:30', '1999-12-31 23:59:59+00', 'infinity').map((s) => utf8.encode(s)) },
  { oid: Oid.bytea, format: 0 as const, value: fc.uint8Array({ maxLength: 40 }).map((b) => utf8.encode('\\x' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''))) },
  { oid: Oid.bytea, format: 1 as const, value: fc.uint8Array({ maxLength: 100 }) },
  { oid: Oid.jsonb, format: 0 as const, value: fc.jsonValue().map((j) => utf8.encode(JSON.stringify(j))) },
  // Binary int4[] up to past the 64 elements decodeArray copies from templates.
  { oid: Oid._int4, format: 1 as const, value: fc.array(fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }), { maxLength: 70 }).map((a) => encodeArray(Oid.int4, a.map((x) => (x === null ? null : encodeInt4(x))))) },
  { oid: Oid._int4, format: 0 as const, value: fc.array(fc.option(fc.integer(), { nil: null })).map((a) => utf8.encode(`{${a.map((x) => x ?? 'NULL').join(',')}}`)) },
  { oid: 999_999, format: 1 as const, value: fc.uint8Array({ maxLength: 20 }) }, // unknown type: a copy of its bytes
)

export const name = fc.constantFrom('a', 'b', 'id', 'name', '__proto__', 'constructor', 'toString', 'x y', '')

/** Columns, one value (or NULL) per column, where the body sits in its chunk. */
export const rowSet = fc
  .array(fc.tuple(column, name), { minLength: 0, maxLength: 10 })
  .chain((cols) =>
    fc.tuple(
      fc.constant(cols),
      fc.tuple(...cols.map(([c]) => fc.option(c.value, { nil: null, freq: 5 }))),
      fc.nat({ max: 64 }),
      fc.nat({ max: 64 }),
    ),
  )

export function fieldsOf(cols: [{ oid: number; format: 0 | 1 }, string][]): FieldDescription[] {
  return cols.map(([c, n]) => ({ name: n, tableOid: 0, columnAttr: 0, dataTypeOid: c.oid, dataTypeSize: -1, dataTypeModifier: -1, format: c.format }))
}

/** The simple decoding: one copied value per column, each parsed alone. */
export function simpleRow(fields: FieldDescription[], values: (Uint8Array | null)[], source: ParserSource, mode: 'object' | 'array'): unknown {
  const parsed = values.map((v, i) => (v === null ? null : source.parserFor(fields[i]!.dataTypeOid, fields[i]!.format as 0 | 1)(v.slice())))
  if (mode === 'array') return parsed
  const row: Record<string, unknown> = {}
  fields.forEach((f, i) => Object.defineProperty(row, f.name, { value: parsed[i], enumerable: true, writable: true, configurable: true }))
  return row
}

/** The body placed at `before` bytes into a chunk, with `after` bytes of other data behind it. */
export function inChunk(body: Uint8Array, before: number, after: number): Uint8Array {
  const chunk = new Uint8Array(before + body.length + after).fill(0xee)
  chunk.set(body, before)
  return chunk
}

/** A source like pg's facade: view parsers only, the plain-string one among them. */
export const viewOnly: ParserSource = {
  parserFor: (oid, format) => (format === 0 && (oid === Oid.text || oid === Oid.numeric) ? utf8Decode : registry.parserFor(oid, format)),
  hasBinaryDecoder: () => false,
}
