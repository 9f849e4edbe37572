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
