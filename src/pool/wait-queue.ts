/**
 * The acquires waiting for a pooled resource, served strictly in arrival
 * order, and one timer for all their deadlines: they share one timeout, so
 * the oldest one's deadline comes first. The timer is not moved when a
 * waiter is served (a set and a clear per acquire cost more than a wake-up
 * with nothing due); it stops when nobody waits, so it never keeps the
 * process alive on its own.
 */

/** One waiting acquire. */
export interface Waiter<T> {
  resolve(value: T): void
  reject(error: Error): void
  /** Handed a resource (set before resolve, so acquire() knows it needs no deadline). */
  served: boolean
  /** performance.now() past which it is rejected; 0: never. */
  deadline: number
  /** Waits for a share of a session (one one-shot query, see pipelining.ts), not for a session of its own. */
  shared: boolean
}

export class WaitQueue<T> {
  readonly #waiters: Waiter<T>[] = []
  #timer: ReturnType<typeof setTimeout> | undefined
  readonly #timedOut: () => Error

  /** `timedOut` makes the error a waiter gets when its deadline passes. */
  constructor(timedOut: () => Error) {
    this.#timedOut = timedOut
  }

  get length(): number {
    return this.#waiters.length
  }

  /** A new waiter at the back of the line (no deadline yet: see watch()). */
  add(resolve: (value: T) => void, reject: (error: Error) => void, shared = false): Waiter<T> {
    const waiter: Waiter<T> = { resolve, reject, served: false, deadline: 0, shared }
    this.#waiters.push(waiter)
    return waiter
  }

  /** Reject `waiter` if it still waits after `timeoutMs` (0: never). */
  watch(waiter: Waiter<T>, timeoutMs: number): void {
    if (timeoutMs <= 0) return
    waiter.deadline = performance.now() + timeoutMs
    this.#arm()
  }

  /** Whether the oldest waiter waits for a share of a session (see Waiter.shared). */
  get sharedFirst(): boolean {
    return this.#waiters[0]?.shared === true
  }

  /** The oldest waiter, taken out of the line. */
  shift(): Waiter<T> | undefined {
    const waiter = this.#waiters.shift()
    if (this.#waiters.length === 0) this.#stop()
    return waiter
  }

  /** Reject every waiter with `error` (the pool ends). */
  rejectAll(error: Error): void {
    this.#stop()
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error)
  }

  #arm(): void {
    const head = this.#waiters[0]
    if (this.#timer !== undefined || head === undefined || head.deadline === 0) return
    this.#timer = setTimeout(this.#expire, Math.max(1, head.deadline - performance.now()))
  }

  readonly #expire = (): void => {
    this.#timer = undefined
    const now = performance.now()
    while (this.#waiters.length > 0 && this.#waiters[0]!.deadline !== 0 && this.#waiters[0]!.deadline <= now) {
      this.#waiters.shift()!.reject(this.#timedOut())
    }
    this.#arm()
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
