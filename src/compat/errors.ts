/**
 * pg's error texts where pg users match on them, and pg's async stack
 * traces. pgfleet's own errors stay as the `cause`.
 */
import { ErrorCode, PgError, ProtocolError } from '../errors.js'

/** pg: a query on a client after end(). */
export function closedError(): Error {
  return new Error('Client was closed and is not queryable')
}

/**
 * The error pg would give for a failed query: the server's errors as they
 * are; a query timeout as pg's 'Query read timeout'; a session that ended
 * under the query as 'Connection terminated' (after end()) or 'Connection
 * terminated unexpectedly'.
 */
export function pgError(error: Error, ending: boolean, sessionEnded: boolean): Error {
  // The server's errors, and a protocol violation (pg: 'Received unexpected … message from backend'), as they are.
  if (error instanceof PgError || error instanceof ProtocolError) return error
  const code = (error as { code?: unknown }).code
  if (code === ErrorCode.QueryTimeout) return new Error('Query read timeout', { cause: error })
  if (sessionEnded) return new Error(ending ? 'Connection terminated' : 'Connection terminated unexpectedly', { cause: error })
  return error
}

type CaptureStackTrace = (target: object) => void
const captureStackTrace = (Error as unknown as { captureStackTrace?: CaptureStackTrace }).captureStackTrace

/**
 * Re-capture a rejection's stack where the caller awaits it, so it shows the
 * caller's async frames rather than the socket callback that failed the
 * query (pg does the same; V8's async stack traces follow the awaiting chain).
 */
export function withCallerStack<T>(promise: Promise<T>): Promise<T> {
  if (!captureStackTrace) return promise
  return promise.catch((error: unknown) => {
    if (error instanceof Error) captureStackTrace(error)
    throw error
  })
}
