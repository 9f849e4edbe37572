/**
 * Text-format timestamps, as PostgreSQL prints them with DateStyle ISO
 * (the server default; the connection should not change it):
 *   timestamp    `2024-02-29 13:45:06.123456`        `0044-03-15 12:00:00 BC`
 *   timestamptz  `2024-02-29 13:45:06.123456+05:30`  offsets may carry seconds (`+00:53:28`, LMT)
 * and the specials `infinity` / `-infinity`, which are returned as those strings
 * (as pg does) because no Date can hold them.
 *
 * A Date holds milliseconds: microseconds are truncated toward the earlier instant.
 * `timestamp` (without time zone) is read as local time, like pg and postgres.js.
 * `date` is returned as the server's string (`2024-02-29`): a Date would be a
 * midnight in some time zone and shift the day for half the world.
 */
import { type CivilTime, localDate, utcMs } from '../calendar.js'

const scratch: CivilTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, ms: 0 }

function digits(text: string, from: number, count: number): number {
  let v = 0
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) return NaN
    v = v * 10 + d
  }
  return v
}

/**
 * Read the date and time fields into `scratch`; return the index after them
 * (at the offset, ' BC' or the end), or -1 when the text is not ISO.
 */
function readFields(text: string): number {
  const dash = text.indexOf('-', 4)
  if (dash < 4) return -1
  scratch.year = digits(text, 0, dash)
  scratch.month = digits(text, dash + 1, 2)
  scratch.day = digits(text, dash + 4, 2)
  let i = dash + 6
  scratch.hour = digits(text, i + 1, 2)
  scratch.minute = digits(text, i + 4, 2)
  scratch.second = digits(text, i + 7, 2)
  i += 9
  let ms = 0
  if (text.charCodeAt(i) === 0x2e) {
    // Fraction: keep the first three digits (truncate, as binary's floor does).
    let scale = 100
    i++
    for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) {
      ms += (c - 0x30) * scale
      scale /= 10
    }
    ms = Math.floor(ms)
  }
  scratch.ms = ms
  if (Number.isNaN(scratch.year + scratch.month + scratch.day + scratch.hour + scratch.minute + scratch.second)) return -1
  return i
}

/** Apply a trailing ' BC' (PostgreSQL year 44 BC is astronomical year -43). */
function applyEra(text: string, i: number): void {
  if (text.charCodeAt(i) === 0x20 && text.charCodeAt(i + 1) === 0x42) scratch.year = 1 - scratch.year
}

/** timestamp without time zone → Date in local time, or the string 'infinity' / '-infinity'. */
export function parseTimestamp(text: string): Date | string {
  const i = readFields(text)
  if (i < 0) return special(text)
  applyEra(text, i)
  return localDate(scratch)
}

/** timestamp with time zone → Date, or the string 'infinity' / '-infinity'. */
export function parseTimestamptz(text: string): Date | string {
  let i = readFields(text)
  if (i < 0) return special(text)
  let offset = 0
  const sign = text.charCodeAt(i)
  if (sign === 0x2b || sign === 0x2d) {
    // ±HH[:MM[:SS]]
    offset = digits(text, i + 1, 2) * 3600
    i += 3
    if (text.charCodeAt(i) === 0x3a) {
      offset += digits(text, i + 1, 2) * 60
      i += 3
      if (text.charCodeAt(i) === 0x3a) {
        offset += digits(text, i + 1, 2)
        i += 3
      }
    }
    if (sign === 0x2d) offset = -offset
  }
  applyEra(text, i)
  return new Date(utcMs(scratch) - offset * 1000)
}

function special(text: string): Date | string {
  if (text === 'infinity' || text === '-infinity') return text
  // Not ISO (DateStyle changed by the session): let the JS parser try.
  return new Date(text)
}
