/** pgfleet/prisma for Node.js (and the default): the Prisma driver adapter on the Node runtime. */
import { installFileFormats } from './config/files.js'
import { installRuntime } from './runtime.js'
import { tlsServerEndPoint } from './tls/channel-binding.js'
import { installEndPointHasher } from './tls/end-point-hook.js'
import { nodeRuntime } from './transport/node.js'

installRuntime(nodeRuntime)
installEndPointHasher(tlsServerEndPoint)
installFileFormats()

export * from './prisma/index.js'
