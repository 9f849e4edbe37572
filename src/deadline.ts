/**
 * Deadlines: every operation has one deadline owner (README, "Deadlines,
 * silent peers and hostile servers"). A
 * Deadline is one timer and one AbortSignal: when the time passes, or an
 * outer signal aborts, the signal aborts with the error the owner chose, and
 * everything working under it (a dial, a TLS handshake, a startup read, a
 * cancel request) stops with that error. Work below an owner never keeps a
 * clock of its own; it takes the owner's signal.
 *
 * No runtime imports: AbortController and setTimeout exist on Node, Bun,
 * Deno and Workers alike.
 */
import { ConnectionError, ErrorCode } from './errors.js'

/** The PGFLEET_CONNECT_TIMEOUT error (libpq connect_timeout): the reason a connect deadline aborts with. */
export function connectTimeoutError(address: string, timeoutMs: number): ConnectionError {
  return new ConnectionError(`timeout expired after ${timeoutMs} ms connecting to ${address}`, { code: ErrorCode.ConnectTimeout, address })
}

/** A timer-backed AbortSignal with the owner's error as its reason. */
export class Deadline {
  private readonly controller = new AbortController()
  private timer: ReturnType<typeof setTimeout> | undefined
  private unlinkOuter: (() => void) | undefined

  /**
   * @param ms time allowed; 0 or less (or Infinity) = no time limit
   * @param expired the error the signal aborts with when the time passes
   * @param outer a signal whose abort ends this deadline too (with its reason)
   * @param options.unref the timer does not keep the process alive (background work)
   */
  constructor(ms: number, expired: () => Error, outer?: AbortSignal, options: { unref?: boolean } = {}) {
    if (outer?.aborted) {
      this.controller.abort(outer.reason)
      return
    }
    if (ms > 0 && ms !== Infinity) {
      this.timer = setTimeout(() => this.abort(expired()), ms)
      if (options.unref) (this.timer as { unref?: () => void }).unref?.()
    }
    if (outer) this.unlinkOuter = onAbort(outer, () => this.abort(outer.reason))
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  get expired(): boolean {
    return this.controller.signal.aborted
  }

  /** End the deadline now with `reason` (the work under it stops). */
  abort(reason: Error): void {
    this.clear()
    if (!this.controller.signal.aborted) this.controller.abort(reason)
  }

  /** The work finished: stop the timer and let go of the outer signal. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.unlinkOuter?.()
    this.unlinkOuter = undefined
  }
}

/** Call `listener` once when `signal` aborts; returns a function that removes it. */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => undefined
  if (signal.aborted) {
    listener()
    return () => undefined
  }
  signal.addEventListener('abort', listener, { once: true })
  return () => signal.removeEventListener('abort', listener)
}

/** The error a signal aborted with (an Error even when the reason is not one). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'))
}

/**
 * Settle like `pending`, or reject with the signal's reason as soon as it
 * aborts. A value that arrives after the abort goes to `discard` (close the
 * socket that connected too late), so nothing leaks.
 */
export function raceSignal<T>(pending: Promise<T>, signal: AbortSignal | undefined, discard?: (late: T) => void): Promise<T> {
  if (!signal) return pending
  if (signal.aborted) {
    pending.then(discard, () => undefined)
    return Promise.reject(abortReason(signal))
  }
  return new Promise<T>((resolve, reject) => {
    let aborted = false
    const unlink = onAbort(signal, () => {
      aborted = true
      reject(abortReason(signal))
    })
    pending.then(
      (value) => {
        unlink()
        if (aborted) discard?.(value)
        else resolve(value)
      },
      (error: unknown) => {
        unlink()
        if (!aborted) reject(error)
      },
    )
  })
}

/** True when `pending` settles within `ms` (it keeps running either way). */
export function settlesWithin(pending: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms === Infinity) return pending.then(() => true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    pending.then(() => (clearTimeout(timer), resolve(true)))
  })
}
