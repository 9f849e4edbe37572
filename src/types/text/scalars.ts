/**
 * Text-format parsers for scalar types: the strings the server's output
 * functions (boolout, int4out, float8out, byteaout, ...) produce.
 */

const CH_MINUS = 0x2d
const CH_0 = 0x30
const CH_t = 0x74

/** bool: the server prints 't' or 'f'. */
export function parseBool(text: string): boolean {
  return text === 't'
}

/** bool straight from bytes[start, end) (no string made). */
export function parseBoolBytes(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  return end > start && bytes[start] === CH_t
}

/** int2, int4, oid, xid, cid: always within ±2^32, so a number is exact. */
export function parseInteger(text: string): number {
  return Number(text)
}

/** int2/int4/oid straight from the ASCII digits in bytes[start, end) (no string made). */
export function parseIntegerBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start
  let negative = false
  if (bytes[i] === CH_MINUS) {
    negative = true
    i++
  }
  let v = 0
  for (; i < end; i++) v = v * 10 + (bytes[i]! - CH_0)
  return negative ? -v : v
}

/**
 * int8 → bigint, always: a number would silently lose precision above 2^53
 * (pg returns a string, postgres.js a string or BigInt by option).
 */
export function parseInt8(text: string): bigint {
  return BigInt(text)
}

/** float4/float8: Number() reads 'NaN', 'Infinity' and '-Infinity' as PostgreSQL prints them. */
export function parseFloat(text: string): number {
  return Number(text)
}

/** Identity, for the types returned as the server printed them (numeric, text, uuid, time, interval, ...). */
export function parseString(text: string): string {
  return text
}

/** json/jsonb. */
export function parseJson(text: string): unknown {
  return JSON.parse(text)
}

/**
 * bytea → Uint8Array. Hex format (`\x0a0b`, the default since 9.0) and the
 * legacy escape format (bytea_output = escape: printable bytes as themselves,
 * `\\` for a backslash, `\ooo` octal for the rest).
 */
export function parseBytea(text: string): Uint8Array {
  if (text.charCodeAt(0) === 0x5c && text.charCodeAt(1) === 0x78) return parseByteaHex(text)
  return parseByteaEscape(text)
}

/** bytea in hex format straight from bytes[start, end) (no string made); the escape format goes through parseBytea. */
export function parseByteaBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  if (end - start < 2 || bytes[start] !== 0x5c || bytes[start + 1] !== 0x78) {
    let text = ''
    for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!)
    return parseByteaEscape(text)
  }
  const n = (end - start - 2) >> 1
  const out = new Uint8Array(n)
  for (let i = 0, j = start + 2; i < n; i++, j += 2) out[i] = (hexValue(bytes[j]!) << 4) | hexValue(bytes[j + 1]!)
  return out
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  throw new SyntaxError(`invalid hexadecimal digit in bytea: ${JSON.stringify(String.fromCharCode(c))}`)
}

function parseByteaHex(text: string): Uint8Array {
  const n = (text.length - 2) >> 1
  const out = new Uint8Array(n)
  for (let i = 0, j = 2; i < n; i++, j += 2) out[i] = (hexValue(text.charCodeAt(j)) << 4) | hexValue(text.charCodeAt(j + 1))
  return out
}

function parseByteaEscape(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x5c) {
      out[n++] = c
    } else if (text.charCodeAt(i + 1) === 0x5c) {
      out[n++] = 0x5c
      i++
    } else {
      const o = text.slice(i + 1, i + 4)
      if (!/^[0-3][0-7]{2}$/.test(o)) throw new SyntaxError(`invalid escape in bytea: ${JSON.stringify(text.slice(i, i + 4))}`)
      out[n++] = parseInt(o, 8)
      i += 3
    }
  }
  return out.slice(0, n)
}
