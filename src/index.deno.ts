/** pgfleet for Deno: Deno.connect / Deno.startTls (src/transport/deno.ts). */
import { installFileFormats } from './config/files.js'
import { installRuntime } from './runtime.js'
import { denoRuntime } from './transport/deno.js'

installRuntime(denoRuntime)
installFileFormats()

export * from './public.js'
