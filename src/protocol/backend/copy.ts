/** COPY sub-protocol backend messages (protocol docs 55.2.6 and 55.7). */
import type { BackendMessage } from '../messages.js'
import { BodyCursor, malformed } from './cursor.js'

type CopyResponseType = 'CopyInResponse' | 'CopyOutResponse' | 'CopyBothResponse'
type Msg<T extends BackendMessage['type']> = Extract<BackendMessage, { type: T }>

/**
 * CopyInResponse / CopyOutResponse / CopyBothResponse: Int8 overall format
 * (0 text, 1 binary), Int16 column count, one Int16 format per column.
 */
export function decodeCopyResponse<T extends CopyResponseType>(type: T, body: Uint8Array): Msg<T> {
  const c = new BodyCursor(body, 0, body.length, type)
  const format = c.uint8('overall format')
  if (format > 1) throw malformed(type, `expected overall format 0 or 1, found ${format}`)
  const count = c.uint16('column count')
  c.checkCount(count, 2, 'column format')
  const columnFormats: number[] = new Array(count)
  for (let i = 0; i < count; i++) columnFormats[i] = c.int16('column format')
  c.done()
  return { type, format, columnFormats } as Msg<T>
}

/**
 * CopyData: a chunk of COPY TO STDOUT data, copied into a plain Uint8Array:
 * callers keep chunks, and a view would keep its whole socket chunk alive.
 */
export function decodeCopyData(body: Uint8Array): Msg<'CopyData'> {
  return { type: 'CopyData', data: new Uint8Array(body) }
}
