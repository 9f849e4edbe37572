/**
 * pgfleet for Cloudflare Workers (workerd): cloudflare:sockets. Workers have
 * no files and no process environment: pass certificates as PEM text and
 * settings in the connection string.
 */
import { installRuntime } from './runtime.js'
import { dialCloudflare } from './transport/cloudflare.js'

installRuntime({ name: 'workerd', dial: dialCloudflare, env: () => ({}) })

export * from './public.js'
