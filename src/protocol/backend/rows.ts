/**
 * Row-shaped messages: RowDescription, DataRow, ParameterDescription
 * (protocol docs 55.7). DataRow is the hot path: it allocates the values array
 * and one subarray view per non-NULL column, nothing else.
 */
import type { BackendMessage, FieldDescription } from '../messages.js'
import { BodyCursor, malformed } from './cursor.js'

type Msg<T extends BackendMessage['type']> = Extract<BackendMessage, { type: T }>

/** Smallest RowDescription field: empty name (1) + 4 + 2 + 4 + 2 + 4 + 2. */
const MIN_FIELD_BYTES = 19

/** RowDescription: Int16 count, then per column its name, table OID, attnum, type OID, type size, typmod, format. */
export function decodeRowDescription(body: Uint8Array): Msg<'RowDescription'> {
  const c = new BodyCursor(body, 0, body.length, 'RowDescription')
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
 * DataRow over bytes[start, end): Int16 column count, then per column an Int32
 * length (-1 = NULL) and that many bytes. Values are views into `bytes` (no
 * copy). Used directly by MessageReader to skip building a body view.
 */
export function decodeDataRowRange(bytes: Uint8Array, start: number, end: number): Msg<'DataRow'> {
  if (end - start < 2) throw malformed('DataRow', `expected column count (2 bytes), found ${end - start}`)
  const count = (bytes[start] << 8) | bytes[start + 1]
  // Each column needs at least its 4-byte length: reject lying counts before allocating.
  if (count * 4 > end - start - 2) {
    throw malformed('DataRow', `column count ${count} needs at least ${count * 4} bytes, found ${end - start - 2}`)
  }
  const values: (Uint8Array | null)[] = new Array(count)
  let p = start + 2
  for (let i = 0; i < count; i++) {
    if (end - p < 4) throw malformed('DataRow', `expected length of column ${i} (4 bytes), found ${end - p}`)
    const length = (bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]
    p += 4
    if (length === -1) {
      values[i] = null
    } else if (length < 0 || length > end - p) {
      throw malformed('DataRow', `column ${i} declares ${length} bytes, ${end - p} remain`)
    } else {
      values[i] = bytes.subarray(p, p + length)
      p += length
    }
  }
  if (p !== end) throw malformed('DataRow', `expected end of message, found ${end - p} extra bytes`)
  return { type: 'DataRow', values }
}

/** DataRow; values are views into `body`. */
export function decodeDataRow(body: Uint8Array): Msg<'DataRow'> {
  return decodeDataRowRange(body, 0, body.length)
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
