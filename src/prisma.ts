/** pgfleet/prisma for Node.js (and the default): the Prisma driver adapter on the Node runtime. */
import { installRuntime } from './runtime.js'
import { nodeRuntime } from './transport/node.js'

installRuntime(nodeRuntime)

export * from './prisma/index.js'
