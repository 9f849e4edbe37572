/** pgfleet for Deno: Deno.connect / Deno.startTls. */
import { installRuntime } from './runtime.js'
import { dialDeno } from './transport/deno.js'

interface DenoGlobal {
  env: { toObject(): Record<string, string>; get(name: string): string | undefined }
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
  // HOME for ~/.pgpass, ~/.pg_service.conf and ~/.postgresql (none without --allow-env).
  homeDir: () => {
    try {
      return deno.env.get('HOME') || undefined
    } catch {
      return undefined
    }
  },
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
