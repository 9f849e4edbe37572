/**
 * Parameter serialization: JS values to what Bind sends. Almost everything goes
 * as text with OID 0 ("unknown"), so the server infers the type from the
 * statement (`$1::int`, `col = $1`, `= any($1)`) just as it would for a quoted
 * literal; only bytes go as binary bytea. No value is ever spliced into SQL.
 *
 *   null, undefined → NULL
 *   string          → as is
 *   number          → shortest round-trip digits; 'NaN', 'Infinity', '-Infinity'
 *   bigint          → decimal digits (OID 0, not int8: `$1::int` must work)
 *   boolean         → 't' / 'f'
 *   Date            → ISO 8601 in local time with its offset (as pg), so
 *                     timestamp and timestamptz both read it back as written
 *   Uint8Array, ArrayBuffer → binary, OID 17 (bytea)
 *   array           → array literal `{1,"a b",NULL,{2,3}}`
 *   other objects   → JSON.stringify (toJSON honoured)
 * Functions, symbols, Maps, Sets, other typed arrays and bigints inside JSON are
 * refused with a TypeError naming the parameter (`parameter $3: ...`).
 */
import { Oid } from './oids.js'

/** One serialized parameter, ready for Parse (oid) and Bind (value, format). */
export interface SerializedParam {
  value: Uint8Array | string | null
  oid: number
  format: 0 | 1
}

const NULL_PARAM: SerializedParam = Object.freeze({ value: null, oid: 0, format: 0 }) as SerializedParam

function text(value: string): SerializedParam {
  return { value, oid: 0, format: 0 }
}

/** Serialize one parameter; `index` is 1-based and only used in error messages. */
export function serializeParam(value: unknown, index = 1): SerializedParam {
  switch (typeof value) {
    case 'string':
      return text(value)
    case 'number':
      return text(numberText(value))
    case 'bigint':
      return text(String(value))
    case 'boolean':
      return text(value ? 't' : 'f')
    case 'undefined':
      return NULL_PARAM
    case 'object':
      if (value === null) return NULL_PARAM
      if (value instanceof Uint8Array) return { value, oid: Oid.bytea, format: 1 }
      if (value instanceof ArrayBuffer) return { value: new Uint8Array(value), oid: Oid.bytea, format: 1 }
      if (value instanceof Date) return text(dateText(value, index))
      if (Array.isArray(value)) return text(arrayLiteral(value, index))
      return text(jsonText(value, index))
    default:
      throw cannot(index, `a ${typeof value}`)
  }
}

function cannot(index: number, what: string): TypeError {
  return new TypeError(`parameter $${index}: cannot serialize ${what}`)
}

/** Decimal text of a number; JS's shortest round-trip form keeps every bit of a double. */
export function numberText(n: number): string {
  // String() already gives 'NaN' and 'Infinity', which PostgreSQL reads for float and
  // numeric; it prints -0 as '0', which would lose the sign of a float8 -0.
  return Object.is(n, -0) ? '-0' : String(n)
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/**
 * `2024-02-29T13:45:06.123+05:30` in local time; years before 1 as `0044-...
 * BC` (PostgreSQL's input has no negative years). Throws on an invalid Date.
 */
export function dateText(d: Date, index = 1): string {
  if (Number.isNaN(d.getTime())) throw cannot(index, 'an invalid Date')
  const year = d.getFullYear()
  const bc = year <= 0
  const offsetSeconds = Math.round(-d.getTimezoneOffset() * 60)
  const abs = Math.abs(offsetSeconds)
  let offset = `${offsetSeconds < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600), 2)}:${pad(Math.floor(abs / 60) % 60, 2)}`
  if (abs % 60 !== 0) offset += `:${pad(abs % 60, 2)}`
  return (
    `${pad(bc ? 1 - year : year, 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}` +
    `T${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}` +
    offset +
    (bc ? ' BC' : '')
  )
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16))

/** bytea hex input form `\x0a0b`. */
export function byteaText(bytes: Uint8Array): string {
  let s = '\\x'
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]
  return s
}

function jsonText(value: object, index: number): string {
  if (value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet)
    throw cannot(index, `a ${value.constructor.name} (convert it to an object or array first)`)
  if (ArrayBuffer.isView(value)) throw cannot(index, `a ${value.constructor.name} (only Uint8Array is sent as bytea)`)
  if (value instanceof Promise) throw cannot(index, 'a Promise (await it first)')
  const json = JSON.stringify(value, (_key, v: unknown) => {
    const t = typeof v
    if (t === 'function' || t === 'symbol' || t === 'bigint') throw cannot(index, `a ${t} inside a JSON value`)
    return v
  })
  if (json === undefined) throw cannot(index, 'an object whose toJSON returns undefined')
  return json
}

/** Quote an array element: always quoted, backslash and double quote escaped. */
function quoteElement(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`
}

/** The PostgreSQL array literal for a (nested) JS array. */
export function arrayLiteral(values: readonly unknown[], index = 1): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ','
    out += arrayElement(values[i], index)
  }
  return out + '}'
}

function arrayElement(v: unknown, index: number): string {
  switch (typeof v) {
    case 'string':
      return quoteElement(v)
    case 'number':
      return numberText(v)
    case 'bigint':
      return String(v)
    case 'boolean':
      return v ? 't' : 'f'
    case 'undefined':
      return 'NULL'
    case 'object':
      if (v === null) return 'NULL'
      if (Array.isArray(v)) return arrayLiteral(v, index)
      if (v instanceof Uint8Array) return quoteElement(byteaText(v))
      if (v instanceof ArrayBuffer) return quoteElement(byteaText(new Uint8Array(v)))
      if (v instanceof Date) return quoteElement(dateText(v, index))
      return quoteElement(jsonText(v, index))
    default:
      throw cannot(index, `a ${typeof v} inside an array`)
  }
}
