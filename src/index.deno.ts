/** pgfleet for Deno: Deno.connect / Deno.startTls (src/transport/deno.ts). */
import { installRuntime } from './runtime.js'
import { denoRuntime } from './transport/deno.js'

installRuntime(denoRuntime)

export * from './public.js'
