/**
 * The CancelRequests a session sends for its own operations (a deadline, an
 * abort, a result too large), and the hold they put on its writes.
 *
 * A CancelRequest stops whatever the backend runs when its signal lands
 * (protocol docs 55.2.8: "it is possible for the cancel request to [...] have
 * no effect" or to hit a later query). So a cancel is sent only once its
 * operation is the one running, and until the cancel connection is done and
 * that operation has finished, nothing new is written on the session: a query
 * written meanwhile could be the one the signal stops (the postmaster signals
 * the backend and its process group, so a second signal can land late).
 * Queries already written behind the cancelled one can still be hit;
 * PostgreSQL cannot cancel one query of a pipeline.
 */
import type { Operation } from './operation.js'

export class SessionCancels {
  /** Operations to cancel once they run, with what to do when the request goes out. */
  private readonly deferred = new Map<Operation, () => void>()
  /** Operations whose cancel is under way, with the resolver of "it finished". */
  private readonly finishing = new Map<Operation, () => void>()
  /** Aborted when the session ends: a cancel for a session that is gone only keeps the process up. */
  private readonly stop = new AbortController()
  private holds = 0

  constructor(
    /** Send one CancelRequest for this session. */
    private readonly send: (signal: AbortSignal) => Promise<void>,
    /** A hold ended: queued operations may be written again. */
    private readonly released: () => void,
  ) {}

  /** True while queued operations must wait (a cancel is under way or its operation still runs). */
  get holding(): boolean {
    return this.holds > 0
  }

  /** Cancel `op`: now if it runs (`running`), else once it does. `sent` runs when the request goes out. */
  request(op: Operation, running: boolean, sent: () => void): void {
    if (this.finishing.has(op) || this.deferred.has(op)) return
    if (!running) {
      this.deferred.set(op, sent)
      return
    }
    this.holds++
    const finished = new Promise<void>((resolve) => this.finishing.set(op, resolve))
    const cancelled = this.send(this.stop.signal).catch(() => undefined)
    void Promise.all([cancelled, finished]).then(() => {
      this.holds--
      this.released()
    })
    sent()
  }

  /** `op` is now the operation the server runs: a cancel deferred for it goes out. */
  nowRunning(op: Operation): void {
    const sent = this.deferred.get(op)
    if (!sent) return
    this.deferred.delete(op)
    this.request(op, true, sent)
  }

  /** `op` received its ReadyForQuery. */
  finished(op: Operation): void {
    this.deferred.delete(op)
    this.finishing.get(op)?.()
    this.finishing.delete(op)
  }

  /** The session ended: forget deferred cancels, stop those under way, release every hold. */
  ended(reason: Error): void {
    this.deferred.clear()
    this.stop.abort(reason)
    for (const resolve of this.finishing.values()) resolve()
    this.finishing.clear()
  }
}
