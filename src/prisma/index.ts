/** pgfleet/prisma, whatever the runtime: the adapter factory and what it is built from. */
export { PrismaPgfleet, type PgfleetPool, type PrismaPgfleetOptions, type Queryable } from './adapter.js'
export { DriverAdapterError } from './errors.js'
export type * from './types.js'
