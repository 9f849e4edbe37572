/**
 * The option table: every accepted spelling of every option → its canonical
 * key, value parser and default. One table serves connection strings, the PG*
 * environment and options objects, so `load_balance=any` in a URL and
 * `{ loadBalance: 'any' }` are the same thing. Spellings: libpq snake_case,
 * psycopg2-yugabytedb (`load_balance`, `topology_keys`, ...), @yugabytedb/pg
 * camelCase (`loadBalance`, `failedHostReconnectDelaySecs`, ...) and ours.
 * Option NAMES are matched exactly; option VALUES are case-insensitive.
 *
 * Units: `connect_timeout` is in seconds (libpq); `connectTimeout` and
 * `connectionTimeoutMillis` (pg) are in milliseconds; `query_timeout` /
 * `queryTimeout` are in milliseconds (pg).
 */
import { ConfigError } from '../errors.js'
import { DEFAULT_MAX_MESSAGE_BYTES } from '../protocol/reader.js'
import { parseHostaddrList, parseHostEntries, parseHostList, parsePortList, type HostEntry } from './hosts.js'
import { parseRequireAuth } from './require-auth.js'
import { parseTopologyKeys } from './topology-keys.js'
import type {
  ChannelBinding,
  LoadBalanceHosts,
  LoadBalanceMode,
  RequireAuth,
  SslMode,
  SslNegotiation,
  TargetSessionAttrs,
  TopologyKey,
} from './types.js'
import { booleanWord, invalidValue, optionError, parseBoolean, parseEnum, parseInteger, parseKeepalives, parseString, type ValueOrigin } from './values.js'

export const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
export const SSL_NEGOTIATIONS: readonly SslNegotiation[] = ['postgres', 'direct']
export const CHANNEL_BINDINGS: readonly ChannelBinding[] = ['disable', 'prefer', 'require']
export const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby']
export const LOAD_BALANCE_HOSTS: readonly LoadBalanceHosts[] = ['disable', 'random']
const LOAD_BALANCE_MODES = ['any', 'only-primary', 'only-rr', 'prefer-primary', 'prefer-rr'] as const

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
/** Largest timeout setTimeout can hold, in milliseconds. */
const MAX_TIMEOUT_MS = 2_147_483_647

/** Option values after parsing, by canonical key (before defaults and cross-checks). */
export interface ParsedOptions {
  host: string[]
  /** libpq hostaddr: numeric addresses to dial, paired with `host`. */
  hostaddr: string[]
  /** Object-only `hosts`; ports in entries win over `port`. */
  hosts: HostEntry[]
  port: (number | undefined)[]
  user: string
  password: string | (() => string | Promise<string>)
  passfile: string
  service: string
  servicefile: string
  database: string
  applicationName: string
  fallbackApplicationName: string
  options: string
  startupParams: Record<string, string>
  sslmode: SslMode
  sslrootcert: string
  sslcert: string
  sslkey: string
  sslpassword: string
  sslnegotiation: SslNegotiation
  channelBinding: ChannelBinding
  requireAuth: RequireAuth | undefined
  connectTimeoutMs: number
  queryTimeoutMs: number
  cancelTimeoutMs: number
  keepalives: boolean
  keepalivesIdleSeconds: number
  maxResultBytes: number
  targetSessionAttrs: TargetSessionAttrs
  loadBalanceHosts: LoadBalanceHosts
  loadBalance: LoadBalanceMode
  topologyKeys: TopologyKey[]
  ybServersRefreshInterval: number
  fallbackToTopologyKeysOnly: boolean
  failedHostTtlSeconds: number
  statementCacheSize: number
  maxMessageBytes: number
  maxScramIterations: number
}

/** A canonical key, or `ignored:<name>` for libpq options accepted without effect. */
export type OptionKey = keyof ParsedOptions | `ignored:${string}`

/** One row of the option table. */
export interface OptionSpec {
  key: OptionKey
  /** Every accepted spelling; the first is the canonical libpq-style one. */
  names: readonly string[]
  parse: (raw: unknown, origin: ValueOrigin) => unknown
  /** Accepted only in options objects (functions, arrays, records). */
  objectOnly?: boolean
  /** Never shown in messages. */
  secret?: boolean
}

const str = (raw: unknown, o: ValueOrigin) => parseString(raw, o)
const int = (min: number, max?: number, unit?: string) => (raw: unknown, o: ValueOrigin) => parseInteger(raw, o, { min, max, unit })
const oneOf = <T extends string>(allowed: readonly T[]) => (raw: unknown, o: ValueOrigin) => parseEnum(raw, o, allowed)

function parsePassword(raw: unknown, o: ValueOrigin): string | (() => string | Promise<string>) {
  if (typeof raw === 'string' || typeof raw === 'function') return raw as string | (() => string)
  throw invalidValue(o, raw, 'a string or a function returning one')
}

/** pg-style `ssl`: true → require, false → disable, or an sslmode. */
function parseSsl(raw: unknown, o: ValueOrigin): SslMode {
  const flag = booleanWord(raw)
  if (flag !== undefined) return flag ? 'require' : 'disable'
  if (typeof raw === 'string' && (SSL_MODES as readonly string[]).includes(raw.trim().toLowerCase())) {
    return raw.trim().toLowerCase() as SslMode
  }
  const hint = typeof raw === 'object' && raw !== null ? ' (give certificates with sslrootcert, sslcert and sslkey)' : ''
  throw invalidValue(o, raw, `true, false or one of ${SSL_MODES.join(', ')}${hint}`)
}

/** load_balance: false | true (= any) | a mode; booleans and their words accepted. */
function parseLoadBalance(raw: unknown, o: ValueOrigin): LoadBalanceMode {
  const flag = booleanWord(raw)
  if (flag !== undefined) return flag ? 'any' : false
  if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase()
    const hit = LOAD_BALANCE_MODES.find((m) => m === word)
    if (hit !== undefined) return hit
  }
  throw invalidValue(o, raw, `one of false, true, ${LOAD_BALANCE_MODES.join(', ')}`)
}

function parseStartupParams(raw: unknown, o: ValueOrigin): Record<string, string> {
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
function parseGssEncMode(raw: unknown, o: ValueOrigin): string {
  const mode = parseEnum(raw, o, ['disable', 'prefer', 'require'] as const)
  if (mode === 'require') throw optionError(o, `invalid ${o.name} "require": pgfleet does not support GSSAPI encryption`)
  return mode
}

/** client_encoding: the driver speaks UTF-8 only; empty is unset (libpq sends none). */
function parseClientEncoding(raw: unknown, o: ValueOrigin): string {
  if (raw === '') return ''
  return parseEnum(typeof raw === 'string' ? raw.replace('-', '') : raw, o, ['utf8', 'unicode', 'auto'] as const)
}

/**
 * libpq connect_timeout, in seconds → ms. Zero or negative waits forever
 * (libpq; 0 here), and so does a time past setTimeout's reach (~24.8 days).
 */
function parseConnectTimeoutSeconds(raw: unknown, o: ValueOrigin): number {
  const seconds = parseInteger(raw, o, { min: Number.MIN_SAFE_INTEGER, expected: 'a whole number of seconds (0 or less: no limit)' })
  return seconds <= 0 || seconds > Math.floor(MAX_TIMEOUT_MS / 1000) ? 0 : seconds * 1000
}

/**
 * libpq's old requiressl (still read by libpq 15): 1 means sslmode=require, 0
 * sslmode=prefer. libpq reads every value not starting with "1" as 0, so
 * `requiressl=true` would quietly mean prefer: pgfleet takes only 1 and 0.
 */
function parseRequireSsl(raw: unknown, o: ValueOrigin): SslMode {
  const text = typeof raw === 'string' ? raw.trim() : undefined
  const flag = text === '1' ? true : text === '0' ? false : text === undefined ? booleanWord(raw) : undefined
  if (flag === undefined) throw invalidValue(o, raw, '1 (sslmode=require) or 0 (sslmode=prefer); better, give sslmode')
  return flag ? 'require' : 'prefer'
}

/** An option libpq reads without checking and pgfleet ignores (sslsni, sslcompression): any text. */
const ignoredText = (raw: unknown, o: ValueOrigin): unknown => (typeof raw === 'string' ? raw : parseBoolean(raw, o))

/** Every option pgfleet accepts. */
export const OPTION_TABLE: readonly OptionSpec[] = [
  { key: 'host', names: ['host'], parse: parseHostList },
  { key: 'hostaddr', names: ['hostaddr', 'hostAddr'], parse: parseHostaddrList },
  { key: 'hosts', names: ['hosts'], parse: parseHostEntries, objectOnly: true },
  { key: 'port', names: ['port'], parse: parsePortList },
  { key: 'user', names: ['user', 'username'], parse: str },
  { key: 'password', names: ['password'], parse: parsePassword, secret: true },
  { key: 'passfile', names: ['passfile'], parse: str },
  { key: 'service', names: ['service'], parse: str },
  { key: 'servicefile', names: ['servicefile'], parse: str },
  { key: 'database', names: ['dbname', 'database'], parse: str },
  { key: 'applicationName', names: ['application_name', 'applicationName'], parse: str },
  { key: 'fallbackApplicationName', names: ['fallback_application_name', 'fallbackApplicationName'], parse: str },
  { key: 'options', names: ['options'], parse: str },
  { key: 'startupParams', names: ['startupParams'], parse: parseStartupParams, objectOnly: true },

  { key: 'sslmode', names: ['sslmode', 'sslMode'], parse: oneOf(SSL_MODES) },
  { key: 'sslmode', names: ['ssl'], parse: parseSsl },
  { key: 'sslmode', names: ['requiressl'], parse: parseRequireSsl },
  { key: 'sslrootcert', names: ['sslrootcert', 'sslRootCert'], parse: str },
  { key: 'sslcert', names: ['sslcert', 'sslCert'], parse: str },
  { key: 'sslkey', names: ['sslkey', 'sslKey'], parse: str },
  { key: 'sslpassword', names: ['sslpassword', 'sslPassword'], parse: str, secret: true },
  { key: 'sslnegotiation', names: ['sslnegotiation', 'sslNegotiation'], parse: oneOf(SSL_NEGOTIATIONS) },
  { key: 'channelBinding', names: ['channel_binding', 'channelBinding'], parse: oneOf(CHANNEL_BINDINGS) },
  { key: 'requireAuth', names: ['require_auth', 'requireAuth'], parse: parseRequireAuth },

  // Seconds in libpq; whole seconds → ms.
  { key: 'connectTimeoutMs', names: ['connect_timeout'], parse: parseConnectTimeoutSeconds },
  { key: 'connectTimeoutMs', names: ['connectTimeout', 'connectionTimeoutMillis'], parse: int(0, MAX_TIMEOUT_MS, 'milliseconds') },
  { key: 'queryTimeoutMs', names: ['query_timeout', 'queryTimeout'], parse: int(0, MAX_TIMEOUT_MS, 'milliseconds') },
  { key: 'cancelTimeoutMs', names: ['cancel_timeout', 'cancelTimeout'], parse: int(0, MAX_TIMEOUT_MS, 'milliseconds') },
  // libpq keepalives: on unless 0 (any whole number); the idle time in seconds (0 = the system's). The probe
  // interval and count cannot be set from JavaScript runtimes, so they are accepted and ignored.
  { key: 'keepalives', names: ['keepalives'], parse: parseKeepalives },
  { key: 'keepalivesIdleSeconds', names: ['keepalives_idle', 'keepalivesIdle'], parse: int(0, Math.floor(MAX_TIMEOUT_MS / 1000), 'seconds') },

  { key: 'targetSessionAttrs', names: ['target_session_attrs', 'targetSessionAttrs'], parse: oneOf(TARGET_SESSION_ATTRS) },
  { key: 'loadBalanceHosts', names: ['load_balance_hosts', 'loadBalanceHosts'], parse: oneOf(LOAD_BALANCE_HOSTS) },

  { key: 'loadBalance', names: ['load_balance', 'loadBalance'], parse: parseLoadBalance },
  { key: 'topologyKeys', names: ['topology_keys', 'topologyKeys'], parse: parseTopologyKeys },
  { key: 'ybServersRefreshInterval', names: ['yb_servers_refresh_interval', 'ybServersRefreshInterval'], parse: int(0, 600, 'seconds') },
  { key: 'fallbackToTopologyKeysOnly', names: ['fallback_to_topology_keys_only', 'fallbackToTopologyKeysOnly'], parse: parseBoolean },
  {
    key: 'failedHostTtlSeconds',
    names: ['failed_host_ttl_seconds', 'failedHostTtlSeconds', 'failedHostReconnectDelaySecs', 'failed_host_reconnect_delay_secs'],
    parse: int(0, 60, 'seconds'),
  },

  { key: 'statementCacheSize', names: ['statement_cache_size', 'statementCacheSize'], parse: int(0, 100_000) },
  { key: 'maxMessageBytes', names: ['max_message_bytes', 'maxMessageBytes'], parse: int(1024, 1024 * 1024 * 1024, 'bytes') },
  { key: 'maxScramIterations', names: ['max_scram_iterations', 'maxScramIterations'], parse: int(4096, 100_000_000) },
  { key: 'maxResultBytes', names: ['max_result_bytes', 'maxResultBytes'], parse: int(0, Number.MAX_SAFE_INTEGER, 'bytes') },

  // libpq options accepted for compatibility; they have no effect in pgfleet.
  { key: 'ignored:gssencmode', names: ['gssencmode'], parse: parseGssEncMode },
  { key: 'ignored:client_encoding', names: ['client_encoding'], parse: parseClientEncoding },
  { key: 'ignored:keepalives_interval', names: ['keepalives_interval'], parse: int(0) },
  { key: 'ignored:keepalives_count', names: ['keepalives_count'], parse: int(0) },
  { key: 'ignored:tcp_user_timeout', names: ['tcp_user_timeout'], parse: (r, o) => parseInteger(r, o, { min: Number.MIN_SAFE_INTEGER, expected: 'a whole number' }) },
  { key: 'ignored:sslcompression', names: ['sslcompression'], parse: ignoredText },
  { key: 'ignored:sslsni', names: ['sslsni'], parse: ignoredText },
]

/** libpq keywords pgfleet knows but does not implement: a clear error beats "unknown". */
const UNSUPPORTED = [
  'sslcrl', 'sslcrldir', 'sslcertmode', 'requirepeer', 'krbsrvname',
  'gsslib', 'gssdelegation', 'replication', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'sslkeylogfile',
]

const BY_NAME = new Map<string, OptionSpec>(OPTION_TABLE.flatMap((spec) => spec.names.map((n) => [n, spec] as const)))

/** True when `name` is an accepted option spelling (objects: `inObject`). */
export function isKnownOption(name: string, inObject = true): boolean {
  const spec = BY_NAME.get(name)
  return spec !== undefined && (inObject || !spec.objectOnly)
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}

const squash = (s: string) => s.toLowerCase().replace(/[_-]/g, '')

/** Up to three accepted spellings close to `name`. */
export function closeMatches(name: string, inObject: boolean): string[] {
  const wanted = squash(name)
  const names = [...BY_NAME.keys()].filter((n) => isKnownOption(n, inObject))
  return names
    .map((n) => ({ n, d: squash(n) === wanted ? 0 : distance(wanted, squash(n)) }))
    .filter(({ n, d }) => d <= Math.max(1, Math.min(3, Math.floor(n.length / 4))))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ n }) => n)
}

/**
 * The table row for an option spelling. Unknown names fail like libpq's
 * `invalid connection option`, listing close matches; the value is never shown.
 */
export function findOption(name: string, inObject: boolean, via?: string): OptionSpec {
  const spec = BY_NAME.get(name)
  if (spec !== undefined && (inObject || !spec.objectOnly)) return spec
  const from = via ? ` (from ${via})` : ''
  if (UNSUPPORTED.includes(name)) {
    throw new ConfigError(`option "${name}"${from} is not supported by pgfleet`, { option: name })
  }
  if (spec !== undefined) {
    throw new ConfigError(`option "${name}"${from} is accepted only in an options object`, { option: name })
  }
  const near = closeMatches(name, inObject)
  const hint = near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : ''
  const guc = ' (set server parameters with options="-c name=value" or startupParams)'
  throw new ConfigError(`unknown option "${name}"${from}${hint}${near.length === 0 ? guc : ''}`, { option: name })
}
