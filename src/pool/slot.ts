/**
 * A pooled resource's record (state, shares, idle timer) and the hooks that
 * plug sessions (or, in unit tests, fakes) into ResourcePool.
 */
import type { PoolSizing } from './sizing.js'

/** How the pool creates, checks and ends one resource. */
export interface ResourceHooks<R> {
  /** Open a resource; `signal` aborts when the pool ends (the creation must then reject). */
  create(signal: AbortSignal): Promise<R>
  /** Settles when the resource ended on its own (server kill, network) or was closed. */
  closed(resource: R): Promise<unknown>
  /** Synchronous liveness: false once the resource cannot run queries. */
  usable(resource: R): boolean
  /** A cheap round trip before reuse after an idle period; false or a rejection drops it. */
  validate(resource: R): Promise<unknown>
  /** End gracefully (finish what is queued). */
  close(resource: R): Promise<unknown>
  /** End at once. */
  destroy(resource: R): void
  /** Called when the resource goes idle (e.g. unref its socket). */
  onIdle?(resource: R): void
  /** Called when the resource is handed out (e.g. ref its socket). */
  onCheckout?(resource: R): void
  /** Whether a resource running one-shot uses may take one more now (e.g. not inside a transaction block). */
  shareable?(resource: R): boolean
}

/** One pooled resource and its state. */
export interface Slot<R> {
  readonly resource: R
  readonly createdAt: number
  state: 'idle' | 'busy' | 'checking' | 'gone'
  /** One-shot uses it runs now (see share()); 0 while idle or lent to one borrower. */
  shares: number
  idleSince: number
  /** `closed` settled: never hand out again. */
  dead: boolean
  /** Set by replace() on a checked-out resource: called at release with the swap under way, or with undefined when it went otherwise. */
  replaceOnRelease?: (swap: Promise<void> | undefined) => void
  /** While idle: when the idle timeout ends (Infinity without one). */
  idleUntil?: number
  /** How many times it became idle (its idle timer tells a new idle period from the one it was set for). */
  idleRounds?: number
  timer?: ReturnType<typeof setTimeout>
}

/** Counts for monitoring. */
export interface PoolCounts {
  /** Open connections (idle + checked out + being checked), not counting ones being opened. */
  total: number
  idle: number
  /** Checked out by callers. */
  active: number
  /** Acquires waiting for a connection. */
  waiting: number
  /** Connections being opened now. */
  pending: number
}

/**
 * One timer per idle resource: idle timeout or end of lifetime, whichever
 * comes first; `due` runs when it comes while the slot is still in the same
 * idle period. A checkout does not clear it (a set and a clear per query cost
 * more than the rare early wake-up): a timer that finds its slot busy stops,
 * and one that finds it idle again, with time left, waits for the rest.
 */
export function armIdleTimer<R>(slot: Slot<R>, sizing: PoolSizing, now: () => number, due: (slot: Slot<R>) => void): void {
  if (slot.timer !== undefined) return
  const { maxLifetimeMs } = sizing
  const ms = Math.min(slot.idleUntil ?? Infinity, maxLifetimeMs > 0 ? slot.createdAt + maxLifetimeMs : Infinity) - now()
  if (ms === Infinity) return
  const round = slot.idleRounds
  slot.timer = setTimeout(() => {
    slot.timer = undefined
    if (slot.state !== 'idle') return
    // Checked out and back since it was set: wait for what is left of this idle period.
    if (slot.idleRounds !== round) return armIdleTimer(slot, sizing, now, due)
    due(slot)
  }, Math.max(0, ms))
  // An idle pool must not keep the process alive.
  ;(slot.timer as { unref?: () => void }).unref?.()
}

export function clearIdleTimer(slot: Slot<unknown>): void {
  if (slot.timer) clearTimeout(slot.timer)
  slot.timer = undefined
}
