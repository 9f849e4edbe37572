/**
 * Calendar arithmetic shared by the text and binary date/time parsers, so the
 * two formats build their results through the same code and agree exactly.
 *
 * Years are astronomical here (1 BC is year 0, 2 BC is -1); PostgreSQL prints
 * BC years as positive numbers with a ` BC` suffix. Like PostgreSQL, the
 * calendar is proleptic Gregorian.
 */

/** Milliseconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01 (binary dates and timestamps count from it). */
export const PG_EPOCH_MS = 946_684_800_000
/** Days from 1970-01-01 to 2000-01-01. */
export const PG_EPOCH_DAYS = 10_957
const MS_PER_DAY = 86_400_000

/** Fields of a civil date-time; reused scratch so the hot path allocates only its result. */
export interface CivilTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  ms: number
}

/** Set year/month/day of `out` from days since 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number, out: CivilTime): void {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const month = mp < 10 ? mp + 3 : mp - 9
  out.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  out.month = month
  out.day = doy - Math.floor((153 * mp + 2) / 5) + 1
}

/** Set every field of `out` from milliseconds since 1970-01-01 UTC. */
export function civilFromEpochMs(ms: number, out: CivilTime): void {
  const days = Math.floor(ms / MS_PER_DAY)
  let rest = ms - days * MS_PER_DAY
  civilFromDays(days, out)
  out.hour = Math.floor(rest / 3_600_000)
  rest -= out.hour * 3_600_000
  out.minute = Math.floor(rest / 60_000)
  rest -= out.minute * 60_000
  out.second = Math.floor(rest / 1000)
  out.ms = rest - out.second * 1000
}

/**
 * A Date for a wall-clock time in the process's local time zone (how pg and
 * postgres.js read `timestamp without time zone`). Years 0–99 need
 * setFullYear: the Date constructor maps them to 1900–1999.
 */
export function localDate(t: CivilTime): Date {
  const d = new Date(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.ms)
  if (t.year < 100 && t.year >= 0) d.setFullYear(t.year, t.month - 1, t.day)
  return d
}

/** Milliseconds since 1970-01-01 UTC for a UTC wall-clock time (Date.UTC without its 0–99 year quirk). */
export function utcMs(t: CivilTime): number {
  const ms = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.ms)
  if (t.year >= 100 || t.year < 0) return ms
  const d = new Date(ms)
  d.setUTCFullYear(t.year)
  return d.getTime()
}

/** 'YYYY-MM-DD' as PostgreSQL prints a date with DateStyle ISO: at least 4 year digits, ' BC' for year <= 0. */
export function formatIsoDate(year: number, month: number, day: number): string {
  if (year >= 1000 && year <= 9999) {
    // The common case as one flat string from its 10 char codes (a template would build a rope).
    return String.fromCharCode(
      0x30 + Math.floor(year / 1000), 0x30 + (Math.floor(year / 100) % 10), 0x30 + (Math.floor(year / 10) % 10), 0x30 + (year % 10),
      0x2d, 0x30 + Math.floor(month / 10), 0x30 + (month % 10),
      0x2d, 0x30 + Math.floor(day / 10), 0x30 + (day % 10),
    )
  }
  const bc = year <= 0
  const y = bc ? 1 - year : year
  const ys = y < 1000 ? String(y).padStart(4, '0') : String(y)
  return `${ys}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}${bc ? ' BC' : ''}`
}
