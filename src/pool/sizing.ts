/**
 * How large a pool may be and how long its timers run: read by ResourcePool and
 * Pool, defaulted here for the option table's pool rows.
 */

/** Sizing and timing of a pool. Times in milliseconds; 0 disables a timer. */
export interface PoolSizing {
  /** Connections kept open even when idle (default 0). */
  min: number
  /** Upper bound on open plus opening connections (default 10). */
  max: number
  /** Close a connection idle this long while more than `min` are open (default 10,000). */
  idleTimeoutMs: number
  /** Retire a connection this old when it is next idle (default 0: never). */
  maxLifetimeMs: number
  /** Reject an acquire that waited this long with PoolTimeoutError (default 30,000). */
  acquireTimeoutMs: number
  /** Run a cheap check before handing out a connection idle at least this long (default 1,000; 0: always). */
  idleCheckMs: number
  /** end() waits this long for checked-out connections, then destroys them (default 5,000; 0: at once). */
  endTimeoutMs: number
  /** With load balancing: look for sessions to move this often, and when a failed node's TTL runs out (default 1,000; 0: never heal). Used by Pool. */
  rebalanceIntervalMs: number
  /** At most this many sessions being moved at once (default 2). Used by Pool. */
  rebalanceMoves: number
  /** With every session busy at max: at most this many one-shot `pool.query` calls pipelined on one session (default 8; 1: one at a time). See pipelining.ts. */
  pipelineDepth: number
}

/** Pool sizing used for every option the caller leaves out. */
export const DEFAULT_POOL_SIZING: Readonly<PoolSizing> = Object.freeze({
  min: 0,
  max: 10,
  idleTimeoutMs: 10_000,
  maxLifetimeMs: 0,
  acquireTimeoutMs: 30_000,
  idleCheckMs: 1_000,
  endTimeoutMs: 5_000,
  rebalanceIntervalMs: 1_000,
  rebalanceMoves: 2,
  pipelineDepth: 8,
})
