/**
 * Binary dates and timestamps (integer datetimes, the only kind since
 * PostgreSQL 10): timestamp/timestamptz are int64 microseconds since
 * 2000-01-01 00:00:00 (UTC for timestamptz, wall clock for timestamp); date is
 * int32 days since 2000-01-01. The extreme values stand for ±infinity
 * (DT_NOBEGIN/DT_NOEND, DATEVAL_NOBEGIN/NOEND). Results match text mode: the
 * same Date (ms, truncated toward the earlier instant), the same 'infinity'
 * strings, the same date strings.
 */
import { type CivilTime, PG_EPOCH_DAYS, PG_EPOCH_MS, civilFromDays, civilFromEpochMs, formatIsoDate, localDate } from '../calendar.js'
import { checkWidth } from './scalars.js'

const scratch: CivilTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, ms: 0 }
const INT32_MAX = 0x7fffffff
const INT32_MIN = -0x80000000

/** Milliseconds since 1970 for an int64 microsecond count since 2000, or ±Infinity for the specials. */
function epochMs(bytes: Uint8Array, p: number): number {
  const hi = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!
  const lo = ((bytes[p + 4]! << 24) | (bytes[p + 5]! << 16) | (bytes[p + 6]! << 8) | bytes[p + 7]!) >>> 0
  if (hi === INT32_MAX && lo === 0xffffffff) return Infinity
  if (hi === INT32_MIN && lo === 0) return -Infinity
  // micros = hi * 2^32 + lo exceeds 2^53 beyond ±285 years from 2000, so divide
  // in parts (2^32 = 4294967 * 1000 + 296) to keep every step exact.
  return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000) + PG_EPOCH_MS
}

function infinityString(ms: number): string {
  return ms > 0 ? 'infinity' : '-infinity'
}

/** timestamptz → Date, or 'infinity' / '-infinity'. */
export function decodeTimestamptz(bytes: Uint8Array, start = 0, end = bytes.length): Date | string {
  checkWidth('timestamptz', start, end, 8)
  const ms = epochMs(bytes, start)
  return Number.isFinite(ms) ? new Date(ms) : infinityString(ms)
}

/** timestamp (without time zone) → Date for that wall-clock time in local time, or 'infinity' / '-infinity'. */
export function decodeTimestamp(bytes: Uint8Array, start = 0, end = bytes.length): Date | string {
  checkWidth('timestamp', start, end, 8)
  const ms = epochMs(bytes, start)
  if (!Number.isFinite(ms)) return infinityString(ms)
  civilFromEpochMs(ms, scratch)
  return localDate(scratch)
}

/** date → 'YYYY-MM-DD' (' BC' suffix before year 1), or 'infinity' / '-infinity'. */
export function decodeDate(bytes: Uint8Array, start = 0, end = bytes.length): string {
  checkWidth('date', start, end, 4)
  const days = (bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!
  if (days === INT32_MAX) return 'infinity'
  if (days === INT32_MIN) return '-infinity'
  civilFromDays(days + PG_EPOCH_DAYS, scratch)
  return formatIsoDate(scratch.year, scratch.month, scratch.day)
}
