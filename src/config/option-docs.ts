/**
 * What each option means, for people: its default as users read it and one
 * line for the README's option tables, keyed by the option table's first
 * spelling of each row. Build time only: no entry point imports this module,
 * so the runtime bundle carries none of this prose. `npx tsx
 * scripts/readme-tables.ts` writes the tables into README.md between their
 * markers; a unit test checks they match.
 */
import {
  DEFAULT_CANCEL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FAILED_HOST_TTL_SECONDS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_RESULT_BYTES,
  DEFAULT_MAX_SCRAM_ITERATIONS,
  DEFAULT_STATEMENT_CACHE_SIZE,
  DEFAULT_YB_SERVERS_REFRESH_INTERVAL,
} from './option-parsers.js'
import { OPTION_TABLE, OTHER_OPTIONS, type CanonicalName, type OptionSpec, type OtherOptionName } from './option-table.js'

/** The README's view of one row: its default (absent when there is none) and its doc line. */
export interface OptionDoc {
  readonly default?: string
  readonly doc: string
}

const mib = (bytes: number) => `${bytes / 1024 / 1024} MiB`

/** Every row of OPTION_TABLE, by its first spelling (the type requires one entry per row, no more). */
export const OPTION_DOCS: { readonly [N in CanonicalName]: OptionDoc } = {
  host: { default: 'localhost', doc: 'host names, comma-separated (`h1,h2`); a URL gives them as `h1:5433,h2`; a unix socket directory starts with `/`' },
  hostaddr: { doc: 'numeric addresses dialled instead of resolving `host`, paired with the host list by position; the host name still drives TLS verification, SNI and the password file' },
  hosts: { doc: 'objects only: `["h1:5433", "[::1]:5434", { host, port }]`' },
  port: { default: '5432', doc: 'one port for every host, or one per host (an empty entry is the default)' },
  user: { default: '`USER`, else `postgres`', doc: 'the role to log in as' },
  password: { doc: 'a string, or (objects) a function returning one, e.g. for rotating tokens; never shown in errors or when printed' },
  passfile: { default: '`~/.pgpass`', doc: 'the [password file](#password-file-and-service-file), used when no password is given' },
  service: { doc: 'a group of settings from the [service file](#password-file-and-service-file)' },
  servicefile: { default: '`~/.pg_service.conf`', doc: 'the user service file (then `PGSYSCONFDIR/pg_service.conf`)' },
  dbname: { default: 'the user name', doc: 'the database' },
  application_name: { doc: 'shown in `pg_stat_activity`' },
  fallback_application_name: { doc: '`application_name` when none is given' },
  options: { doc: 'server settings at startup: `-c search_path=app -c statement_timeout=5s`' },
  startupParams: { doc: 'objects only: other startup parameters, name → string' },
  sslmode: { default: '`prefer`', doc: '`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full` (see [sslmode](#sslmode))' },
  ssl: { doc: "pg's spelling: `true` is `require`, `false` is `disable`, or an sslmode" },
  requiressl: { doc: "libpq's old spelling: `1` is `require`, `0` is `prefer`" },
  sslrootcert: { default: '`~/.postgresql/root.crt`', doc: 'trusted roots: PEM text, a file path, or `system`' },
  sslcert: { default: '`~/.postgresql/postgresql.crt`', doc: 'client certificate: PEM text or a file path' },
  sslkey: { default: '`~/.postgresql/postgresql.key`', doc: "the client certificate's key: PEM text or a file path" },
  sslpassword: { doc: 'passphrase of an encrypted `sslkey`' },
  sslkeylogfile: { doc: 'append the TLS session keys to this file (NSS key log format, for Wireshark; libpq 18); Node only, other runtimes ignore it with a warning; a file that cannot be written gives a warning and the connection goes on' },
  sslnegotiation: { default: '`postgres`', doc: '`direct`: TLS from the first byte (PostgreSQL 17+)' },
  channel_binding: { default: '`prefer`', doc: 'SCRAM-SHA-256-PLUS: `disable`, `prefer`, `require`' },
  require_auth: { doc: 'the authentication methods the server may ask for (libpq 16)' },
  min_protocol_version: { default: '`3.0`', doc: '`3.0`, `3.2` or `latest` (3.2): a server that cannot speak it is refused (libpq 18)' },
  max_protocol_version: { default: '`3.0` (`latest` when `min_protocol_version` is higher)', doc: 'the version asked for: `3.2` (PostgreSQL 18) brings 32-byte cancel keys; older servers answer with a downgrade to 3.0 (libpq 18)' },
  connect_timeout: { default: `${DEFAULT_CONNECT_TIMEOUT_MS / 1000} s`, doc: 'seconds for each connection attempt: dial, TLS, authentication and the `target_session_attrs` check; `0` waits forever, as libpq does by default' },
  connectTimeout: { default: String(DEFAULT_CONNECT_TIMEOUT_MS), doc: 'the same in milliseconds' },
  query_timeout: { doc: 'milliseconds: the deadline of every query, stream and COPY (per call: `{ timeoutMs }`)' },
  cancel_timeout: { default: String(DEFAULT_CANCEL_TIMEOUT_MS), doc: 'milliseconds the server has to answer the CancelRequest after a deadline or abort before the session is destroyed (`0`: at once)' },
  keepalives: { default: 'on', doc: 'TCP keepalive, as in libpq (`0` is off)' },
  keepalives_idle: { default: "the system's", doc: 'seconds idle before the first probe' },
  max_result_bytes: { default: mib(DEFAULT_MAX_RESULT_BYTES), doc: 'row bytes a buffered `query()` result may hold, as received (a numeric is 8 bytes plus 2 per 4 digits in binary on Node, its digits in text on Bun); more rejects with `PGFLEET_RESULT_TOO_LARGE` (`stream()` and `cursor()` are not capped; `0`: no cap)' },
  target_session_attrs: { default: '`any`', doc: '`any`, `read-write`, `read-only`, `primary`, `standby`, `prefer-standby` (libpq 16)' },
  load_balance_hosts: { default: '`disable`', doc: '`random` shuffles the host list (libpq 16)' },
  load_balance: { default: '`false`', doc: '`true`/`any`, `only-primary`, `only-rr`, `prefer-primary`, `prefer-rr`' },
  topology_keys: { doc: '`cloud.region.zone` list, zone may be `*`, optional `:1`…`:10` preference levels' },
  yb_servers_refresh_interval: { default: String(DEFAULT_YB_SERVERS_REFRESH_INTERVAL), doc: 'seconds between `yb_servers()` refreshes (0–600)' },
  fallback_to_topology_keys_only: { default: '`false`', doc: 'never leave the listed zones' },
  failed_host_ttl_seconds: { default: String(DEFAULT_FAILED_HOST_TTL_SECONDS), doc: 'seconds a node that refused a connection is skipped (0–60)' },
  statement_cache_size: { default: String(DEFAULT_STATEMENT_CACHE_SIZE), doc: 'prepared statements kept per connection; `0` for transaction-mode poolers' },
  max_message_bytes: { default: mib(DEFAULT_MAX_MESSAGE_BYTES), doc: 'the largest backend message accepted' },
  max_scram_iterations: { default: String(DEFAULT_MAX_SCRAM_ITERATIONS), doc: 'the most SCRAM iterations a server may demand' },
  gssencmode: { doc: '`disable` and `prefer` only: pgfleet has no GSSAPI, `require` is refused' },
  client_encoding: { doc: 'UTF-8 only' },
  keepalives_interval: { doc: 'JavaScript runtimes cannot set it; Node and Bun probe every 1 s' },
  keepalives_count: { doc: 'JavaScript runtimes cannot set it; Node and Bun probe 10 times' },
  tcp_user_timeout: { doc: 'JavaScript runtimes cannot set it; use `query_timeout`' },
  sslcompression: { doc: 'TLS compression is never used' },
  sslsni: { doc: 'SNI is sent for host names, never for addresses' },
}

/** Every row of OTHER_OPTIONS, by its first spelling. */
export const OTHER_OPTION_DOCS: { readonly [N in OtherOptionName]: OptionDoc } = {
  max: { default: '10', doc: 'most sessions open at once' },
  min: { default: '0', doc: 'sessions kept open while idle' },
  idleTimeoutMs: { default: '10000', doc: 'milliseconds an idle session is kept above `min` (`0`: forever)' },
  maxLifetimeMs: { default: '0', doc: 'milliseconds after which a session is retired when next idle (`0`: never)' },
  acquireTimeoutMs: { default: '30000', doc: 'milliseconds `connect()` waits for a session before a `PoolTimeoutError` (`0`: forever)' },
  idleCheckMs: { default: '1000', doc: 'a session idle longer than this is checked with an empty query before it is handed out' },
  endTimeoutMs: { default: '5000', doc: '`end()` waits this long for checked-out sessions, then destroys them' },
  rebalanceIntervalMs: { default: '1000', doc: 'with load balancing, how often the pool moves sessions to where the balancer would put them now, also at once when a failed node\'s TTL runs out (`0`: never)' },
  rebalanceMoves: { default: '2', doc: 'at most this many sessions being moved at once (an idle one is replaced at once, a checked-out one when released)' },
  pipelineDepth: { default: '8', doc: 'when every session is busy and the pool is at `max`: at most this many one-shot `pool.query` calls pipelined on one session, least-loaded first; queries with a deadline are never pipelined (`1`: one at a time; see [Pipelining under load](#pipelining-under-load))' },
  onError: { doc: 'sessions that end on their own; on a pool also background failures (a session opened for `min` that failed)' },
  runtime: { doc: 'the runtime to dial with (default: that of the package entry)' },
  balancer: { doc: 'a custom `Balancer` (used when load balancing is on)' },
  onNotice: { doc: 'called for every notice' },
  onNotification: { doc: 'called for every LISTEN notification' },
}

const docOf = (names: readonly string[]): OptionDoc => (OPTION_DOCS as Record<string, OptionDoc>)[names[0]!]!
const otherDocOf = (names: readonly string[]): OptionDoc => (OTHER_OPTION_DOCS as Record<string, OptionDoc>)[names[0]!]!

const code = (name: string) => `\`${name}\``
const cell = (text: string) => text.replace(/\|/g, '\\|')

/** Connection options: every spelling, the environment variable, the default and the doc line. */
export function connectionOptionsTable(): string {
  const rows = (OPTION_TABLE as readonly OptionSpec[]).filter((r) => !r.key.startsWith('ignored:'))
  const ignored = (OPTION_TABLE as readonly OptionSpec[]).filter((r) => r.key.startsWith('ignored:'))
  const lines = ['| option | environment | default | meaning |', '|---|---|---|---|']
  for (const r of rows) {
    const { default: shown, doc } = docOf(r.names)
    lines.push(`| ${r.names.map(code).join(', ')} | ${r.env ? code(r.env) : '–'} | ${shown ?? '–'} | ${cell(doc)} |`)
  }
  lines.push('', 'Accepted for libpq compatibility, without effect: ' + ignored.map((r) => `${r.names.map(code).join(', ')}: ${docOf(r.names).doc}`).join('; ') + '.')
  return lines.join('\n')
}

/** Pool options and the options that are code, not configuration. */
export function otherOptionsTable(): string {
  const lines = ['| option | taken by | default | meaning |', '|---|---|---|---|']
  for (const o of OTHER_OPTIONS) {
    const by = (o.layers as readonly string[]).includes('code') ? '`connect`, `createPool`' : '`createPool`'
    const { default: shown, doc } = otherDocOf(o.names)
    lines.push(`| ${o.names.map(code).join(', ')} | ${by} | ${shown ?? '–'} | ${cell(doc)} |`)
  }
  return lines.join('\n')
}

/** README sections by marker name: `<!-- options:NAME -->` … `<!-- /options:NAME -->`. */
export const README_TABLES: Readonly<Record<string, () => string>> = {
  connection: connectionOptionsTable,
  other: otherOptionsTable,
}

/** README text with every marked section replaced by its rendering (unchanged when already current). */
export function renderReadmeTables(readme: string): string {
  let out = readme
  for (const [name, render] of Object.entries(README_TABLES)) {
    const begin = `<!-- options:${name} -->`
    const end = `<!-- /options:${name} -->`
    const i = out.indexOf(begin)
    const j = out.indexOf(end)
    if (i < 0 || j < i) throw new Error(`README.md has no ${begin} … ${end} section`)
    out = `${out.slice(0, i + begin.length)}\n${render()}\n${out.slice(j)}`
  }
  return out
}
