/**
 * Deadlines: every operation has one deadline owner (README, "Deadlines,
 * silent peers and hostile servers"). A
 * Deadline is one timer (and an AbortSignal when something asks for one):
 * when the time passes, or an outer signal aborts, it ends with the error the
 * owner chose, and everything working under it (a dial, a TLS handshake, a
 * startup read, a cancel request) stops with that error. Work below an owner
 * never keeps a clock of its own; it takes the owner's Deadline or signal
 * (a StopSignal).
 *
 * No runtime imports: AbortController and setTimeout exist on Node, Bun,
 * Deno and Workers alike.
 */
import { ConnectionError, ErrorCode } from './errors.js'

/** The PGFLEET_CONNECT_TIMEOUT error (libpq connect_timeout): the reason a connect deadline aborts with. */
export function connectTimeoutError(address: string, timeoutMs: number): ConnectionError {
  return new ConnectionError(`timeout expired after ${timeoutMs} ms connecting to ${address}`, { code: ErrorCode.ConnectTimeout, address })
}

/**
 * What work under a deadline takes to learn that it must stop: an
 * AbortSignal (a caller's), or a Deadline itself. A Deadline passed down as
 * it is costs a timer and an array, where an AbortController and its
 * listeners cost ~20 µs and ~1.5 KB per connect (and the compile of
 * addEventListener in a young process): connect() passes its Deadline, and
 * an AbortSignal is made only for an API that needs one (`Deadline.signal`).
 * Read it only through onAbort, raceSignal, abortReason and `aborted`.
 */
export type StopSignal = AbortSignal | Deadline

const NOTHING_TO_UNLINK = (): void => undefined

/** A timer with the owner's error as its reason; its AbortSignal is made on first use. */
export class Deadline {
  private controller: AbortController | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private unlinkOuter: (() => void) | undefined
  private ended = false
  private why: unknown
  private listeners: ((() => void) | undefined)[] | undefined

  /**
   * @param ms time allowed; 0 or less (or Infinity) = no time limit
   * @param expired the error the deadline ends with when the time passes
   * @param outer a signal whose abort ends this deadline too (with its reason)
   * @param options.unref the timer does not keep the process alive (background work)
   */
  constructor(ms: number, expired: () => Error, outer?: StopSignal, options: { unref?: boolean } = {}) {
    if (outer?.aborted) {
      this.ended = true
      this.why = outer.reason
      return
    }
    if (ms > 0 && ms !== Infinity) {
      this.timer = setTimeout(() => this.abort(expired()), ms)
      if (options.unref) (this.timer as { unref?: () => void }).unref?.()
    }
    if (outer) this.unlinkOuter = onAbort(outer, () => this.abort(outer.reason as Error))
  }

  /** An AbortSignal that aborts with this deadline (made on first use, for APIs that take one). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.ended) this.controller.abort(this.why)
    }
    return this.controller.signal
  }

  /** Whether the deadline has ended (time passed, outer abort or abort()). */
  get aborted(): boolean {
    return this.ended
  }

  /** Why it ended (as AbortSignal.reason). */
  get reason(): unknown {
    return this.why
  }

  /** End the deadline now with `reason` (the work under it stops). */
  abort(reason: Error): void {
    this.clear()
    if (this.ended) return
    this.ended = true
    this.why = reason
    this.controller?.abort(reason)
    const listeners = this.listeners
    this.listeners = undefined
    if (listeners === undefined) return
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i]
      if (listener === undefined) continue
      listeners[i] = undefined
      try {
        listener()
      } catch (error) {
        // As an AbortSignal listener's throw: reported, and the other listeners still run.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }

  /** Call `listener` once when the deadline ends (now if it has); returns a function that removes it. */
  onExpire(listener: () => void): () => void {
    if (this.ended) {
      listener()
      return NOTHING_TO_UNLINK
    }
    const list = (this.listeners ??= [])
    list.push(listener)
    return () => {
      const i = list.indexOf(listener)
      if (i !== -1) list[i] = undefined
    }
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
export function onAbort(signal: StopSignal | undefined, listener: () => void): () => void {
  if (!signal) return NOTHING_TO_UNLINK
  if (signal.aborted) {
    listener()
    return NOTHING_TO_UNLINK
  }
  if (signal instanceof Deadline) return signal.onExpire(listener)
  signal.addEventListener('abort', listener, { once: true })
  return () => signal.removeEventListener('abort', listener)
}

/** The AbortSignal of a StopSignal, for an API that takes one (a Deadline makes its own on first use). */
export function abortSignalOf(signal: StopSignal): AbortSignal {
  return signal instanceof Deadline ? signal.signal : signal
}

/** The error a signal aborted with (an Error even when the reason is not one). */
export function abortReason(signal: StopSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'))
}

/**
 * Settle like `pending`, or reject with the signal's reason as soon as it
 * aborts. A value that arrives after the abort goes to `discard` (close the
 * socket that connected too late), so nothing leaks.
 */
export function raceSignal<T>(pending: Promise<T>, signal: StopSignal | undefined, discard?: (late: T) => void): Promise<T> {
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
