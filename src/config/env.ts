/**
 * The PG* environment variables libpq reads (libpq 34.15 "Environment
 * Variables"), mapped to the option they stand for. Only these are read; an
 * unset or empty variable counts as absent. The caller passes the environment
 * (process.env on Node): nothing here touches a runtime global.
 */

/** Environment variable → option name in the option table. */
export const ENV_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  PGHOST: 'host',
  PGHOSTADDR: 'hostaddr',
  PGPORT: 'port',
  PGDATABASE: 'dbname',
  PGUSER: 'user',
  PGPASSWORD: 'password',
  PGPASSFILE: 'passfile',
  PGSERVICE: 'service',
  PGSERVICEFILE: 'servicefile',
  PGAPPNAME: 'application_name',
  PGOPTIONS: 'options',
  PGSSLMODE: 'sslmode',
  PGSSLROOTCERT: 'sslrootcert',
  PGSSLCERT: 'sslcert',
  PGSSLKEY: 'sslkey',
  PGSSLNEGOTIATION: 'sslnegotiation',
  PGCHANNELBINDING: 'channel_binding',
  PGREQUIREAUTH: 'require_auth',
  PGCONNECT_TIMEOUT: 'connect_timeout',
  PGTARGETSESSIONATTRS: 'target_session_attrs',
  PGLOADBALANCEHOSTS: 'load_balance_hosts',
})

/** One option read from the environment. */
export interface EnvOption {
  /** Option name (`sslmode`). */
  name: string
  value: string
  /** Variable it came from (`PGSSLMODE`), for error messages. */
  variable: string
}

/** The PG* options set in `env`, in a fixed order. */
export function readEnvOptions(env: Readonly<Record<string, string | undefined>>): EnvOption[] {
  const out: EnvOption[] = []
  for (const [variable, name] of Object.entries(ENV_OPTIONS)) {
    const value = Object.prototype.hasOwnProperty.call(env, variable) ? env[variable] : undefined
    if (value !== undefined && value !== '') out.push({ name, value, variable })
  }
  return out
}

/** The operating-system user name libpq would default `user` to (USER, else USERNAME on Windows). */
export function osUser(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(env, k) ? env[k] : undefined)
  return own('USER') || own('USERNAME') || undefined
}
