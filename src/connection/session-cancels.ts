/**
 * The CancelRequests a session sends for its own operations (a deadline, an
 * abort, a result too large), and the hold they put on its writes.
 *
 * A CancelRequest stops whatever the backend runs when its signal lands
 * (protocol docs 55.2.8), and the postmaster signals the backend and its
 * process group, so a second signal can land a little later. Hence:
 * - a cancel goes out only for the operation the session is running; one for
 *   an operation written behind others waits until it runs, and is dropped
 *   if by then more is written behind it (the server may already be on the
 *   next query, and the cancel would stop that one instead);
 * - while a cancel is out and its operation has not finished, nothing new is
 *   written; after the operation finished, the hold lasts until the cancel
 *   connection is done, at most `lingerMs` (cancel_timeout);
 * - a cancel never keeps the process alive (its socket and timer are
 *   unref'd), and it is not stopped when the session ends, so the server
 *   still stops the work (and frees the locks) of a session given up.
 * Queries already written behind a running one that is cancelled can still
 * be hit: PostgreSQL cannot cancel one query of a pipeline.
 */
import type { Operation } from './operation.js'

export class SessionCancels {
  /** Operations to cancel once they run, with what to do when the request goes out. */
  private readonly deferred = new Map<Operation, () => void>()
  /** CancelRequests under way, by operation. */
  private readonly inFlight = new Map<Operation, Promise<void>>()
  /** Operations whose cancel went out and that have not finished: writes wait. */
  private readonly cancelled = new Set<Operation>()
  /** Finished operations whose cancel is still under way: writes wait, at most lingerMs. */
  private readonly lingering = new Set<Operation>()

  constructor(
    /** Send one CancelRequest for this session, in the background. */
    private readonly send: () => Promise<void>,
    /** A hold ended: queued operations may be written again. */
    private readonly released: () => void,
    /** The longest a finished operation's cancel holds the session. */
    private readonly lingerMs: number,
  ) {}

  /** True while queued operations must wait. */
  get holding(): boolean {
    return this.cancelled.size > 0 || this.lingering.size > 0
  }

  /** Cancel `op`, which the session runs now; `sent` runs once the request is out. */
  request(op: Operation, sent: () => void): void {
    this.deferred.delete(op)
    this.cancelled.add(op)
    // A cancel still under way serves again; a finished one (the server ignored it) is sent anew.
    if (!this.inFlight.has(op)) {
      const pending = this.send().catch(() => undefined)
      this.inFlight.set(op, pending)
      void pending.then(() => {
        this.inFlight.delete(op)
        if (this.lingering.delete(op)) this.released()
      })
    }
    sent()
  }

  /** Cancel `op`, written behind others, once it runs (see nowRunning). */
  defer(op: Operation, sent: () => void): void {
    if (!this.cancelled.has(op)) this.deferred.set(op, sent)
  }

  /** `op` is now the operation the session runs; `alone` when nothing is written behind it. */
  nowRunning(op: Operation, alone: boolean): void {
    const sent = this.deferred.get(op)
    if (!sent) return
    this.deferred.delete(op)
    if (alone) this.request(op, sent)
  }

  /** `op` received its ReadyForQuery. */
  finished(op: Operation): void {
    this.deferred.delete(op)
    if (!this.cancelled.delete(op)) return
    if (this.inFlight.has(op) && this.lingerMs > 0) {
      this.lingering.add(op)
      const timer = setTimeout(() => {
        if (this.lingering.delete(op)) this.released()
      }, this.lingerMs)
      ;(timer as { unref?: () => void }).unref?.()
    }
    this.released()
  }

  /** The session ended: nothing is held any more (cancels under way finish in the background). */
  ended(): void {
    this.deferred.clear()
    this.cancelled.clear()
    this.lingering.clear()
  }
}
