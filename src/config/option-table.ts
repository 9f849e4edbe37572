/**
 * The option table: the one place an option is written. Each row gives the
 * option's canonical key, every accepted spelling (libpq snake_case,
 * psycopg2-yugabytedb and @yugabytedb/pg spellings, camelCase, pg's), its
 * PG* environment variable and its parser. Connection strings, the
 * environment and options objects all read through it; the parsed-value
 * types, the environment list and the keys other layers take out of an
 * options object all follow from it. Each row's default as shown to users and
 * its one-line doc live in option-docs.ts, keyed by the row's first name (a
 * row without a doc, or a doc without a row, does not compile), so that the
 * runtime bundle carries none of that prose; the README's option tables are
 * rendered from both (checked by a test).
 *
 * Option NAMES are matched exactly; option VALUES are case-insensitive.
 */
import { parseHostaddrList, parseHostEntries, parseHostList, parsePortList } from './hosts.js'
import {
  CHANNEL_BINDINGS,
  ignoredText,
  int,
  LOAD_BALANCE_HOSTS,
  MAX_TIMEOUT_MS,
  oneOf,
  parseClientEncoding,
  parseConnectTimeoutSeconds,
  parseGssEncMode,
  parseLoadBalance,
  parsePassword,
  parseRequireSsl,
  parseSsl,
  parseStartupParams,
  SSL_MODES,
  SSL_NEGOTIATIONS,
  str,
  TARGET_SESSION_ATTRS,
} from './option-parsers.js'
import { parseRequireAuth } from './require-auth.js'
import { parseTopologyKeys } from './topology-keys.js'
import type { ChannelBinding, HostSpec, LoadBalanceHosts, SslMode, SslNegotiation, TargetSessionAttrs } from './types.js'
import { parseBoolean, parseInteger, parseKeepalives, type ValueOrigin } from './values.js'

/** The type an options object may give for a row's names: a type only, its value is always undefined. */
export interface Accepts<T> {
  readonly accepted: T
}
const as = <T>(): Accepts<T> => undefined as unknown as Accepts<T>
const TEXT = as<string>()
const NUMBER = as<number | string>()
const FLAG = as<boolean | string>()

/** One row of the option table. */
export interface OptionSpec {
  /** The parsed value's key in the config being built; `ignored:<name>` for libpq options accepted without effect. */
  key: string
  /** Every accepted spelling; the first is the canonical libpq-style one. */
  names: readonly string[]
  /** What an options object may give (ConnectOptions follows from it); strings always work. */
  accepts: Accepts<unknown>
  parse: (raw: unknown, origin: ValueOrigin) => unknown
  /** The PG* environment variable libpq reads for it. */
  env?: string
  /** Accepted only in options objects (functions, arrays, records). */
  objectOnly?: boolean
  /** Never shown in messages. */
  secret?: boolean
}

const ms = int(0, MAX_TIMEOUT_MS, 'milliseconds')

/** Protocol versions libpq 18 accepts for min/max_protocol_version ('latest' is 3.2). */
const PROTOCOL_VERSIONS = ['3.0', '3.2', 'latest'] as const

/** Every option pgfleet accepts (see the module comment). */
export const OPTION_TABLE = [
  { key: 'host', names: ['host'], accepts: as<string | string[]>(), env: 'PGHOST', parse: parseHostList },
  { key: 'hostaddr', names: ['hostaddr', 'hostAddr'], accepts: as<string | string[]>(), env: 'PGHOSTADDR', parse: parseHostaddrList },
  { key: 'hosts', names: ['hosts'], accepts: as<(string | HostSpec)[]>(), objectOnly: true, parse: parseHostEntries },
  { key: 'port', names: ['port'], accepts: NUMBER, env: 'PGPORT', parse: parsePortList },
  { key: 'user', names: ['user', 'username'], accepts: TEXT, env: 'PGUSER', parse: str },
  { key: 'password', names: ['password'], accepts: as<string | (() => string | Promise<string>)>(), env: 'PGPASSWORD', secret: true, parse: parsePassword },
  { key: 'passfile', names: ['passfile'], accepts: TEXT, env: 'PGPASSFILE', parse: str },
  { key: 'service', names: ['service'], accepts: TEXT, env: 'PGSERVICE', parse: str },
  { key: 'servicefile', names: ['servicefile'], accepts: TEXT, env: 'PGSERVICEFILE', parse: str },
  { key: 'database', names: ['dbname', 'database'], accepts: TEXT, env: 'PGDATABASE', parse: str },
  { key: 'applicationName', names: ['application_name', 'applicationName'], accepts: TEXT, env: 'PGAPPNAME', parse: str },
  { key: 'fallbackApplicationName', names: ['fallback_application_name', 'fallbackApplicationName'], accepts: TEXT, parse: str },
  { key: 'options', names: ['options'], accepts: TEXT, env: 'PGOPTIONS', parse: str },
  { key: 'startupParams', names: ['startupParams'], accepts: as<Record<string, string>>(), objectOnly: true, parse: parseStartupParams },

  { key: 'sslmode', names: ['sslmode', 'sslMode'], accepts: as<SslMode | string>(), env: 'PGSSLMODE', parse: oneOf(SSL_MODES) },
  { key: 'sslmode', names: ['ssl'], accepts: as<boolean | SslMode | string>(), parse: parseSsl },
  { key: 'sslmode', names: ['requiressl'], accepts: as<boolean | 0 | 1 | '0' | '1'>(), parse: parseRequireSsl },
  { key: 'sslrootcert', names: ['sslrootcert', 'sslRootCert'], accepts: TEXT, env: 'PGSSLROOTCERT', parse: str },
  { key: 'sslcert', names: ['sslcert', 'sslCert'], accepts: TEXT, env: 'PGSSLCERT', parse: str },
  { key: 'sslkey', names: ['sslkey', 'sslKey'], accepts: TEXT, env: 'PGSSLKEY', secret: true, parse: str },
  { key: 'sslpassword', names: ['sslpassword', 'sslPassword'], accepts: TEXT, secret: true, parse: str },
  { key: 'sslkeylogfile', names: ['sslkeylogfile', 'sslKeyLogFile'], accepts: TEXT, parse: str },
  { key: 'sslnegotiation', names: ['sslnegotiation', 'sslNegotiation'], accepts: as<SslNegotiation | string>(), env: 'PGSSLNEGOTIATION', parse: oneOf(SSL_NEGOTIATIONS) },
  { key: 'channelBinding', names: ['channel_binding', 'channelBinding'], accepts: as<ChannelBinding | string>(), env: 'PGCHANNELBINDING', parse: oneOf(CHANNEL_BINDINGS) },
  { key: 'requireAuth', names: ['require_auth', 'requireAuth'], accepts: TEXT, env: 'PGREQUIREAUTH', parse: parseRequireAuth },
  { key: 'minProtocolVersion', names: ['min_protocol_version', 'minProtocolVersion'], accepts: as<'3.0' | '3.2' | 'latest' | string>(), env: 'PGMINPROTOCOLVERSION', parse: oneOf(PROTOCOL_VERSIONS) },
  { key: 'maxProtocolVersion', names: ['max_protocol_version', 'maxProtocolVersion'], accepts: as<'3.0' | '3.2' | 'latest' | string>(), env: 'PGMAXPROTOCOLVERSION', parse: oneOf(PROTOCOL_VERSIONS) },

  { key: 'connectTimeoutMs', names: ['connect_timeout'], accepts: NUMBER, env: 'PGCONNECT_TIMEOUT', parse: parseConnectTimeoutSeconds },
  { key: 'connectTimeoutMs', names: ['connectTimeout', 'connectionTimeoutMillis'], accepts: NUMBER, parse: ms },
  { key: 'queryTimeoutMs', names: ['query_timeout', 'queryTimeout'], accepts: NUMBER, parse: ms },
  { key: 'cancelTimeoutMs', names: ['cancel_timeout', 'cancelTimeout'], accepts: NUMBER, parse: ms },
  { key: 'keepalives', names: ['keepalives'], accepts: as<boolean | number | string>(), parse: parseKeepalives },
  { key: 'keepalivesIdleSeconds', names: ['keepalives_idle', 'keepalivesIdle'], accepts: NUMBER, parse: int(0, Math.floor(MAX_TIMEOUT_MS / 1000), 'seconds') },
  { key: 'maxResultBytes', names: ['max_result_bytes', 'maxResultBytes'], accepts: NUMBER, parse: int(0, Number.MAX_SAFE_INTEGER, 'bytes') },

  { key: 'targetSessionAttrs', names: ['target_session_attrs', 'targetSessionAttrs'], accepts: as<TargetSessionAttrs | string>(), env: 'PGTARGETSESSIONATTRS', parse: oneOf(TARGET_SESSION_ATTRS) },
  { key: 'loadBalanceHosts', names: ['load_balance_hosts', 'loadBalanceHosts'], accepts: as<LoadBalanceHosts | string>(), env: 'PGLOADBALANCEHOSTS', parse: oneOf(LOAD_BALANCE_HOSTS) },

  { key: 'loadBalance', names: ['load_balance', 'loadBalance'], accepts: FLAG, parse: parseLoadBalance },
  { key: 'topologyKeys', names: ['topology_keys', 'topologyKeys'], accepts: TEXT, parse: parseTopologyKeys },
  { key: 'ybServersRefreshInterval', names: ['yb_servers_refresh_interval', 'ybServersRefreshInterval'], accepts: NUMBER, parse: int(0, 600, 'seconds') },
  { key: 'fallbackToTopologyKeysOnly', names: ['fallback_to_topology_keys_only', 'fallbackToTopologyKeysOnly'], accepts: FLAG, parse: parseBoolean },
  {
    key: 'failedHostTtlSeconds',
    names: ['failed_host_ttl_seconds', 'failedHostTtlSeconds', 'failedHostReconnectDelaySecs', 'failed_host_reconnect_delay_secs'], accepts: NUMBER,
    parse: int(0, 60, 'seconds'),
  },

  { key: 'statementCacheSize', names: ['statement_cache_size', 'statementCacheSize'], accepts: NUMBER, parse: int(0, 100_000) },
  { key: 'maxMessageBytes', names: ['max_message_bytes', 'maxMessageBytes'], accepts: NUMBER, parse: int(1024, 1024 * 1024 * 1024, 'bytes') },
  { key: 'maxScramIterations', names: ['max_scram_iterations', 'maxScramIterations'], accepts: NUMBER, parse: int(4096, 100_000_000) },

  // libpq options accepted for compatibility; they have no effect in pgfleet.
  { key: 'ignored:gssencmode', names: ['gssencmode'], accepts: TEXT, parse: parseGssEncMode },
  { key: 'ignored:client_encoding', names: ['client_encoding'], accepts: TEXT, parse: parseClientEncoding },
  { key: 'ignored:keepalives_interval', names: ['keepalives_interval'], accepts: NUMBER, parse: int(0) },
  { key: 'ignored:keepalives_count', names: ['keepalives_count'], accepts: NUMBER, parse: int(0) },
  {
    key: 'ignored:tcp_user_timeout',
    names: ['tcp_user_timeout'], accepts: NUMBER,
    parse: (r: unknown, o: ValueOrigin) => parseInteger(r, o, { min: Number.MIN_SAFE_INTEGER, expected: 'a whole number' }),
  },
  { key: 'ignored:sslcompression', names: ['sslcompression'], accepts: FLAG, parse: ignoredText },
  { key: 'ignored:sslsni', names: ['sslsni'], accepts: FLAG, parse: ignoredText },
] as const satisfies readonly OptionSpec[]

type Row = (typeof OPTION_TABLE)[number]

/** A row's first (canonical) spelling: option-docs.ts keys its doc line by it. */
export type CanonicalName = Row['names'][0]

/** A canonical key, or `ignored:<name>` for libpq options accepted without effect. */
export type OptionKey = Row['key']

/** Option values after parsing, by canonical key (before defaults and cross-checks): each parser's result type. */
export type ParsedOptions = {
  [K in Exclude<OptionKey, `ignored:${string}`>]: ReturnType<Extract<Row, { key: K }>['parse']>
}

/** Every spelling an options object accepts. */
export type OptionName = Row['names'][number]

/** The row that has `N` among its names. */
type RowNamed<N extends OptionName> = Row extends infer R ? (R extends { names: readonly (infer M)[] } ? (N extends M ? R : never) : never) : never

/** Each spelling with the type its row accepts: the option half of ConnectOptions. */
export type OptionInputs = { [N in OptionName]?: RowNamed<N>['accepts'] extends Accepts<infer T> ? T : never }

/** Environment variable → option name (libpq 34.15 "Environment Variables"), in table order. */
export const ENV_OPTIONS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(OPTION_TABLE.flatMap((row: OptionSpec) => (row.env ? [[row.env, row.names[0]!]] : []))),
)

/** Keys of an options object that are not connection settings, by the layer that takes them out. */
export const OTHER_OPTIONS = [
  { names: ['max'], layers: ['pool'] },
  { names: ['min'], layers: ['pool'] },
  { names: ['idleTimeoutMs'], layers: ['pool'] },
  { names: ['maxLifetimeMs'], layers: ['pool'] },
  { names: ['acquireTimeoutMs'], layers: ['pool'] },
  { names: ['idleCheckMs'], layers: ['pool'] },
  { names: ['endTimeoutMs'], layers: ['pool'] },
  { names: ['rebalanceIntervalMs'], layers: ['pool'] },
  { names: ['rebalanceMoves'], layers: ['pool'] },
  { names: ['pipelineDepth'], layers: ['pool'] },
  { names: ['onError'], layers: ['pool', 'code'] },
  { names: ['runtime'], layers: ['code'] },
  { names: ['balancer'], layers: ['code'] },
  { names: ['onNotice'], layers: ['code'] },
  { names: ['onNotification'], layers: ['code'] },
] as const

/** An OTHER_OPTIONS row's first spelling: option-docs.ts keys its doc line by it. */
export type OtherOptionName = (typeof OTHER_OPTIONS)[number]['names'][0]

/** Names of OTHER_OPTIONS taken by `layer` ('code': connect()'s extras; 'pool': the pool). */
export function optionNamesOf(layer: 'pool' | 'code'): string[] {
  return OTHER_OPTIONS.filter((o) => (o.layers as readonly string[]).includes(layer)).flatMap((o) => [...o.names])
}
