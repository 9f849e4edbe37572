/**
 * The deadline of one operation (its one owner; README, "Deadlines, silent
 * peers and hostile servers"): its timeout and the caller's AbortSignal, whichever comes
 * first. At the deadline:
 *
 *   still queued  → dropped from the queue, rejected at once (safe to retry);
 *   running       → a CancelRequest goes to the session's node, and the
 *                   server has `cancelTimeoutMs` to bring the session back to
 *                   a known state (the operation's ReadyForQuery). If it does
 *                   not (silent peer, a server that ignores the cancel, an
 *                   ErrorResponse without ReadyForQuery), the session is
 *                   destroyed and every operation on it rejects;
 *   written behind another → rejected at once; its answer, when it comes, is
 *                   read and dropped. It is cancelled (with the same grace)
 *                   once it runs, if nothing is written behind it by then
 *                   (session-cancels.ts), so a slow query ahead of it is
 *                   never destroyed or cancelled for it. A session whose
 *                   running operation has no deadline is not given up for a
 *                   deadline of one behind it: that one is settled, the
 *                   rest wait as long as the server (or TCP keepalive) does.
 *
 * So every call with a deadline settles by deadline + cancelTimeoutMs (the
 * model is Npgsql's "Cancellation Timeout"; pgx closes the connection when a
 * context ends mid-query). An operation that finishes before the cancel
 * takes effect resolves normally: its result is real.
 */
import { ConnectionError, ErrorCode, PgError, ProtocolError, QUERY_CANCELED } from '../errors.js'
import { abortReason, onAbort } from '../deadline.js'
import type { Operation } from './operation.js'

/** An operation's timeout: its own `timeoutMs`, else the session's query_timeout (0: none). */
export function operationTimeout(options: { readonly timeoutMs?: number }, queryTimeoutMs: number): number {
  return options.timeoutMs ?? queryTimeoutMs
}

/** Whether an operation has a deadline: a timeout above 0, or an AbortSignal. */
export function hasDeadline(timeoutMs: number, signal: AbortSignal | undefined): boolean {
  return timeoutMs > 0 || signal !== undefined
}


/** What the deadline needs from the session that runs the operation. */
export interface DeadlineHost {
  /** "host:port", for messages. */
  readonly address: string
  readonly cancelTimeoutMs: number
  /** Remove a queued (not yet written) operation; true when it was queued. */
  unqueue(op: Operation): boolean
  /** True when `op` is the operation the server works on now. */
  isRunning(op: Operation): boolean
  /** Ask the server to cancel `op` (now if it runs, else once it does); `sent` runs when the request goes out. */
  cancelOperation(op: Operation, sent: () => void): void
  /** The grace has passed: destroy the session with `reason`. */
  abandon(op: Operation, reason: Error): void
}

/** One operation's timer, abort listener and cancel grace. */
export class OperationDeadline {
  private timer: ReturnType<typeof setTimeout> | undefined
  private graceTimer: ReturnType<typeof setTimeout> | undefined
  private unlinkSignal: () => void = () => undefined
  /** Set once the deadline has passed: what the caller is told. */
  private expiredWith: ConnectionError | undefined

  constructor(
    private readonly op: Operation,
    private readonly timeoutMs: number,
    signal: AbortSignal | undefined,
    private readonly host: DeadlineHost,
    /** Reject the caller now (an operation behind others on the wire), leaving the grace to run. */
    private readonly rejectNow: (error: Error) => void,
  ) {
    if (timeoutMs > 0) this.timer = setTimeout(() => this.expire(undefined), timeoutMs)
    this.unlinkSignal = onAbort(signal, () => this.expire(signal))
  }

  /**
   * The operation settled: stop every timer. A CancelRequest still under way
   * is not stopped (it may already be on the server); the session holds its
   * next writes until it is done instead (Connection.cancelOperation).
   */
  settle(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer)
    this.timer = this.graceTimer = undefined
    this.unlinkSignal()
  }

  /**
   * What the caller receives for `error` once the deadline has passed: the
   * timeout or abort, with the server's 57014 or the session's end as cause.
   * A real server error (a constraint, a 40001) passes through unchanged.
   */
  outcome(error: Error): Error {
    const expired = this.expiredWith
    if (!expired || error === expired) return error
    // A server error other than the cancel's, or a client-side one (a result too large): as is.
    const cancelledOrEnded = error instanceof PgError ? error.code === QUERY_CANCELED : error instanceof ConnectionError || error instanceof ProtocolError
    if (!cancelledOrEnded) return error
    const how = error instanceof PgError ? 'the server cancelled it' : `the session ended: ${error.message}`
    return new ConnectionError(`${expired.message}; ${how}`, { code: expired.code, cause: error, address: this.host.address })
  }

  private expire(signal: AbortSignal | undefined): void {
    if (this.expiredWith) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.unlinkSignal()
    const queued = this.host.unqueue(this.op)
    const error = signal ? abortedError(signal, queued) : timeoutError(this.timeoutMs, queued, this.host.address)
    this.expiredWith = error
    if (queued) return this.op.fail(error)
    this.op.expired?.(error)
    if (!this.host.isRunning(this.op)) this.rejectNow(error)
    this.host.cancelOperation(this.op, () => this.armGrace(error, signal !== undefined))
  }

  /** The CancelRequest went out: the operation has `cancelTimeoutMs` to come back. */
  private armGrace(error: ConnectionError, aborted: boolean): void {
    const grace = this.host.cancelTimeoutMs
    const abandon = () => {
      this.host.abandon(
        this.op,
        new ConnectionError(
          `closed the session to ${this.host.address}: a ${aborted ? 'cancelled' : 'timed-out'} query was not back ${grace > 0 ? `within ${grace} ms of its CancelRequest` : 'at once (cancel_timeout=0)'}`,
          { code: ErrorCode.CancelTimeout, cause: error, address: this.host.address },
        ),
      )
    }
    if (grace > 0) this.graceTimer = setTimeout(abandon, grace)
    else abandon()
  }
}

function timeoutError(ms: number, queued: boolean, address: string): ConnectionError {
  return new ConnectionError(`query timed out after ${ms} ms${queued ? ' before it was sent' : ''}`, {
    code: ErrorCode.QueryTimeout,
    safeToRetry: queued,
    address,
  })
}

function abortedError(signal: AbortSignal, queued: boolean): ConnectionError {
  const reason = abortReason(signal)
  return new ConnectionError(`query aborted${queued ? ' before it was sent' : ''}: ${reason.message}`, {
    code: ErrorCode.Aborted,
    safeToRetry: queued,
    cause: signal.reason,
  })
}
