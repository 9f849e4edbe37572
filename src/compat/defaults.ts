/**
 * pg's `defaults`: values a Client or Pool uses for keys its config leaves
 * out, after the PG* environment (pg: config, then environment, then
 * defaults). `defaults.parseInt8 = true` makes int8 (and int8[]) parse as
 * numbers in `types`, as in pg. Only values changed from pg's own defaults
 * are applied: the unchanged ones are pgfleet's (and libpq's) defaults too.
 */
import { ENV_OPTIONS } from '../config/option-table.js'
import { osUser } from '../config/env.js'
import { defaultRuntime } from '../runtime.js'
import { types } from './pg-types.js'

function environment(): Readonly<Record<string, string | undefined>> {
  try {
    return defaultRuntime().env()
  } catch {
    return {}
  }
}

/** pg's defaults as pg 8 ships them. */
function initial(): Record<string, unknown> {
  return {
    host: 'localhost',
    user: osUser(environment()),
    database: undefined,
    password: null,
    connectionString: undefined,
    port: 5432,
    rows: 0,
    binary: false,
    max: 10,
    idleTimeoutMillis: 30000,
    client_encoding: '',
    ssl: false,
    application_name: undefined,
    fallback_application_name: undefined,
    options: undefined,
    parseInputDatesAsUTC: false,
    statement_timeout: false,
    lock_timeout: false,
    idle_in_transaction_session_timeout: false,
    query_timeout: false,
    connect_timeout: 0,
    keepalives: 1,
    keepalives_idle: 0,
  }
}

const PG_INITIAL = initial()
const int8Text = types.getTypeParser(20)
const int8Array = types.getTypeParser(1016)

/** See the module comment. */
export const defaults: Record<string, unknown> & { parseInt8?: boolean } = initial()
Object.defineProperty(defaults, 'parseInt8', {
  enumerable: false,
  set(on: boolean) {
    types.setTypeParser(20, on ? types.getTypeParser(23) : int8Text)
    types.setTypeParser(1016, on ? types.getTypeParser(1007) : int8Array)
  },
})

/** The PG* variable behind an option name, for the keys defaults fill. */
const ENV_OF: Record<string, string> = Object.fromEntries(Object.entries(ENV_OPTIONS).map(([env, name]) => [name, env]))
ENV_OF.database = 'PGDATABASE'
ENV_OF.user = 'PGUSER'

/** Keys of `defaults` that are connection settings a config can take. */
const CONNECTION_KEYS = [
  'host', 'user', 'database', 'password', 'port', 'ssl', 'application_name', 'fallback_application_name', 'options',
  'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'query_timeout', 'client_encoding',
]

/** The config with `defaults` filled in where the config and the environment leave a key out. */
export function withDefaults<T extends Record<string, unknown>>(config: T): T {
  const env = environment()
  const out: Record<string, unknown> = { ...config }
  if (typeof config.connectionString === 'string') return out as T
  for (const key of CONNECTION_KEYS) {
    const value = defaults[key]
    if (value === PG_INITIAL[key] || value === undefined || value === null) continue
    if (out[key] !== undefined && out[key] !== null) continue
    const envName = ENV_OF[key]
    if (envName && env[envName] !== undefined && env[envName] !== '') continue
    out[key] = value
  }
  // pg: database defaults to the user (defaults.database, when set, wins).
  return out as T
}

/** pg's Client fields before connecting: config, then environment, then defaults (database falls back to the user). */
export function clientFields(config: Record<string, unknown>): { host: string; port: number; user: string | undefined; database: string | undefined; password: unknown } {
  const env = environment()
  const pick = (key: string, envName: string) => (config[key] ?? env[envName] ?? defaults[key]) as string | undefined
  const user = pick('user', 'PGUSER')
  return {
    host: pick('host', 'PGHOST') ?? 'localhost',
    port: Number(pick('port', 'PGPORT') ?? 5432),
    user,
    database: pick('database', 'PGDATABASE') ?? user,
    password: config.password ?? env.PGPASSWORD ?? defaults.password,
  }
}
