/**
 * Row-shaped messages: RowDescription, DataRow, ParameterDescription
 * (protocol docs 55.7). DataRow is the hot path: its structure is checked in
 * one pass over the length words and the message keeps the frame's range; the
 * row builder (connection/result.ts) reads every value from there, so a row
 * costs no values array and no view per column.
 */
import type { BackendMessage, FieldDescription } from '../messages.js'
import { BodyCursor, malformed } from './cursor.js'

type Msg<T extends BackendMessage['type']> = Extract<BackendMessage, { type: T }>

/** Smallest RowDescription field: empty name (1) + 4 + 2 + 4 + 2 + 4 + 2. */
const MIN_FIELD_BYTES = 19

/** RowDescription: Int16 count, then per column its name, table OID, attnum, type OID, type size, typmod, format. */
export function decodeRowDescription(body: Uint8Array): Msg<'RowDescription'> {
  return decodeRowDescriptionRange(body, 0, body.length)
}

/** RowDescription over bytes[start, end) (no body view; MessageReader's path). */
export function decodeRowDescriptionRange(bytes: Uint8Array, start: number, end: number): Msg<'RowDescription'> {
  const c = new BodyCursor(bytes, start, end, 'RowDescription')
  const count = c.uint16('field count')
  c.checkCount(count, MIN_FIELD_BYTES, 'field')
  const fields: FieldDescription[] = new Array(count)
  for (let i = 0; i < count; i++) {
    fields[i] = {
      name: c.cstring('field name'),
      tableOid: c.uint32('table OID'),
      columnAttr: c.int16('column attribute number'),
      dataTypeOid: c.uint32('data type OID'),
      dataTypeSize: c.int16('data type size'),
      dataTypeModifier: c.int32('type modifier'),
      format: c.int16('format code'),
    }
    // Only text (0) and binary (1) exist; anything else would pick no decoder.
    if (fields[i]!.format !== 0 && fields[i]!.format !== 1)
      throw malformed('RowDescription', `field ${i + 1} has format code ${fields[i]!.format}; expected 0 (text) or 1 (binary)`)
  }
  c.done()
  return { type: 'RowDescription', fields }
}

/**
 * Check the DataRow body bytes[start, end): Int16 column count, then per
 * column an Int32 length (-1 = NULL) and that many bytes, and nothing after
 * the last. Returns the column count. Allocates nothing.
 */
export function checkDataRow(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 2) throw malformed('DataRow', `expected column count (2 bytes), found ${end - start}`)
  const count = (bytes[start] << 8) | bytes[start + 1]
  // Each column needs at least its 4-byte length: reject lying counts first.
  if (count * 4 > end - start - 2) {
    throw malformed('DataRow', `column count ${count} needs at least ${count * 4} bytes, found ${end - start - 2}`)
  }
  let p = start + 2
  for (let i = 0; i < count; i++) {
    if (end - p < 4) throw malformed('DataRow', `expected length of column ${i} (4 bytes), found ${end - p}`)
    const length = (bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]
    p += 4
    if (length === -1) continue
    if (length < 0 || length > end - p) throw malformed('DataRow', `column ${i} declares ${length} bytes, ${end - p} remain`)
    p += length
  }
  if (p !== end) throw malformed('DataRow', `expected end of message, found ${end - p} extra bytes`)
  return count
}

/**
 * DataRow over bytes[start, end), checked (see checkDataRow). The message
 * keeps the range; nothing is copied. A new message per call (decodeFrame,
 * tests and tools); MessageReader instead checks with checkDataRow and
 * overwrites one message of its own.
 */
export function decodeDataRowRange(bytes: Uint8Array, start: number, end: number): Msg<'DataRow'> {
  checkDataRow(bytes, start, end)
  return { type: 'DataRow', bytes, start, end }
}

/** DataRow over all of `body`. */
export function decodeDataRow(body: Uint8Array): Msg<'DataRow'> {
  return decodeDataRowRange(body, 0, body.length)
}

/** Whether bytes[start, start + copy.length) equals `copy` (the caller has compared the lengths). */
export function sameBytes(copy: Uint8Array, bytes: Uint8Array, start: number): boolean {
  for (let i = copy.length - 1; i >= 0; i--) if (copy[i] !== bytes[start + i]) return false
  return true
}

/** Column count of a checked DataRow. */
export function dataRowColumnCount(row: Msg<'DataRow'>): number {
  return (row.bytes[row.start] << 8) | row.bytes[row.start + 1]
}

/** A checked DataRow's values as views into its bytes (null for SQL NULL): for tests and tools, not the row path. */
export function dataRowValues(row: Msg<'DataRow'>): (Uint8Array | null)[] {
  const { bytes, end } = row
  const count = dataRowColumnCount(row)
  const values: (Uint8Array | null)[] = new Array(count)
  let p = row.start + 2
  for (let i = 0; i < count && p <= end; i++) {
    const length = (bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]
    p += 4
    values[i] = length === -1 ? null : bytes.subarray(p, (p += length))
  }
  return values
}

/** ParameterDescription: Int16 count, then one Int32 type OID per parameter of a prepared statement. */
export function decodeParameterDescription(body: Uint8Array): Msg<'ParameterDescription'> {
  const c = new BodyCursor(body, 0, body.length, 'ParameterDescription')
  const count = c.uint16('parameter count')
  c.checkCount(count, 4, 'parameter')
  const dataTypeOids: number[] = new Array(count)
  for (let i = 0; i < count; i++) dataTypeOids[i] = c.uint32('parameter type OID')
  c.done()
  return { type: 'ParameterDescription', dataTypeOids }
}
