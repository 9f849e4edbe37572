/**
 * Query results and the row builder: the one place a DataRow's values become
 * a row, for every API (query, stream, cursor, and pgfleet/pg, which plugs in
 * pg-types' parsers as its ParserSource). Column names are data, never code:
 * rows are plain objects filled by assignment, except the one name that
 * assignment would misread (`__proto__`), which is defined as an own property.
 */
import type { FieldDescription } from '../protocol/messages.js'
import type { ParserSource } from '../types/registry.js'

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

/** Turns DataRow values into rows for one RowDescription. Built once per result. */
export class RowBuilder {
  readonly names: string[]
  private readonly parsers: ((bytes: Uint8Array) => unknown)[]
  private readonly hazards: boolean[]
  private readonly anyHazard: boolean

  constructor(
    readonly fields: FieldDescription[],
    parsers: ParserSource,
    private readonly mode: RowMode,
  ) {
    this.names = fields.map((f) => f.name)
    this.parsers = fields.map((f) => parsers.parserFor(f.dataTypeOid, f.format as 0 | 1))
    this.hazards = this.names.map((n) => n === '__proto__')
    this.anyHazard = this.hazards.includes(true)
  }

  build(values: (Uint8Array | null)[]): unknown {
    const parsers = this.parsers
    const count = values.length
    if (this.mode === 'array') {
      const out = new Array(count)
      for (let i = 0; i < count; i++) {
        const v = values[i]
        out[i] = v === null ? null : parsers[i]!(v!)
      }
      return out
    }
    const names = this.names
    const row: Row = {}
    for (let i = 0; i < count; i++) {
      const v = values[i]
      const value = v === null ? null : parsers[i]!(v!)
      if (this.anyHazard && this.hazards[i])
        Object.defineProperty(row, names[i]!, { value, enumerable: true, writable: true, configurable: true })
      else row[names[i]!] = value
    }
    return row
  }
}

/** Split a CommandComplete tag ("INSERT 0 5", "SELECT 3", "CREATE TABLE") into command and count. */
export function parseCommandTag(tag: string): { command: string; rowCount: number | null } {
  const space = tag.indexOf(' ')
  const command = space === -1 ? tag : tag.slice(0, space)
  const last = tag.lastIndexOf(' ')
  if (last === -1) return { command, rowCount: null }
  const n = Number(tag.slice(last + 1))
  return { command, rowCount: Number.isInteger(n) ? n : null }
}
