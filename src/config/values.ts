/**
 * Small value parsers shared by the option table: booleans, integers in a
 * range, enums. Each takes the raw value (a string from a connection string or
 * the environment, anything from an options object) and an {@link ValueOrigin}
 * that says which option it was, so every error names the option, shows the
 * bad value (never for secrets) and lists what is accepted.
 */
import { ConfigError } from '../errors.js'

/** Which option a raw value belongs to, for error messages. */
export interface ValueOrigin {
  /** The spelling the user wrote (`load_balance`, `loadBalance`, ...). */
  name: string
  /** Where it came from when not an options object: `PGSSLMODE`, `connection string`. */
  via?: string
  /** Never show the value (passwords). */
  secret?: boolean
}

/** C isspace() in the C locale, as libpq's parsers see white space (not NBSP or a BOM, which String.trim would take). */
const C_SPACE = ' \t\n\v\f\r'
export const isCSpace = (c: string | undefined): boolean => c !== undefined && c.length === 1 && C_SPACE.includes(c)
const C_SPACE_ENDS = new RegExp(`^[${C_SPACE}]+|[${C_SPACE}]+$`, 'g')
/** `text` without C white space at either end. */
export const trimCSpace = (text: string): string => text.replace(C_SPACE_ENDS, '')
/** An integer as strtol reads it whole (libpq's port check): optional C white space around an optional sign and digits. */
export const C_INTEGER = new RegExp(`^[${C_SPACE}]*[+-]?\\d+[${C_SPACE}]*$`)

const MAX_SHOWN = 80

/** A short, safe rendering of a bad value for an error message. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value
    return JSON.stringify(cut)
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}

function suffix(origin: ValueOrigin): string {
  return origin.via ? ` (from ${origin.via})` : ''
}

/**
 * `invalid <option>[ <part>] "<value>"[ (from X)]: expected <accepted>`.
 * `part` names a piece of a list value (`entry`, `method`).
 */
export function invalidValue(origin: ValueOrigin, value: unknown, expected: string, part?: string): ConfigError {
  const shown = origin.secret ? '' : ` ${showValue(value)}`
  const what = part ? `${origin.name} ${part}` : origin.name
  return new ConfigError(`invalid ${what}${shown}${suffix(origin)}: expected ${expected}`, {
    option: origin.name,
  })
}

/** A ConfigError about an option with a free-form explanation. */
export function optionError(origin: ValueOrigin, message: string): ConfigError {
  return new ConfigError(`${message}${suffix(origin)}`, { option: origin.name })
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y'])
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n'])
/** The boolean spellings listed in error messages. */
export const BOOLEAN_WORDS = 'true, false, 1, 0, yes, no, on or off'

/** Parse a boolean, or return undefined when the text is not a boolean word. */
export function booleanWord(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw
  if (raw === 1 || raw === 0) return raw === 1
  if (typeof raw !== 'string') return undefined
  const word = raw.trim().toLowerCase()
  if (TRUE_WORDS.has(word)) return true
  if (FALSE_WORDS.has(word)) return false
  return undefined
}

/** true/false/1/0/yes/no/on/off, case-insensitive; real booleans in objects. */
export function parseBoolean(raw: unknown, origin: ValueOrigin): boolean {
  const value = booleanWord(raw)
  if (value === undefined) throw invalidValue(origin, raw, BOOLEAN_WORDS)
  return value
}

/** Bounds and unit of an integer option. */
export interface IntegerRange {
  min: number
  max?: number
  /** Unit named in the error message: 'seconds', 'milliseconds', 'bytes'. */
  unit?: string
  /** What the error message says is accepted, instead of the range. */
  expected?: string
}

function describeRange(range: IntegerRange): string {
  const unit = range.unit ? ` (${range.unit})` : ''
  if (range.max === undefined) return `a whole number >= ${range.min}${unit}`
  return `a whole number from ${range.min} to ${range.max}${unit}`
}

/** A whole number within `range`; numeric strings accepted. Out of range is an error. */
export function parseInteger(raw: unknown, origin: ValueOrigin, range: IntegerRange): number {
  let value: number | undefined
  if (typeof raw === 'number') value = raw
  else if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) value = Number(raw.trim())
  if (
    value === undefined ||
    !Number.isSafeInteger(value) ||
    value < range.min ||
    (range.max !== undefined && value > range.max)
  ) {
    throw invalidValue(origin, raw, range.expected ?? describeRange(range))
  }
  return value
}

/**
 * libpq keepalives: any whole number, nonzero is on (libpq useKeepalives); pgfleet
 * also takes the boolean words, and real booleans in objects.
 */
export function parseKeepalives(raw: unknown, origin: ValueOrigin): boolean {
  const word = booleanWord(raw)
  if (word !== undefined) return word
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw !== 0
  if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) return Number(raw) !== 0
  throw invalidValue(origin, raw, `a whole number (0 = off) or ${BOOLEAN_WORDS}`)
}

/** One of `allowed`, compared case-insensitively; returns the canonical spelling. */
export function parseEnum<T extends string>(raw: unknown, origin: ValueOrigin, allowed: readonly T[]): T {
  if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase()
    const hit = allowed.find((a) => a === word)
    if (hit !== undefined) return hit
  }
  throw invalidValue(origin, raw, `one of ${allowed.join(', ')}`)
}

/** A string option (user, database, paths...). Objects may not pass numbers etc. */
export function parseString(raw: unknown, origin: ValueOrigin): string {
  if (typeof raw !== 'string') throw invalidValue(origin, raw, 'a string')
  return raw
}
