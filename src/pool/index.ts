/** The connection pool: every new session goes through the balancer factory. */
export { Pool, PoolClient, createPool, type CreatePoolOptions, type PoolNodeStats, type PoolStats } from './pool.js'
export type { PoolOptions } from './options.js'
export { DEFAULT_POOL_SIZING, type PoolSizing } from './sizing.js'
