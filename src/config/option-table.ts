/**
 * The option table: the one place an option is written. Each row gives the
 * option's canonical key, every accepted spelling (libpq snake_case,
 * psycopg2-yugabytedb and @yugabytedb/pg spellings, camelCase, pg's), its
 * PG* environment variable, its parser, its default as shown to users and a
 * one-line doc. Connection strings, the environment and options objects all
 * read through it; the parsed-value types, the environment list, the keys
 * other layers take out of an options object, and the README's option tables
 * (checked by a test) all follow from it.
 *
 * Option NAMES are matched exactly; option VALUES are case-insensitive.
 */
import { parseHostaddrList, parseHostEntries, parseHostList, parsePortList } from './hosts.js'
import {
  CHANNEL_BINDINGS,
  DEFAULT_CANCEL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FAILED_HOST_TTL_SECONDS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_RESULT_BYTES,
  DEFAULT_MAX_SCRAM_ITERATIONS,
  DEFAULT_STATEMENT_CACHE_SIZE,
  DEFAULT_YB_SERVERS_REFRESH_INTERVAL,
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
  /** The default as users read it (README); absent when there is none. */
  default?: string
  /** One line for the README's option table. */
  doc: string
  /** Accepted only in options objects (functions, arrays, records). */
  objectOnly?: boolean
  /** Never shown in messages. */
  secret?: boolean
}

const ms = int(0, MAX_TIMEOUT_MS, 'milliseconds')
const mib = (bytes: number) => `${bytes / 1024 / 1024} MiB`

/** Protocol versions libpq 18 accepts for min/max_protocol_version ('latest' is 3.2). */
const PROTOCOL_VERSIONS = ['3.0', '3.2', 'latest'] as const

/** Every option pgfleet accepts (see the module comment). */
export const OPTION_TABLE = [
  { key: 'host', names: ['host'], accepts: as<string | string[]>(), env: 'PGHOST', default: 'localhost', parse: parseHostList, doc: 'host names, comma-separated (`h1,h2`); a URL gives them as `h1:5433,h2`; a unix socket directory starts with `/`' },
  { key: 'hostaddr', names: ['hostaddr', 'hostAddr'], accepts: as<string | string[]>(), env: 'PGHOSTADDR', parse: parseHostaddrList, doc: 'numeric addresses dialled instead of resolving `host`, paired with the host list by position; the host name still drives TLS verification, SNI and the password file' },
  { key: 'hosts', names: ['hosts'], accepts: as<(string | HostSpec)[]>(), objectOnly: true, parse: parseHostEntries, doc: 'objects only: `["h1:5433", "[::1]:5434", { host, port }]`' },
  { key: 'port', names: ['port'], accepts: NUMBER, env: 'PGPORT', default: '5432', parse: parsePortList, doc: 'one port for every host, or one per host (an empty entry is the default)' },
  { key: 'user', names: ['user', 'username'], accepts: TEXT, env: 'PGUSER', default: '`USER`, else `postgres`', parse: str, doc: 'the role to log in as' },
  { key: 'password', names: ['password'], accepts: as<string | (() => string | Promise<string>)>(), env: 'PGPASSWORD', secret: true, parse: parsePassword, doc: 'a string, or (objects) a function returning one, e.g. for rotating tokens; never shown in errors or when printed' },
  { key: 'passfile', names: ['passfile'], accepts: TEXT, env: 'PGPASSFILE', default: '`~/.pgpass`', parse: str, doc: 'the [password file](#password-file-and-service-file), used when no password is given' },
  { key: 'service', names: ['service'], accepts: TEXT, env: 'PGSERVICE', parse: str, doc: 'a group of settings from the [service file](#password-file-and-service-file)' },
  { key: 'servicefile', names: ['servicefile'], accepts: TEXT, env: 'PGSERVICEFILE', default: '`~/.pg_service.conf`', parse: str, doc: 'the user service file (then `PGSYSCONFDIR/pg_service.conf`)' },
  { key: 'database', names: ['dbname', 'database'], accepts: TEXT, env: 'PGDATABASE', default: 'the user name', parse: str, doc: 'the database' },
  { key: 'applicationName', names: ['application_name', 'applicationName'], accepts: TEXT, env: 'PGAPPNAME', parse: str, doc: 'shown in `pg_stat_activity`' },
  { key: 'fallbackApplicationName', names: ['fallback_application_name', 'fallbackApplicationName'], accepts: TEXT, parse: str, doc: '`application_name` when none is given' },
  { key: 'options', names: ['options'], accepts: TEXT, env: 'PGOPTIONS', parse: str, doc: 'server settings at startup: `-c search_path=app -c statement_timeout=5s`' },
  { key: 'startupParams', names: ['startupParams'], accepts: as<Record<string, string>>(), objectOnly: true, parse: parseStartupParams, doc: 'objects only: other startup parameters, name → string' },

  { key: 'sslmode', names: ['sslmode', 'sslMode'], accepts: as<SslMode | string>(), env: 'PGSSLMODE', default: '`prefer`', parse: oneOf(SSL_MODES), doc: '`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full` (see [sslmode](#sslmode))' },
  { key: 'sslmode', names: ['ssl'], accepts: as<boolean | SslMode | string>(), parse: parseSsl, doc: "pg's spelling: `true` is `require`, `false` is `disable`, or an sslmode" },
  { key: 'sslmode', names: ['requiressl'], accepts: as<boolean | 0 | 1 | '0' | '1'>(), parse: parseRequireSsl, doc: "libpq's old spelling: `1` is `require`, `0` is `prefer`" },
  { key: 'sslrootcert', names: ['sslrootcert', 'sslRootCert'], accepts: TEXT, env: 'PGSSLROOTCERT', default: '`~/.postgresql/root.crt`', parse: str, doc: 'trusted roots: PEM text, a file path, or `system`' },
  { key: 'sslcert', names: ['sslcert', 'sslCert'], accepts: TEXT, env: 'PGSSLCERT', default: '`~/.postgresql/postgresql.crt`', parse: str, doc: 'client certificate: PEM text or a file path' },
  { key: 'sslkey', names: ['sslkey', 'sslKey'], accepts: TEXT, env: 'PGSSLKEY', default: '`~/.postgresql/postgresql.key`', secret: true, parse: str, doc: "the client certificate's key: PEM text or a file path" },
  { key: 'sslpassword', names: ['sslpassword', 'sslPassword'], accepts: TEXT, secret: true, parse: str, doc: 'passphrase of an encrypted `sslkey`' },
  { key: 'sslkeylogfile', names: ['sslkeylogfile', 'sslKeyLogFile'], accepts: TEXT, parse: str, doc: 'append the TLS session keys to this file (NSS key log format, for Wireshark; libpq 18); Node only, other runtimes ignore it with a warning; a file that cannot be written gives a warning and the connection goes on' },
  { key: 'sslnegotiation', names: ['sslnegotiation', 'sslNegotiation'], accepts: as<SslNegotiation | string>(), env: 'PGSSLNEGOTIATION', default: '`postgres`', parse: oneOf(SSL_NEGOTIATIONS), doc: '`direct`: TLS from the first byte (PostgreSQL 17+)' },
  { key: 'channelBinding', names: ['channel_binding', 'channelBinding'], accepts: as<ChannelBinding | string>(), env: 'PGCHANNELBINDING', default: '`prefer`', parse: oneOf(CHANNEL_BINDINGS), doc: 'SCRAM-SHA-256-PLUS: `disable`, `prefer`, `require`' },
  { key: 'requireAuth', names: ['require_auth', 'requireAuth'], accepts: TEXT, env: 'PGREQUIREAUTH', parse: parseRequireAuth, doc: 'the authentication methods the server may ask for (libpq 16)' },
  { key: 'minProtocolVersion', names: ['min_protocol_version', 'minProtocolVersion'], accepts: as<'3.0' | '3.2' | 'latest' | string>(), env: 'PGMINPROTOCOLVERSION', default: '`3.0`', parse: oneOf(PROTOCOL_VERSIONS), doc: '`3.0`, `3.2` or `latest` (3.2): a server that cannot speak it is refused (libpq 18)' },
  { key: 'maxProtocolVersion', names: ['max_protocol_version', 'maxProtocolVersion'], accepts: as<'3.0' | '3.2' | 'latest' | string>(), env: 'PGMAXPROTOCOLVERSION', default: '`3.0` (`latest` when `min_protocol_version` is higher)', parse: oneOf(PROTOCOL_VERSIONS), doc: 'the version asked for: `3.2` (PostgreSQL 18) brings 32-byte cancel keys; older servers answer with a downgrade to 3.0 (libpq 18)' },

  { key: 'connectTimeoutMs', names: ['connect_timeout'], accepts: NUMBER, env: 'PGCONNECT_TIMEOUT', default: `${DEFAULT_CONNECT_TIMEOUT_MS / 1000} s`, parse: parseConnectTimeoutSeconds, doc: 'seconds for each connection attempt: dial, TLS, authentication and the `target_session_attrs` check; `0` waits forever, as libpq does by default' },
  { key: 'connectTimeoutMs', names: ['connectTimeout', 'connectionTimeoutMillis'], accepts: NUMBER, default: String(DEFAULT_CONNECT_TIMEOUT_MS), parse: ms, doc: 'the same in milliseconds' },
  { key: 'queryTimeoutMs', names: ['query_timeout', 'queryTimeout'], accepts: NUMBER, parse: ms, doc: 'milliseconds: the deadline of every query, stream and COPY (per call: `{ timeoutMs }`)' },
  { key: 'cancelTimeoutMs', names: ['cancel_timeout', 'cancelTimeout'], accepts: NUMBER, default: String(DEFAULT_CANCEL_TIMEOUT_MS), parse: ms, doc: 'milliseconds the server has to answer the CancelRequest after a deadline or abort before the session is destroyed (`0`: at once)' },
  { key: 'keepalives', names: ['keepalives'], accepts: as<boolean | number | string>(), default: 'on', parse: parseKeepalives, doc: 'TCP keepalive, as in libpq (`0` is off)' },
  { key: 'keepalivesIdleSeconds', names: ['keepalives_idle', 'keepalivesIdle'], accepts: NUMBER, default: "the system's", parse: int(0, Math.floor(MAX_TIMEOUT_MS / 1000), 'seconds'), doc: 'seconds idle before the first probe' },
  { key: 'maxResultBytes', names: ['max_result_bytes', 'maxResultBytes'], accepts: NUMBER, default: mib(DEFAULT_MAX_RESULT_BYTES), parse: int(0, Number.MAX_SAFE_INTEGER, 'bytes'), doc: 'row bytes a buffered `query()` result may hold; more rejects with `PGFLEET_RESULT_TOO_LARGE` (`stream()` and `cursor()` are not capped; `0`: no cap)' },

  { key: 'targetSessionAttrs', names: ['target_session_attrs', 'targetSessionAttrs'], accepts: as<TargetSessionAttrs | string>(), env: 'PGTARGETSESSIONATTRS', default: '`any`', parse: oneOf(TARGET_SESSION_ATTRS), doc: '`any`, `read-write`, `read-only`, `primary`, `standby`, `prefer-standby` (libpq 16)' },
  { key: 'loadBalanceHosts', names: ['load_balance_hosts', 'loadBalanceHosts'], accepts: as<LoadBalanceHosts | string>(), env: 'PGLOADBALANCEHOSTS', default: '`disable`', parse: oneOf(LOAD_BALANCE_HOSTS), doc: '`random` shuffles the host list (libpq 16)' },

  { key: 'loadBalance', names: ['load_balance', 'loadBalance'], accepts: FLAG, default: '`false`', parse: parseLoadBalance, doc: '`true`/`any`, `only-primary`, `only-rr`, `prefer-primary`, `prefer-rr`' },
  { key: 'topologyKeys', names: ['topology_keys', 'topologyKeys'], accepts: TEXT, parse: parseTopologyKeys, doc: '`cloud.region.zone` list, zone may be `*`, optional `:1`…`:10` preference levels' },
  { key: 'ybServersRefreshInterval', names: ['yb_servers_refresh_interval', 'ybServersRefreshInterval'], accepts: NUMBER, default: String(DEFAULT_YB_SERVERS_REFRESH_INTERVAL), parse: int(0, 600, 'seconds'), doc: 'seconds between `yb_servers()` refreshes (0–600)' },
  { key: 'fallbackToTopologyKeysOnly', names: ['fallback_to_topology_keys_only', 'fallbackToTopologyKeysOnly'], accepts: FLAG, default: '`false`', parse: parseBoolean, doc: 'never leave the listed zones' },
  {
    key: 'failedHostTtlSeconds',
    names: ['failed_host_ttl_seconds', 'failedHostTtlSeconds', 'failedHostReconnectDelaySecs', 'failed_host_reconnect_delay_secs'], accepts: NUMBER,
    default: String(DEFAULT_FAILED_HOST_TTL_SECONDS),
    parse: int(0, 60, 'seconds'),
    doc: 'seconds a node that refused a connection is skipped (0–60)',
  },

  { key: 'statementCacheSize', names: ['statement_cache_size', 'statementCacheSize'], accepts: NUMBER, default: String(DEFAULT_STATEMENT_CACHE_SIZE), parse: int(0, 100_000), doc: 'prepared statements kept per connection; `0` for transaction-mode poolers' },
  { key: 'maxMessageBytes', names: ['max_message_bytes', 'maxMessageBytes'], accepts: NUMBER, default: mib(DEFAULT_MAX_MESSAGE_BYTES), parse: int(1024, 1024 * 1024 * 1024, 'bytes'), doc: 'the largest backend message accepted' },
  { key: 'maxScramIterations', names: ['max_scram_iterations', 'maxScramIterations'], accepts: NUMBER, default: String(DEFAULT_MAX_SCRAM_ITERATIONS), parse: int(4096, 100_000_000), doc: 'the most SCRAM iterations a server may demand' },

  // libpq options accepted for compatibility; they have no effect in pgfleet.
  { key: 'ignored:gssencmode', names: ['gssencmode'], accepts: TEXT, parse: parseGssEncMode, doc: '`disable` and `prefer` only: pgfleet has no GSSAPI, `require` is refused' },
  { key: 'ignored:client_encoding', names: ['client_encoding'], accepts: TEXT, parse: parseClientEncoding, doc: 'UTF-8 only' },
  { key: 'ignored:keepalives_interval', names: ['keepalives_interval'], accepts: NUMBER, parse: int(0), doc: 'JavaScript runtimes cannot set it; Node and Bun probe every 1 s' },
  { key: 'ignored:keepalives_count', names: ['keepalives_count'], accepts: NUMBER, parse: int(0), doc: 'JavaScript runtimes cannot set it; Node and Bun probe 10 times' },
  {
    key: 'ignored:tcp_user_timeout',
    names: ['tcp_user_timeout'], accepts: NUMBER,
    parse: (r: unknown, o: ValueOrigin) => parseInteger(r, o, { min: Number.MIN_SAFE_INTEGER, expected: 'a whole number' }),
    doc: 'JavaScript runtimes cannot set it; use `query_timeout`',
  },
  { key: 'ignored:sslcompression', names: ['sslcompression'], accepts: FLAG, parse: ignoredText, doc: 'TLS compression is never used' },
  { key: 'ignored:sslsni', names: ['sslsni'], accepts: FLAG, parse: ignoredText, doc: 'SNI is sent for host names, never for addresses' },
] as const satisfies readonly OptionSpec[]

type Row = (typeof OPTION_TABLE)[number]

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
  { names: ['max'], layers: ['pool'], default: '10', doc: 'most sessions open at once' },
  { names: ['min'], layers: ['pool'], default: '0', doc: 'sessions kept open while idle' },
  { names: ['idleTimeoutMs'], layers: ['pool'], default: '10000', doc: 'milliseconds an idle session is kept above `min` (`0`: forever)' },
  { names: ['maxLifetimeMs'], layers: ['pool'], default: '0', doc: 'milliseconds after which a session is retired when next idle (`0`: never)' },
  { names: ['acquireTimeoutMs'], layers: ['pool'], default: '30000', doc: 'milliseconds `connect()` waits for a session before a `PoolTimeoutError` (`0`: forever)' },
  { names: ['idleCheckMs'], layers: ['pool'], default: '1000', doc: 'a session idle longer than this is checked with an empty query before it is handed out' },
  { names: ['endTimeoutMs'], layers: ['pool'], default: '5000', doc: '`end()` waits this long for checked-out sessions, then destroys them' },
  { names: ['rebalanceIntervalMs'], layers: ['pool'], default: '1000', doc: 'with load balancing, how often the pool moves sessions to where the balancer would put them now, also at once when a failed node\'s TTL runs out (`0`: never)' },
  { names: ['rebalanceMoves'], layers: ['pool'], default: '2', doc: 'at most this many sessions being moved at once (an idle one is replaced at once, a checked-out one when released)' },
  { names: ['onError'], layers: ['pool', 'code'], doc: 'sessions that end on their own; on a pool also background failures (a session opened for `min` that failed)' },
  { names: ['runtime'], layers: ['code'], doc: 'the runtime to dial with (default: that of the package entry)' },
  { names: ['balancer'], layers: ['code'], doc: 'a custom `Balancer` (used when load balancing is on)' },
  { names: ['onNotice'], layers: ['code'], doc: 'called for every notice' },
  { names: ['onNotification'], layers: ['code'], doc: 'called for every LISTEN notification' },
] as const

/** Names of OTHER_OPTIONS taken by `layer` ('code': connect()'s extras; 'pool': the pool). */
export function optionNamesOf(layer: 'pool' | 'code'): string[] {
  return OTHER_OPTIONS.filter((o) => (o.layers as readonly string[]).includes(layer)).flatMap((o) => [...o.names])
}
