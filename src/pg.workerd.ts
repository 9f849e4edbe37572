/**
 * pgfleet/pg for Cloudflare Workers (workerd): the pg-compatible facade over
 * cloudflare:sockets, for libraries that take a pg Pool there (Kysely's
 * PostgresDialect; Drizzle's node-postgres driver with `pg` aliased to it).
 */
import { installRuntime } from './runtime.js'
import { workerdRuntime } from './transport/cloudflare.js'

installRuntime(workerdRuntime)

export * from './compat/index.js'
export { default } from './compat/index.js'
