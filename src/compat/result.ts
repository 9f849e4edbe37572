/**
 * pg's query config normalization and result shape, over pgfleet results
 * whose rows the pipeline already built with pg's parsers (pgParsers).
 */
import type { Result } from '../connection/result.js'
import type { FieldDescription } from '../protocol/messages.js'
import type { CustomTypesConfig } from './pg-types.js'

/** pg's QueryConfig (the parts pgfleet/pg honours). */
export interface QueryConfig {
  text: string
  values?: readonly unknown[]
  /** 'array' returns rows as arrays. */
  rowMode?: 'array'
  /** pg prepares a named statement; pgfleet caches statements by text, so the name only forces the extended protocol. */
  name?: string
  /** Per-query type parsers. */
  types?: CustomTypesConfig
  /** 'extended' forces the extended protocol even without values. */
  queryMode?: 'extended'
  /** Milliseconds before the query fails with pg's 'Query read timeout' (the server is asked to cancel it). */
  query_timeout?: number
  /** pg: rows per portal execution (not supported by pgfleet/pg; refused in pipeline mode as in pg). */
  rows?: number
}

/** pg's FieldDef. */
export interface FieldDef {
  name: string
  tableID: number
  columnID: number
  dataTypeID: number
  dataTypeSize: number
  dataTypeModifier: number
  format: 'text' | 'binary'
}

/** pg's QueryResult. */
export interface QueryResult<R = any> {
  command: string
  rowCount: number | null
  /** Always 0 for INSERT (tables have no OIDs since PostgreSQL 12), null otherwise. */
  oid: number | null
  rows: R[]
  fields: FieldDef[]
  rowAsArray: boolean
}

/** pg's `prepareValue`: objects with toPostgres() are converted first; the rest is serialized by pgfleet. */
export function prepareValue(value: unknown, seen: unknown[] = []): unknown {
  if (value === null || typeof value !== 'object') return value
  const custom = (value as { toPostgres?: (prepare: (v: unknown) => unknown) => unknown }).toPostgres
  if (typeof custom === 'function') {
    if (seen.includes(value)) throw new Error(`circular reference detected while preparing "${String(value)}" for query`)
    seen.push(value)
    return prepareValue(custom.call(value, (v) => prepareValue(v)), seen)
  }
  if (Array.isArray(value)) return value.map((v) => prepareValue(v, seen))
  return value
}

/** pg's FieldDef from a RowDescription field. */
export function toFieldDef(f: FieldDescription): FieldDef {
  return {
    name: f.name,
    tableID: f.tableOid,
    columnID: f.columnAttr,
    dataTypeID: f.dataTypeOid,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: f.format === 1 ? 'binary' : 'text',
  }
}

/** pg's result shape around a pgfleet result (its rows are already pg's, in `arrayMode` or as objects). */
export function toPgResult(result: Result<unknown>, arrayMode: boolean): QueryResult {
  const fields = result.fields.map(toFieldDef)
  return {
    command: result.command,
    rowCount: result.rowCount,
    oid: result.command === 'INSERT' ? 0 : null,
    rows: result.rows,
    fields,
    rowAsArray: arrayMode,
  }
}
