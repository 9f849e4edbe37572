/** pgfleet for Deno: Deno.connect / Deno.startTls. */
import { installRuntime } from './runtime.js'
import { dialDeno } from './transport/deno.js'

interface DenoGlobal {
  env: { toObject(): Record<string, string> }
  readTextFileSync(path: string): string
  statSync(path: string): { mode: number | null }
}
const deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno

installRuntime({
  name: 'deno',
  dial: dialDeno,
  readFile: (path) => {
    try {
      return deno.readTextFileSync(path)
    } catch {
      return undefined
    }
  },
  // No homeDir: libpq's default TLS files (~/.postgresql/root.crt) would ask for verify-ca,
  // which Deno cannot do, so the default files (~/.pgpass, ~/.pg_service.conf too) are not read here.
  // st_mode for the password file's permission check; null on Windows, where libpq checks none.
  fileMode: (path) => {
    try {
      return deno.statSync(path).mode ?? undefined
    } catch {
      return undefined
    }
  },
  warn: (message) => console.warn(`PgfleetWarning: ${message}`),
  // Without --allow-env, Deno throws: then there is no PG* environment.
  env: () => {
    try {
      return deno.env.toObject()
    } catch {
      return {}
    }
  },
})

export * from './public.js'
