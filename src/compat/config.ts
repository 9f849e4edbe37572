/**
 * pg's client and pool configuration mapped onto pgfleet options: the keys
 * pgfleet spells the same way pass through (host, port, user, password,
 * database, connectionString, ssl, application_name, connectionTimeoutMillis,
 * query_timeout, options, ...); the others are translated here. Keys that
 * neither pg nor pgfleet knows are dropped, as pg ignores them (`native`,
 * a pool's `max` given to a Client): pgfleet's own API stays strict.
 */
import type { ClientOptions } from '../session-factory.js'
import { ConfigError } from '../errors.js'
import type { CustomTypesConfig } from './pg-types.js'
import { OPTION_TABLE, optionNamesOf } from '../config/option-table.js'

/** The subset of pg's ClientConfig that pgfleet/pg understands (plus any pgfleet option). */
export interface PgClientConfig extends Omit<ClientOptions, 'ssl'> {
  ssl?: boolean | string | { rejectUnauthorized?: boolean; ca?: string | Uint8Array; cert?: string | Uint8Array; key?: string | Uint8Array }
  /** Per-client type parsers (pg's `types` option). */
  types?: CustomTypesConfig
  statement_timeout?: number | false
  lock_timeout?: number | false
  idle_in_transaction_session_timeout?: number | false
  keepAlive?: boolean
  keepAliveInitialDelayMillis?: number
  /** pg 8.16+: write queries without waiting for earlier answers (pgfleet always does); cursors are refused. */
  pipeline?: boolean
}

/** Every key a pgfleet options object takes (the facade drops the rest, as pg does). */
const KNOWN = new Set<string>([
  ...OPTION_TABLE.flatMap((row) => [...row.names]),
  ...optionNamesOf('code'),
  'connectionString',
  'transport',
])

/** Server settings pg sends in the startup packet. */
const STARTUP_SETTINGS = ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'] as const
/** pg keys with no pgfleet equivalent that change nothing observable (TCP keepalive is on in pgfleet's Node transport). */
const IGNORED = ['keepAlive', 'keepAliveInitialDelayMillis', 'Promise', 'client_encoding', 'log', 'allowExitOnIdle', 'enableChannelBinding', 'pipeline']

/** Split a pg config into pgfleet connection options and the `types` override. */
export function fromPgConfig(input: string | PgClientConfig | undefined): { options: string | ClientOptions | undefined; types?: CustomTypesConfig } {
  if (input === undefined || typeof input === 'string') return { options: input }
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) if (value !== undefined) rest[key] = value
  const types = rest.types as CustomTypesConfig | undefined
  delete rest.types
  for (const key of IGNORED) delete rest[key]
  if (rest.binary === true) throw new ConfigError('pgfleet/pg does not support binary: true (results are parsed from text, as pg does by default)', { option: 'binary' })
  delete rest.binary
  if (rest.stream !== undefined) throw new ConfigError('pgfleet/pg does not support a custom stream; pass `runtime` or `transport` instead', { option: 'stream' })
  const startup: Record<string, string> = { ...(rest.startupParams as Record<string, string> | undefined) }
  for (const key of STARTUP_SETTINGS) {
    const value = rest[key]
    delete rest[key]
    if (value === false || value === undefined) continue
    // pg sends parseInt(value): 3000.7 is 3000 ms, not rounded up by the server.
    startup[key] = typeof value === 'number' ? String(Math.trunc(value)) : String(value)
  }
  if (Object.keys(startup).length > 0) rest.startupParams = startup
  // Fractional milliseconds: pg hands them to setTimeout; pgfleet takes whole ones.
  for (const key of ['connectionTimeoutMillis', 'query_timeout'])
    if (typeof rest[key] === 'number') rest[key] = Math.ceil(rest[key] as number)
  const ssl = rest.ssl
  if (ssl !== null && typeof ssl === 'object') {
    delete rest.ssl
    const tls = ssl as Exclude<PgClientConfig['ssl'], boolean | string | undefined>
    const text = (v: string | Uint8Array) => (typeof v === 'string' ? v : new TextDecoder().decode(v))
    // pg/Node: rejectUnauthorized (default true) checks the chain and the host name = verify-full.
    rest.sslmode = tls.rejectUnauthorized === false ? 'require' : 'verify-full'
    if (tls.ca !== undefined && tls.rejectUnauthorized !== false) rest.sslrootcert = text(tls.ca)
    if (tls.cert !== undefined) rest.sslcert = text(tls.cert)
    if (tls.key !== undefined) rest.sslkey = text(tls.key)
  }
  for (const key of Object.keys(rest)) if (!KNOWN.has(key)) delete rest[key]
  return { options: rest as ClientOptions, types }
}
