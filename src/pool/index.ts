/** The connection pool: every new session goes through the balancer factory. */
export { Pool, PoolClient, createPool, type CreatePoolOptions, type PoolNodeStats, type PoolStats } from './pool.js'
export type { PoolOptions } from './options.js'
export type { PoolSizing } from './resource-pool.js'
export { DEFAULT_POOL_SIZING } from './resource-pool.js'
