/** pgfleet for Deno: Deno.connect / Deno.startTls. */
import { installRuntime } from './runtime.js'
import { dialDeno } from './transport/deno.js'

interface DenoGlobal {
  env: { toObject(): Record<string, string> }
  readTextFileSync(path: string): string
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
