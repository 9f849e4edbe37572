/**
 * Binary arrays (array_send in src/backend/utils/adt/arrayfuncs.c):
 *   int32 ndim, int32 flags (1 = has NULLs), uint32 element type OID,
 *   per dimension: int32 length, int32 lower bound,
 *   then every element in row-major order: int32 byte length (-1 = NULL), bytes.
 * Lower bounds are dropped (text mode drops them too); zero dimensions is `[]`.
 */
import { ProtocolError } from '../../errors.js'
import { nullArray } from '../fresh-arrays.js'

/** PostgreSQL's MAXDIM. */
const MAX_DIMENSIONS = 6

/** Decodes one element from bytes[start, end). */
export type ElementDecoder<T> = (bytes: Uint8Array, start: number, end: number) => T

function int32(bytes: Uint8Array, at: number, end: number): number {
  if (at + 4 > end) throw new ProtocolError('binary array is truncated')
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!
}

/** Decode the binary array in bytes[start, end), passing each non-NULL element's range to `decodeElement`. */
export function decodeArray<T>(bytes: Uint8Array, decodeElement: ElementDecoder<T>, start = 0, end = bytes.length): unknown[] {
  const ndim = int32(bytes, start, end)
  if (ndim === 0) return []
  if (ndim < 0 || ndim > MAX_DIMENSIONS) throw new ProtocolError(`binary array has ${ndim} dimensions`)
  const lengths: number[] = new Array(ndim)
  let total = 1
  for (let d = 0; d < ndim; d++) {
    const len = int32(bytes, start + 12 + d * 8, end)
    if (len < 0) throw new ProtocolError(`binary array dimension ${d + 1} has length ${len}`)
    lengths[d] = len
    total *= len
  }
  // Each element takes at least its 4-byte length word: a cheap cap against hostile sizes.
  let pos = start + 12 + ndim * 8
  if (total * 4 > end - pos) throw new ProtocolError('binary array is truncated')
  if (ndim === 1) {
    // The common case, without the per-level closure.
    const out = nullArray(total)
    for (let k = 0; k < total; k++) {
      const len = int32(bytes, pos, end)
      pos += 4
      if (len === -1) out[k] = null
      else {
        if (len < 0 || pos + len > end) throw new ProtocolError('binary array is truncated')
        out[k] = decodeElement(bytes, pos, pos + len)
        pos += len
      }
    }
    return out
  }
  const level = (d: number): unknown[] => {
    const n = lengths[d]!
    const out: unknown[] = new Array(n)
    if (d < ndim - 1) {
      for (let k = 0; k < n; k++) out[k] = level(d + 1)
      return out
    }
    for (let k = 0; k < n; k++) {
      const len = int32(bytes, pos, end)
      pos += 4
      if (len === -1) {
        out[k] = null
      } else {
        if (len < 0 || pos + len > end) throw new ProtocolError('binary array is truncated')
        out[k] = decodeElement(bytes, pos, pos + len)
        pos += len
      }
    }
    return out
  }
  return level(0)
}
