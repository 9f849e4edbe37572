/**
 * Prisma's query arguments as pgfleet parameters, as @prisma/adapter-pg
 * prepares them (its conversion.ts, mapArg): dates become text by their
 * database type, base64 bytes become bytes, lists map element by element;
 * everything else (strings, numbers, booleans, JSON text) goes as it is and is
 * sent as text with OID 0, so the server types it from the statement.
 */
import type { ArgType } from './types.js'

/** One argument, ready for pgfleet's serializer. */
export function toParam(arg: unknown, type: ArgType | undefined): unknown {
  if (arg === null || arg === undefined) return null
  if (Array.isArray(arg) && type?.arity === 'list') return arg.map((value) => toParam(value, type))
  let value = arg
  if (typeof value === 'string' && type?.scalarType === 'datetime') value = new Date(value)
  if (value instanceof Date) {
    switch (type?.dbType) {
      case 'TIME':
      case 'TIMETZ':
        return formatTime(value)
      case 'DATE':
        return formatDate(value)
      default:
        return formatDateTime(value)
    }
  }
  if (typeof value === 'string' && type?.scalarType === 'bytes') return base64Bytes(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  return value
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

function fraction(date: Date): string {
  const ms = date.getUTCMilliseconds()
  return ms ? `.${pad(ms, 3)}` : ''
}

function formatDate(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
}

function formatTime(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction(date)}`
}

/**
 * UTC with an explicit `+00:00`: a timestamptz column reads the right instant
 * whatever the session's TimeZone, and a timestamp column ignores the offset
 * (PostgreSQL docs 8.5.1.3), storing the same UTC wall time as adapter-pg.
 */
function formatDateTime(date: Date): string {
  return `${formatDate(date)} ${formatTime(date)}+00:00`
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
