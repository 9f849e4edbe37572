/**
 * The pool's bookkeeping, independent of what it pools: a fair FIFO wait
 * queue, min/max size, idle timeout, max lifetime, acquire timeout, a health
 * check before handing out a connection that sat idle, and a graceful end.
 * `Pool` (pool.ts) plugs sessions in through `ResourceHooks`; unit tests plug
 * in fakes.
 *
 * Invariants:
 * - `slots.size + creating <= max` at all times (a resource counts from the
 *   moment its creation starts until it is closed or destroyed).
 * - Waiters are served strictly in arrival order: whatever becomes free (a
 *   release, a new resource, a passed health check) goes to the oldest waiter.
 * - A resource whose `closed` settled is never handed out; one released as
 *   broken is destroyed, never reused.
 * - `end()` settles within `endTimeoutMs` plus the close of what is left:
 *   creations are aborted at once, idle resources closed, checked-out ones
 *   waited for until the timeout and then destroyed (a later release of
 *   one of those is a no-op).
 * - A resource is lent either to one borrower, or shared by up to
 *   `pipelineDepth` one-shot uses (`share()`, `acquire(true)`; the policy is
 *   pipelining.ts); it goes back once its last share is released.
 */
import { ConnectionError, ErrorCode, PoolTimeoutError } from '../errors.js'
import { leastLoaded, shareBudget } from './pipelining.js'
import type { PoolSizing } from './sizing.js'
import { WaitQueue } from './wait-queue.js'
import { armIdleTimer, clearIdleTimer, type PoolCounts, type ResourceHooks, type Slot } from './slot.js'

export type { PoolCounts, ResourceHooks, Slot } from './slot.js'

/** A generic pool of resources (sessions): acquire with a timeout, release, idle checks and eviction. */
export class ResourcePool<R> {
  readonly #slots = new Set<Slot<R>>()
  /** Idle slots, most recently used last (LIFO reuse lets the rest time out). */
  readonly #idle: Slot<R>[] = []
  readonly #waiters = new WaitQueue<Slot<R>>(() => this.#timeoutError(this.sizing.acquireTimeoutMs))
  #creating = 0
  readonly #closing = new Set<Promise<unknown>>()
  #checking = 0
  #ending: Promise<void> | undefined
  #resolveEnded: (() => void) | undefined
  /** One per creation under way (one shared signal would collect a listener per creation); end() aborts them. */
  readonly #creations = new Set<AbortController>()
  #endTimer: ReturnType<typeof setTimeout> | undefined
  readonly #hooks: ResourceHooks<R>
  readonly #options: { onError?: (error: unknown) => void; now?: () => number }

  constructor(
    hooks: ResourceHooks<R>,
    readonly sizing: PoolSizing,
    options: { onError?: (error: unknown) => void; now?: () => number } = {},
  ) {
    this.#hooks = hooks
    this.#options = options
    this.#fillToMin()
  }

  get ended(): boolean {
    return this.#ending !== undefined
  }

  counts(): PoolCounts {
    let active = 0
    for (const s of this.#slots) if (s.state === 'busy') active++
    return { total: this.#slots.size, idle: this.#idle.length, active, waiting: this.#waiters.length, pending: this.#creating }
  }

  /**
   * Wait for a resource (FIFO); rejects with PoolTimeoutError after
   * `acquireTimeoutMs`. `shared`: for one one-shot use, which may share a
   * resource with others (give it back with releaseShare()).
   */
  acquire(shared = false): Promise<Slot<R>> {
    if (this.#ending) return Promise.reject(endedError())
    return new Promise((resolve, reject) => {
      const waiter = this.#waiters.add(resolve, reject, shared)
      this.#dispatch()
      // Served at once from an idle resource: no deadline to watch.
      if (!waiter.served) this.#waiters.watch(waiter, this.sizing.acquireTimeoutMs)
    })
  }

  /**
   * An idle resource at once, when nobody waits and the most recently used
   * one can go out without a health check: no promise and no timer. Undefined
   * otherwise (then acquire() decides: check, replace or wait).
   */
  acquireNow(): Slot<R> | undefined {
    if (this.#ending || this.#waiters.length > 0) return undefined
    const slot = this.#idle[this.#idle.length - 1]
    if (slot === undefined || slot.dead || !this.#hooks.usable(slot.resource) || this.#now() - slot.idleSince >= this.sizing.idleCheckMs) return undefined
    this.#idle.pop()
    slot.state = 'busy'
    this.#hooks.onCheckout?.(slot.resource)
    return slot
  }

  /**
   * A resource for one one-shot use at once, or undefined (then
   * `acquire(true)`): an idle one as acquireNow() would give, else, when
   * nobody waits, none is idle and the pool is at max, a share of the
   * least-loaded resource already running one-shot uses, below
   * `pipelineDepth` (pipelining.ts). Give it back with releaseShare().
   */
  share(): Slot<R> | undefined {
    const idle = this.acquireNow()
    if (idle !== undefined) {
      idle.shares = 1
      return idle
    }
    // Ending: acquire(true) rejects with PoolEnded rather than a share of a draining session.
    if (this.#ending || this.#waiters.length > 0 || this.#idle.length > 0 || this.#canGrow()) return undefined
    const slot = leastLoaded(this.#slots, this.sizing.pipelineDepth, this.#shareable)
    if (slot !== undefined) slot.shares++
    return slot
  }

  /** Give back one share of a resource; the last one releases it (see release()). */
  releaseShare(slot: Slot<R>, destroy = false): void {
    if (slot.state === 'gone' && this.#ending) return
    if (slot.shares > 1) {
      slot.shares--
      return this.#serveShares()
    }
    slot.shares = 0
    this.release(slot, destroy)
  }

  /** Give a checked-out resource back; `destroy` (or a dead resource) ends it instead of reusing it. */
  release(slot: Slot<R>, destroy = false): void {
    // end() destroyed it after endTimeoutMs: nothing left to give back.
    if (slot.state === 'gone' && this.#ending) return
    if (slot.state !== 'busy') throw new Error('release called on a connection that is not checked out of this pool')
    const expired = this.sizing.maxLifetimeMs > 0 && this.#now() - slot.createdAt >= this.sizing.maxLifetimeMs
    const replacing = slot.replaceOnRelease
    slot.replaceOnRelease = undefined
    if (destroy || slot.dead || !this.#hooks.usable(slot.resource)) this.#remove(slot, 'destroy')
    else if (this.#ending || expired) this.#remove(slot, 'close')
    else if (replacing !== undefined) {
      replacing(this.#swap(slot))
      return
    } else this.#makeIdle(slot)
    replacing?.(undefined)
    this.#fillToMin()
    this.#dispatch()
  }

  /** Every open resource with its state ('idle', 'busy' or 'checking'), for statistics. */
  snapshot(): ReadonlyArray<Readonly<Slot<R>>> {
    return [...this.#slots]
  }

  /** Idle resources, least recently used first (the ones to retire first). */
  idleSlots(): ReadonlyArray<Slot<R>> {
    return [...this.#idle]
  }

  /**
   * Close a resource and open a replacement in its place (rebalancing; see
   * swap() for idle surplus, closed without one). An idle one is replaced now; a checked-out one (or one being checked) is
   * never interrupted: it is replaced when it is released. `onReplaced` runs
   * once the old one is removed (not when it died or the pool ended first).
   * Resolves `done` once the old one is closed and the new one is open (or
   * failed); for a deferred replacement that is after the release.
   */
  replace(slot: Slot<R>, onReplaced?: () => void): { now: boolean; done: Promise<void> } {
    if (this.#ending || slot.state === 'gone' || slot.dead) return { now: false, done: Promise.resolve() }
    if (slot.state !== 'idle') {
      const done = new Promise<void>((resolve) => {
        slot.replaceOnRelease = (swap) => {
          if (swap === undefined) return resolve()
          onReplaced?.()
          void swap.then(resolve)
        }
      })
      return { now: false, done }
    }
    onReplaced?.()
    return { now: true, done: this.#swap(slot) }
  }

  /**
   * Stop handing out resources: reject waiters, abort creations, close idle
   * ones, wait for checked-out ones to come back; after `endTimeoutMs`
   * destroy those still out. Settles once every resource has ended.
   */
  end(): Promise<void> {
    if (this.#ending) return this.#ending
    this.#ending = new Promise((resolve) => (this.#resolveEnded = resolve))
    this.#waiters.rejectAll(endedError())
    for (const creation of this.#creations) creation.abort(endedError())
    for (const slot of this.#idle.slice()) this.#remove(slot, 'close')
    const destroyRest = () => {
      this.#endTimer = undefined
      for (const slot of [...this.#slots]) this.#remove(slot, 'destroy')
    }
    if (this.sizing.endTimeoutMs > 0) this.#endTimer = setTimeout(destroyRest, this.sizing.endTimeoutMs)
    else destroyRest()
    this.#checkEnded()
    return this.#ending
  }

  // ---- internals -----------------------------------------------------------

  #now(): number {
    return (this.#options.now ?? Date.now)()
  }

  #timeoutError(ms: number): PoolTimeoutError {
    const c = this.counts()
    return new PoolTimeoutError(
      `timed out after ${ms} ms waiting for a connection: all ${this.sizing.max} (max) are in use ` +
        `(${c.active} checked out, ${c.pending} opening, ${c.waiting} other acquires waiting)`,
    )
  }

  /** Serve waiters from idle resources, then open new ones while below max, then one-shot waiters from shared resources. */
  #dispatch(): void {
    while (this.#waiters.length > 0 && this.#idle.length > 0) {
      // Its idle timer keeps running: it finds the slot busy and stops, or idle again and waits on (armIdleTimer).
      const slot = this.#idle.pop()!
      if (slot.dead || !this.#hooks.usable(slot.resource)) {
        this.#remove(slot, 'destroy')
        continue
      }
      if (this.#now() - slot.idleSince >= this.sizing.idleCheckMs) this.#check(slot)
      else this.#handOut(slot)
    }
    if (this.#ending) return
    while (
      this.#waiters.length > this.#creating + this.#checking &&
      this.#slots.size + this.#creating < this.sizing.max
    )
      this.#create()
    this.#serveShares()
  }

  #handOut(slot: Slot<R>): void {
    const waiter = this.#waiters.shift()
    if (!waiter) return this.#makeIdle(slot)
    waiter.served = true
    slot.state = 'busy'
    slot.shares = waiter.shared ? 1 : 0
    this.#hooks.onCheckout?.(slot.resource)
    waiter.resolve(slot)
    if (!waiter.shared || this.#canGrow()) return
    // At max: the one-shot waiters next in line share it, an even split with the sessions still opening.
    const budget = shareBudget(this.sizing.pipelineDepth, this.#waiters.length + 1, this.#creating + this.#checking)
    while (slot.shares < budget && this.#waiters.sharedFirst) this.#giveShare(slot)
  }

  /**
   * One-shot waiters first in line: each to the least-loaded shared resource
   * with room; none while the pool can still grow, and not those that the
   * resources being opened or checked will take (handOut splits them evenly).
   */
  #serveShares(): void {
    if (!this.#waiters.sharedFirst || this.#idle.length > 0 || this.#canGrow()) return
    const reserved = (this.#creating + this.#checking) * this.sizing.pipelineDepth
    while (this.#waiters.sharedFirst && this.#waiters.length > reserved) {
      const slot = leastLoaded(this.#slots, this.sizing.pipelineDepth, this.#shareable)
      if (slot === undefined) return
      this.#giveShare(slot)
    }
  }

  #giveShare(slot: Slot<R>): void {
    const waiter = this.#waiters.shift()!
    waiter.served = true
    slot.shares++
    waiter.resolve(slot)
  }

  /** A shared resource that may take one more use: alive, not being replaced, and as the hooks say. */
  readonly #shareable = (slot: Slot<R>): boolean =>
    slot.state === 'busy' &&
    !slot.dead &&
    slot.replaceOnRelease === undefined &&
    this.#hooks.usable(slot.resource) &&
    (this.#hooks.shareable?.(slot.resource) ?? true)

  /** Below max (open + opening) and not ending: a new resource could be opened now. */
  #canGrow(): boolean {
    return !this.#ending && this.#slots.size + this.#creating < this.sizing.max
  }

  /**
   * Close `slot` and open a replacement (within max); settles when both are
   * done. An idle one that sat through half the idle timeout is surplus the
   * pool is about to shed anyway: it is closed without a replacement (min
   * still refills), so moving sessions never keeps a shrinking pool large.
   */
  #swap(slot: Slot<R>): Promise<void> {
    const { idleTimeoutMs } = this.sizing
    const surplus = slot.state === 'idle' && idleTimeoutMs > 0 && (this.#now() - slot.idleSince) * 2 >= idleTimeoutMs
    const closed = this.#remove(slot, 'close')
    const created = !surplus && this.#slots.size + this.#creating < this.sizing.max ? this.#create() : Promise.resolve()
    this.#fillToMin()
    this.#dispatch()
    const settle = () => undefined
    return Promise.all([closed.then(settle, settle), created]).then(settle)
  }

  /** Health check of a resource that sat idle: pass → first waiter, fail → drop it. */
  #check(slot: Slot<R>): void {
    slot.state = 'checking'
    this.#checking++
    const done = (ok: boolean) => {
      this.#checking--
      if (slot.state !== 'checking') return this.#dispatch() // died meanwhile
      if (ok && !slot.dead && this.#hooks.usable(slot.resource) && !this.#ending) {
        slot.idleSince = this.#now()
        this.#handOut(slot)
      } else this.#remove(slot, 'destroy')
      this.#fillToMin()
      this.#dispatch()
    }
    this.#hooks.validate(slot.resource).then(
      (result) => done(result !== false),
      () => done(false),
    )
  }

  /** Open one resource; the returned promise settles (never rejects) once it is open or failed. */
  #create(): Promise<void> {
    this.#creating++
    const creation = new AbortController()
    this.#creations.add(creation)
    let promise: Promise<R>
    try {
      promise = this.#hooks.create(creation.signal)
    } catch (error) {
      promise = Promise.reject(error)
    }
    const forget = () => this.#creations.delete(creation)
    promise.then(forget, forget)
    promise.then(
      (resource) => {
        this.#creating--
        const slot: Slot<R> = { resource, createdAt: this.#now(), state: 'idle', shares: 0, idleSince: this.#now(), dead: false }
        this.#slots.add(slot)
        this.#hooks.closed(resource).then(
          () => this.#died(slot),
          () => this.#died(slot),
        )
        if (this.#ending) this.#remove(slot, 'close')
        else if (this.#waiters.length > 0) this.#handOut(slot)
        else this.#makeIdle(slot)
        this.#dispatch()
      },
      (error: unknown) => {
        this.#creating--
        // The oldest waiter not covered by another pending creation learns why.
        if (this.#waiters.length > this.#creating + this.#checking) {
          this.#waiters.shift()!.reject(error instanceof Error ? error : new Error(String(error)))
        } else if (!this.#ending) this.#options.onError?.(error)
        this.#checkEnded()
      },
    )
    return promise.then(
      () => undefined,
      () => undefined,
    )
  }

  #fillToMin(): void {
    if (this.#ending) return
    while (this.#slots.size + this.#creating < this.sizing.min) this.#create()
  }

  #makeIdle(slot: Slot<R>): void {
    slot.state = 'idle'
    slot.shares = 0
    slot.idleSince = this.#now()
    slot.idleUntil = slot.idleSince + (this.sizing.idleTimeoutMs > 0 ? this.sizing.idleTimeoutMs : Infinity)
    slot.idleRounds = (slot.idleRounds ?? 0) + 1
    this.#idle.push(slot)
    this.#hooks.onIdle?.(slot.resource)
    this.#armIdleTimer(slot)
  }

  #armIdleTimer(slot: Slot<R>): void {
    armIdleTimer(slot, this.sizing, () => this.#now(), this.#idleDue)
  }

  /** An idle slot's timeout or end of life came: close it, unless it is kept for min (then look again one idle timeout later). */
  readonly #idleDue = (slot: Slot<R>): void => {
    const { maxLifetimeMs } = this.sizing
    const expired = maxLifetimeMs > 0 && this.#now() - slot.createdAt >= maxLifetimeMs
    if (expired || this.#slots.size > this.sizing.min) {
      this.#remove(slot, 'close')
      this.#fillToMin()
    } else {
      slot.idleUntil = this.sizing.idleTimeoutMs > 0 ? this.#now() + this.sizing.idleTimeoutMs : Infinity
      this.#armIdleTimer(slot)
    }
  }

  /** The resource ended on its own. Idle: forget it now. Checked out: its release destroys it. */
  #died(slot: Slot<R>): void {
    slot.dead = true
    if (slot.state === 'idle') {
      this.#remove(slot, 'destroy')
      this.#fillToMin()
      this.#dispatch()
    }
  }

  /** Forget a slot and end its resource; resolves when it has ended. */
  #remove(slot: Slot<R>, how: 'close' | 'destroy'): Promise<unknown> {
    if (slot.state === 'gone') return Promise.resolve()
    slot.state = 'gone'
    // A replacement waiting for a release that will now never come.
    const replacing = slot.replaceOnRelease
    slot.replaceOnRelease = undefined
    replacing?.(undefined)
    clearIdleTimer(slot)
    const index = this.#idle.indexOf(slot)
    if (index !== -1) this.#idle.splice(index, 1)
    this.#slots.delete(slot)
    let ended: Promise<unknown>
    try {
      if (how === 'destroy') this.#hooks.destroy(slot.resource)
      ended = how === 'destroy' ? this.#hooks.closed(slot.resource) : this.#hooks.close(slot.resource)
    } catch (error) {
      ended = Promise.reject(error)
    }
    // end() resolves only once every session is really closed (host counts released).
    const settled: Promise<unknown> = ended.then(
      () => this.#closing.delete(settled),
      () => this.#closing.delete(settled),
    )
    this.#closing.add(settled)
    this.#checkEnded()
    return settled
  }

  #checkEnded(): void {
    if (!this.#ending || this.#slots.size > 0 || this.#creating > 0 || !this.#resolveEnded) return
    const resolve = this.#resolveEnded
    this.#resolveEnded = undefined
    if (this.#endTimer !== undefined) clearTimeout(this.#endTimer)
    this.#endTimer = undefined
    void Promise.all(this.#closing).then(() => resolve())
  }
}

function endedError(): ConnectionError {
  return new ConnectionError('the pool has been ended', { code: ErrorCode.PoolEnded })
}
