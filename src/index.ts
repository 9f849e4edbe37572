/**
 * pgfleet for Node.js (and the default entry). Other runtimes load their own
 * entry through package.json export conditions (src/index.*.ts).
 */
import { installFileFormats } from './config/files.js'
import { installRuntime } from './runtime.js'
import { tlsServerEndPoint } from './tls/channel-binding.js'
import { installEndPointHasher } from './tls/end-point-hook.js'
import { nodeRuntime } from './transport/node.js'

installRuntime(nodeRuntime)
installEndPointHasher(tlsServerEndPoint)
installFileFormats()

export * from './public.js'
