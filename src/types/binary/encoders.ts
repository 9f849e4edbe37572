/**
 * Binary encoders for parameters, the inverse of the decoders (the server's
 * *recv functions read these). Values out of a type's range throw RangeError
 * rather than wrapping.
 */
import { PG_EPOCH_MS } from '../calendar.js'

function int32Bytes(v: number): Uint8Array {
  return new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff])
}

function checkInteger(type: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${type} out of range: ${v}`)
}

export function encodeBool(v: boolean): Uint8Array {
  return new Uint8Array([v ? 1 : 0])
}

export function encodeInt2(v: number): Uint8Array {
  checkInteger('int2', v, -0x8000, 0x7fff)
  return new Uint8Array([(v >> 8) & 0xff, v & 0xff])
}

export function encodeInt4(v: number): Uint8Array {
  checkInteger('int4', v, -0x80000000, 0x7fffffff)
  return int32Bytes(v)
}

/** oid: unsigned 32-bit. */
export function encodeOid(v: number): Uint8Array {
  checkInteger('oid', v, 0, 0xffffffff)
  return int32Bytes(v)
}

const INT8_MIN = -(2n ** 63n)
const INT8_MAX = 2n ** 63n - 1n

export function encodeInt8(v: bigint | number): Uint8Array {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`int8 from a number must be a safe integer: ${v}`)
    v = BigInt(v)
  }
  if (v < INT8_MIN || v > INT8_MAX) throw new RangeError(`int8 out of range: ${v}`)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigInt64(0, v)
  return out
}

export function encodeFloat4(v: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setFloat32(0, v)
  return out
}

export function encodeFloat8(v: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setFloat64(0, v)
  return out
}

/** bytea is its bytes. */
export function encodeBytea(v: Uint8Array): Uint8Array {
  return v
}

/** uuid from its text form (hyphens and braces optional, either case, as uuid_in accepts). */
export function encodeUuid(v: string): Uint8Array {
  const hex = v.replace(/[{}-]/g, '')
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`invalid uuid: ${JSON.stringify(v)}`)
  const out = new Uint8Array(16)
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** int64 microseconds since 2000-01-01 (timestamp and timestamptz wire value). */
export function encodeMicros(micros: bigint): Uint8Array {
  return encodeInt8(micros)
}

/** timestamptz from a Date (ms precision) or the specials 'infinity' / '-infinity'. */
export function encodeTimestamptz(v: Date | 'infinity' | '-infinity'): Uint8Array {
  if (v === 'infinity') return encodeMicros(INT8_MAX)
  if (v === '-infinity') return encodeMicros(INT8_MIN)
  const ms = v.getTime()
  if (Number.isNaN(ms)) throw new RangeError('invalid Date')
  return encodeMicros(BigInt(ms - PG_EPOCH_MS) * 1000n)
}

/** date from days since 2000-01-01. */
export function encodeDate(days: number): Uint8Array {
  checkInteger('date', days, -0x80000000, 0x7fffffff)
  return int32Bytes(days)
}

/** A nested array of already-encoded elements (null = NULL), all of `elementOid`, lower bounds 1. */
export function encodeArray(elementOid: number, values: readonly unknown[]): Uint8Array {
  const dims: number[] = []
  for (let level: unknown = values; Array.isArray(level); level = level[0]) {
    dims.push(level.length)
    if (level.length === 0) break
  }
  const empty = dims.includes(0)
  const ndim = empty ? 0 : dims.length
  const elements: (Uint8Array | null)[] = []
  const walk = (v: unknown, d: number): void => {
    if (d === ndim) {
      if (v !== null && !(v instanceof Uint8Array)) throw new TypeError('encodeArray elements must be Uint8Array or null')
      elements.push(v)
      return
    }
    if (!Array.isArray(v) || v.length !== dims[d]) throw new RangeError('multidimensional arrays must have matching dimensions')
    for (const x of v) walk(x, d + 1)
  }
  if (!empty) walk(values, 0)
  let size = 12 + ndim * 8
  for (const e of elements) size += 4 + (e === null ? 0 : e.length)
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  view.setInt32(0, ndim)
  view.setInt32(4, elements.includes(null) ? 1 : 0)
  view.setUint32(8, elementOid)
  let pos = 12
  for (let d = 0; d < ndim; d++) {
    view.setInt32(pos, dims[d]!)
    view.setInt32(pos + 4, 1)
    pos += 8
  }
  for (const e of elements) {
    view.setInt32(pos, e === null ? -1 : e.length)
    pos += 4
    if (e !== null) {
      out.set(e, pos)
      pos += e.length
    }
  }
  return out
}
