/** pgfleet/prisma for Cloudflare Workers (workerd): the Prisma driver adapter over cloudflare:sockets. */
import { installRuntime } from './runtime.js'
import { workerdRuntime } from './transport/cloudflare.js'

installRuntime(workerdRuntime)

export * from './prisma/index.js'
