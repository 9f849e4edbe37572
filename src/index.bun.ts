/** pgfleet for Bun: Bun.connect sockets, files read with Bun's node:fs compat (src/transport/bun.ts). */
import { installRuntime } from './runtime.js'
import { bunRuntime } from './transport/bun.js'

installRuntime(bunRuntime)

export * from './public.js'
