/** pgfleet for Bun: Bun.connect sockets, files read with Bun's node:fs compat (src/transport/bun.ts). */
import { installFileFormats } from './config/files.js'
import { installRuntime } from './runtime.js'
import { tlsServerEndPoint } from './tls/channel-binding.js'
import { installEndPointHasher } from './tls/end-point-hook.js'
import { bunRuntime } from './transport/bun.js'

installRuntime(bunRuntime)
installEndPointHasher(tlsServerEndPoint)
installFileFormats()

export * from './public.js'
