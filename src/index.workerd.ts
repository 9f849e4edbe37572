/**
 * pgfleet for Cloudflare Workers (workerd): cloudflare:sockets
 * (src/transport/cloudflare.ts). Workers have no files and no process
 * environment: pass certificates as PEM text and settings in the connection string.
 */
import { installRuntime } from './runtime.js'
import { workerdRuntime } from './transport/cloudflare.js'

installRuntime(workerdRuntime)

export * from './public.js'
