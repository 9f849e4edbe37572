/**
 * The pool's healing loop: every `rebalanceIntervalMs`, and at the moment a
 * failed node's failed_host_ttl_seconds runs out, ask the balancer which
 * sessions sit where it would no longer put them (src/balancer/rebalance.ts)
 * and replace them: an idle one is closed and a new one opened through the
 * balancer at once; a checked-out one is never interrupted, it is replaced
 * when it is released (a busy pool reuses its most recently released
 * sessions, so waiting for one to be idle at a tick could wait forever).
 * At most `rebalanceMoves` replacements are outstanding at any time and a
 * round waits for its immediate ones to settle before the next is planned,
 * so churn is bounded by `rebalanceMoves` per interval. The timer never keeps
 * the process alive.
 */
import type { RebalanceMove } from '../balancer/rebalance.js'
import type { ResourcePool, Slot } from './resource-pool.js'

/** What the healer needs from the connection factory. */
export interface HealerFactory {
  planRebalance(sessions: ReadonlyMap<string, number>, limit: number, pending?: ReadonlyMap<string, number>): RebalanceMove[]
  nextRecoveryAt(): number | undefined
}

export interface HealerOptions<R> {
  core: ResourcePool<R>
  factory: HealerFactory
  /** The node key of a pooled session (undefined: not balanced, never moved). */
  keyOf(resource: R): string | undefined
  intervalMs: number
  moves: number
  now?: () => number
}

/** A recovery tick fires this long after the failed mark expires (the mark is then surely gone). */
const AFTER_EXPIRY_MS = 5

export class Healer<R> {
  /** Sessions replaced so far, per node key they were moved away from. */
  readonly retired = new Map<string, number>()
  /** Checked-out sessions to replace at their release, with their node key. */
  readonly #deferred = new Map<Readonly<Slot<R>>, string>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #running = false
  #stopped = false
  readonly #options: HealerOptions<R>

  constructor(options: HealerOptions<R>) {
    this.#options = options
    this.#schedule()
  }

  /** Sessions replaced so far, all nodes. */
  get retiredTotal(): number {
    let n = 0
    for (const v of this.retired.values()) n += v
    return n
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #now(): number {
    return (this.#options.now ?? Date.now)()
  }

  #schedule(): void {
    if (this.#stopped) return
    let delay = this.#options.intervalMs
    const recovery = this.#options.factory.nextRecoveryAt()
    if (recovery !== undefined) delay = Math.min(delay, Math.max(0, recovery - this.#now()) + AFTER_EXPIRY_MS)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#round()
    }, delay)
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  /** One round: plan, replace (idle now, checked out at release), wait for the immediate ones, schedule the next. */
  async #round(): Promise<void> {
    if (this.#running || this.#stopped) return
    const { core, keyOf } = this.#options
    if (core.ended) return this.stop()
    this.#running = true
    try {
      const pending = new Map<string, number>()
      for (const [slot, key] of this.#deferred) {
        if (slot.state === 'gone') this.#deferred.delete(slot)
        else pending.set(key, (pending.get(key) ?? 0) + 1)
      }
      const limit = this.#options.moves - this.#deferred.size
      if (limit <= 0) return
      // Idle ones first, least recently used first; then checked-out ones.
      const idle = core.idleSlots()
      const busy = core.snapshot().filter((s) => s.state !== 'idle' && !this.#deferred.has(s))
      const movable = [...idle, ...busy] as Slot<R>[]
      const sessions = new Map<string, number>()
      for (const slot of movable) {
        const key = keyOf(slot.resource)
        if (key !== undefined && !this.#deferred.has(slot)) sessions.set(key, (sessions.get(key) ?? 0) + 1)
      }
      if (sessions.size === 0) return
      const moves = this.#options.factory.planRebalance(sessions, limit, pending)
      const chosen = new Set<Slot<R>>()
      const now: Promise<void>[] = []
      for (const move of moves) {
        const slot = movable.find((s) => !chosen.has(s) && !this.#deferred.has(s) && keyOf(s.resource) === move.from)
        if (slot === undefined) continue
        chosen.add(slot)
        const count = () => this.retired.set(move.from, (this.retired.get(move.from) ?? 0) + 1)
        const { now: immediate, done } = core.replace(slot, count)
        if (immediate) now.push(done)
        else if (slot.state !== 'gone') {
          this.#deferred.set(slot, move.from)
          void done.then(() => this.#deferred.delete(slot))
        }
      }
      await Promise.all(now)
    } finally {
      this.#running = false
      this.#schedule()
    }
  }
}
