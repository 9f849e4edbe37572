/**
 * The value parsers and defaults of the option table (src/config/option-table.ts):
 * enums, units, and the options whose text needs more than a plain parser.
 *
 * Units: `connect_timeout` is in seconds (libpq); `connectTimeout` and
 * `connectionTimeoutMillis` (pg) are in milliseconds; `query_timeout` /
 * `queryTimeout` are in milliseconds (pg).
 */
import { DEFAULT_MAX_MESSAGE_BYTES } from '../protocol/reader.js'
import type {
  ChannelBinding,
  LoadBalanceHosts,
  LoadBalanceMode,
  SslMode,
  SslNegotiation,
  TargetSessionAttrs,
} from './types.js'
import { booleanWord, invalidValue, optionError, parseBoolean, parseEnum, parseInteger, parseString, type ValueOrigin } from './values.js'

export const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
export const SSL_NEGOTIATIONS: readonly SslNegotiation[] = ['postgres', 'direct']
export const CHANNEL_BINDINGS: readonly ChannelBinding[] = ['disable', 'prefer', 'require']
export const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby']
export const LOAD_BALANCE_HOSTS: readonly LoadBalanceHosts[] = ['disable', 'random']
export const LOAD_BALANCE_MODES = ['any', 'only-primary', 'only-rr', 'prefer-primary', 'prefer-rr'] as const

/** Default statement cache size (named prepared statements per connection). */
export const DEFAULT_STATEMENT_CACHE_SIZE = 100
/**
 * Default largest backend message accepted: 256 MiB (a DataRow can be up to
 * 1 GiB in theory; few apps need that). Defined once, by the message reader
 * that enforces it (src/protocol/reader.ts).
 */
export { DEFAULT_MAX_MESSAGE_BYTES }
/** Default cap on SCRAM iterations a server may demand: 1,000,000 (PostgreSQL's default is 4096). */
export const DEFAULT_MAX_SCRAM_ITERATIONS = 1_000_000
/** Default connect timeout: 10 s (libpq waits forever; a silent node must not stall a connect, pgJDBC and Npgsql bound it too). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
/** Default grace after a timed-out or aborted query's CancelRequest before its session is destroyed (Npgsql's "Cancellation Timeout"). */
export const DEFAULT_CANCEL_TIMEOUT_MS = 1_000
/** Default cap on the row bytes one buffered query() result may hold: 256 MiB; stream() and cursor() have no cap. */
export const DEFAULT_MAX_RESULT_BYTES = 256 * 1024 * 1024
/** Default seconds between yb_servers() refreshes (smart drivers). */
export const DEFAULT_YB_SERVERS_REFRESH_INTERVAL = 300
/** Default seconds a host that failed to connect is skipped (smart drivers). */
export const DEFAULT_FAILED_HOST_TTL_SECONDS = 5
/** Largest timeout setTimeout can hold, in milliseconds. */
export const MAX_TIMEOUT_MS = 2_147_483_647

export const str = (raw: unknown, o: ValueOrigin) => parseString(raw, o)
export const int = (min: number, max?: number, unit?: string) => (raw: unknown, o: ValueOrigin) => parseInteger(raw, o, { min, max, unit })
export const oneOf = <T extends string>(allowed: readonly T[]) => (raw: unknown, o: ValueOrigin) => parseEnum(raw, o, allowed)

export function parsePassword(raw: unknown, o: ValueOrigin): string | (() => string | Promise<string>) {
  if (typeof raw === 'string' || typeof raw === 'function') return raw as string | (() => string)
  throw invalidValue(o, raw, 'a string or a function returning one')
}

/** pg-style `ssl`: true → require, false → disable, or an sslmode. */
export function parseSsl(raw: unknown, o: ValueOrigin): SslMode {
  const flag = booleanWord(raw)
  if (flag !== undefined) return flag ? 'require' : 'disable'
  if (typeof raw === 'string' && (SSL_MODES as readonly string[]).includes(raw.trim().toLowerCase())) {
    return raw.trim().toLowerCase() as SslMode
  }
  const hint = typeof raw === 'object' && raw !== null ? ' (give certificates with sslrootcert, sslcert and sslkey)' : ''
  throw invalidValue(o, raw, `true, false or one of ${SSL_MODES.join(', ')}${hint}`)
}

/** load_balance: false | true (= any) | a mode; booleans and their words accepted. */
export function parseLoadBalance(raw: unknown, o: ValueOrigin): LoadBalanceMode {
  const flag = booleanWord(raw)
  if (flag !== undefined) return flag ? 'any' : false
  if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase()
    const hit = LOAD_BALANCE_MODES.find((m) => m === word)
    if (hit !== undefined) return hit
  }
  throw invalidValue(o, raw, `one of false, true, ${LOAD_BALANCE_MODES.join(', ')}`)
}

export function parseStartupParams(raw: unknown, o: ValueOrigin): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidValue(o, raw, 'an object of parameter name → string')
  const out: Record<string, string> = Object.create(null)
  for (const [name, value] of Object.entries(raw)) {
    // These have their own options; sending them twice would be ambiguous.
    if (['user', 'database', 'options', 'application_name', 'replication'].includes(name)) {
      throw optionError(o, `invalid ${o.name}: "${name}" has its own option, set it there`)
    }
    if (typeof value !== 'string') throw invalidValue(o, value, 'a string', `parameter "${name}"`)
    out[name] = value
  }
  return out
}

/** libpq gssencmode: pgfleet has no GSSAPI, so only disable and prefer (= disable) are accepted. */
export function parseGssEncMode(raw: unknown, o: ValueOrigin): string {
  const mode = parseEnum(raw, o, ['disable', 'prefer', 'require'] as const)
  if (mode === 'require') throw optionError(o, `invalid ${o.name} "require": pgfleet does not support GSSAPI encryption`)
  return mode
}

/** client_encoding: the driver speaks UTF-8 only; empty is unset (libpq sends none). */
export function parseClientEncoding(raw: unknown, o: ValueOrigin): string {
  if (raw === '') return ''
  return parseEnum(typeof raw === 'string' ? raw.replace('-', '') : raw, o, ['utf8', 'unicode', 'auto'] as const)
}

/**
 * libpq connect_timeout, in seconds → ms. Zero or negative waits forever
 * (libpq; 0 here), and so does a time past setTimeout's reach (~24.8 days).
 */
export function parseConnectTimeoutSeconds(raw: unknown, o: ValueOrigin): number {
  const seconds = parseInteger(raw, o, { min: Number.MIN_SAFE_INTEGER, expected: 'a whole number of seconds (0 or less: no limit)' })
  return seconds <= 0 || seconds > Math.floor(MAX_TIMEOUT_MS / 1000) ? 0 : seconds * 1000
}

/**
 * libpq's old requiressl (still read by libpq 15): 1 means sslmode=require, 0
 * sslmode=prefer. libpq reads every value not starting with "1" as 0, so
 * `requiressl=true` would quietly mean prefer: pgfleet takes only 1 and 0.
 */
export function parseRequireSsl(raw: unknown, o: ValueOrigin): SslMode {
  const text = typeof raw === 'string' ? raw.trim() : undefined
  const flag = text === '1' ? true : text === '0' ? false : text === undefined ? booleanWord(raw) : undefined
  if (flag === undefined) throw invalidValue(o, raw, '1 (sslmode=require) or 0 (sslmode=prefer); better, give sslmode')
  return flag ? 'require' : 'prefer'
}

/** An option libpq reads without checking and pgfleet ignores (sslsni, sslcompression): any text. */
export const ignoredText = (raw: unknown, o: ValueOrigin): unknown => (typeof raw === 'string' ? raw : parseBoolean(raw, o))

