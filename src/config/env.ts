/**
 * The PG* environment variables libpq reads (libpq 34.15 "Environment
 * Variables"; each row of the option table names its own). Only these are read; an
 * unset or empty variable counts as absent. The caller passes the environment
 * (process.env on Node): nothing here touches a runtime global.
 */

import { ENV_OPTIONS } from './option-table.js'

export { ENV_OPTIONS }

/** One option read from the environment. */
export interface EnvOption {
  /** Option name (`sslmode`). */
  name: string
  value: string
  /** Variable it came from (`PGSSLMODE`), for error messages. */
  variable: string
}

/** [variable, option name] pairs, made once: connect() reads the environment on every call. */
let pairs: [string, string][] | undefined

/**
 * The PG* options set in `env`, in a fixed order. The value is read first and
 * ownership checked only for a set one: on Node each access to process.env
 * is a call into the runtime, and almost all of these are unset.
 */
export function readEnvOptions(env: Readonly<Record<string, string | undefined>>): EnvOption[] {
  const out: EnvOption[] = []
  for (const [variable, name] of (pairs ??= Object.entries(ENV_OPTIONS))) {
    const value = env[variable]
    if (value !== undefined && value !== '' && Object.prototype.hasOwnProperty.call(env, variable)) out.push({ name, value, variable })
  }
  return out
}

/** The operating-system user name libpq would default `user` to (USER, else USERNAME on Windows). */
export function osUser(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(env, k) ? env[k] : undefined)
  return own('USER') || own('USERNAME') || undefined
}
