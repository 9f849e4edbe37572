/**
 * Query results and the row builder: the one place a DataRow's values become
 * a row, for every API (query, stream, cursor, and pgfleet/pg, which plugs in
 * pg-types' parsers as its ParserSource). Column names are data, never code:
 * rows are plain objects filled by assignment, except the one name that
 * assignment would misread (`__proto__`), which is defined as an own property.
 */
import type { FieldDescription } from '../protocol/messages.js'
import type { ParserSource, RangeParser } from '../types/registry.js'
import { nullArray } from '../types/fresh-arrays.js'
import { utf8Decode, utf8DecodeRange } from '../types/utf8.js'

/** A row as an object keyed by column name. Duplicate names: the last column wins (as pg). */
export type Row = Record<string, unknown>

/** Result of one statement. */
export interface Result<R = Row> {
  /** First word of the command tag: SELECT, INSERT, UPDATE, CREATE, ... */
  command: string
  /** Rows affected or returned as reported by the command tag; null when the tag has no count. */
  rowCount: number | null
  rows: R[]
  fields: FieldDescription[]
}

export type RowMode = 'object' | 'array'

/**
 * Turns DataRows into rows for one RowDescription; built once per result (or
 * once per cached statement). Each value is parsed straight from its range of
 * the frame: no values array, no view per column. In object mode every row
 * comes from one constructor made for this builder, so all rows of a result
 * share one hidden class with their fields in the object itself (a plain `{}`
 * keeps only 4 there and spills the rest). Rows are plain objects all the
 * same: their prototype is Object.prototype.
 */
export class RowBuilder {
  readonly names: string[]
  private readonly parsers: RangeParser[]
  private readonly hazards: boolean[]
  private readonly anyHazard: boolean
  /** Made once this builder has built ROWS_BEFORE_CONSTRUCTOR rows (see build). */
  private Row: (new () => Row) | undefined
  private built = 0

  constructor(
    readonly fields: FieldDescription[],
    parsers: ParserSource,
    private readonly mode: RowMode,
  ) {
    this.names = fields.map((f) => f.name)
    this.parsers = fields.map((f) => rangeParser(parsers, f.dataTypeOid, f.format as 0 | 1))
    this.hazards = this.names.map((n) => n === '__proto__')
    this.anyHazard = this.hazards.includes(true)
  }

  /**
   * The row of the checked DataRow whose body starts at bytes[start] (its
   * column count, which the caller has compared with the fields).
   */
  build(bytes: Uint8Array, start: number): unknown {
    // Two functions, not one with a branch: rows of each builder have their own
    // constructor and hidden class, so the object path's call and store sites
    // turn polymorphic (and V8 deoptimizes them) as a process reads results of
    // many shapes. Apart, the array path never pays for that (bench/micro-rows.ts,
    // all types in one process: array rows 3.3M/s before the split, 8.9M/s after).
    return this.mode === 'array' ? this.buildArray(bytes, start) : this.buildObject(bytes, start)
  }

  private buildArray(bytes: Uint8Array, start: number): unknown[] {
    const parsers = this.parsers
    const count = parsers.length
    let p = start + 2
    const out = nullArray(count) // see fresh-arrays.ts
    for (let i = 0; i < count; i++) {
      const length = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!
      p += 4
      // NULL (-1): the template's null stays.
      if (length !== -1) {
        out[i] = parsers[i]!(bytes, p, p + length)
        p += length
      }
    }
    return out
  }

  private buildObject(bytes: Uint8Array, start: number): Row {
    const parsers = this.parsers
    const count = parsers.length
    let p = start + 2
    const names = this.names
    // A constructor (and its hidden class) costs more than a few rows gain from
    // it: small results (select 1, one row per query) stay `{}`.
    let row: Row
    if (this.Row !== undefined) row = new this.Row()
    else if (++this.built < ROWS_BEFORE_CONSTRUCTOR) row = {}
    else row = new (this.Row = rowConstructor())()
    for (let i = 0; i < count; i++) {
      const length = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!
      p += 4
      let value: unknown = null
      if (length !== -1) {
        value = parsers[i]!(bytes, p, p + length)
        p += length
      }
      if (this.anyHazard && this.hazards[i])
        Object.defineProperty(row, names[i]!, { value, enumerable: true, writable: true, configurable: true })
      else row[names[i]!] = value
    }
    return row
  }
}

/** Rows a builder makes as `{}` before it makes its own constructor. */
const ROWS_BEFORE_CONSTRUCTOR = 32

/**
 * A new constructor of plain objects. V8 gives each constructor function its
 * own initial map and sizes its objects for the fields the first rows get
 * (slack tracking), so one per RowDescription keeps every row of it in one
 * shape. Object.prototype as its prototype: a row is an ordinary `{}` to
 * every reader (constructor Object, no extra prototype).
 */
function rowConstructor(): new () => Row {
  const Row = function (this: Row) {} as unknown as new () => Row
  Row.prototype = Object.prototype
  return Row
}

/** The source's range parser, or its view parser fed a view of each value. */
function rangeParser(source: ParserSource, oid: number, format: 0 | 1): RangeParser {
  if (source.rangeParserFor) return source.rangeParserFor(oid, format)
  const parse = source.parserFor(oid, format)
  // The plain-string parser (most of pg's text columns) needs no view either.
  if (parse === utf8Decode) return utf8DecodeRange
  return (bytes, start, end) => parse(bytes.subarray(start, end))
}

/** Split a CommandComplete tag ("INSERT 0 5", "SELECT 3", "CREATE TABLE") into command and count. */
export function parseCommandTag(tag: string): Readonly<{ command: string; rowCount: number | null }> {
  // MessageReader hands out the last CommandComplete again when its bytes repeat: its tag is this same string.
  // Frozen: every caller of a repeated tag gets this one object.
  if (tag === lastTag) return lastParsed
  lastParsed = Object.freeze(splitCommandTag(tag))
  lastTag = tag
  return lastParsed
}

let lastTag = ''
let lastParsed: Readonly<{ command: string; rowCount: number | null }> = Object.freeze({ command: '', rowCount: null })

function splitCommandTag(tag: string): { command: string; rowCount: number | null } {
  const space = tag.indexOf(' ')
  const command = space === -1 ? tag : tag.slice(0, space)
  const last = tag.lastIndexOf(' ')
  if (last === -1) return { command, rowCount: null }
  const n = Number(tag.slice(last + 1))
  return { command, rowCount: Number.isInteger(n) ? n : null }
}
