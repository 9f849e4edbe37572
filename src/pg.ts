/** pgfleet/pg for Node.js: the pg-compatible facade on the Node runtime. */
import { installFileFormats } from './config/files.js'
import { installRuntime } from './runtime.js'
import { tlsServerEndPoint } from './tls/channel-binding.js'
import { installEndPointHasher } from './tls/end-point-hook.js'
import { nodeRuntime } from './transport/node.js'

installRuntime(nodeRuntime)
installEndPointHasher(tlsServerEndPoint)
installFileFormats()

export * from './compat/index.js'
export { default } from './compat/index.js'
