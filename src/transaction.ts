/**
 * Transactions with built-in retry.
 *
 * `runTransaction(conn, fn, options)` sends BEGIN (options from a fixed
 * whitelist, never user text), runs `fn(tx)`, then COMMIT; ROLLBACK when `fn`
 * throws. A serialization failure (40001) or deadlock (40P01) rolls back,
 * waits (exponential backoff with full jitter) and runs `fn` again, up to
 * `retries` more times: the client-side retry loop of the CockroachDB sample
 * apps, done once in the driver. `fn` may therefore run more than once; keep
 * its side effects inside the database.
 *
 * A COMMIT whose reply is lost (the session ends after COMMIT was sent, or
 * its deadline passes) is never retried: whether it committed is unknown, so
 * it rejects with TransactionOutcomeUnknownError.
 *
 * Each attempt gets its session from a provider: a client's own session
 * (a retry whose session died during the backoff reports the error that
 * ended it), or a session checked out of a pool per attempt (the retry
 * continues on a healthy one).
 */
import type { Connection, QueryOptions } from './connection/connection.js'
import type { Result, Row } from './connection/result.js'
import { ErrorCode, isFatalSeverity, PgError, PgfleetError, TransactionOutcomeUnknownError } from './errors.js'
import { toQuery, type SqlFragment } from './sql.js'

export type IsolationLevel = 'serializable' | 'repeatable read' | 'read committed' | 'read uncommitted'

/** Delay before retry `attempt` (1 for the first retry), in milliseconds. */
export type BackoffFunction = (attempt: number) => number

export interface BackoffOptions {
  /** Delay cap before jitter for the first retry (default 10 ms); doubles each retry. */
  baseMs?: number
  /** Upper bound of any delay (default 1000 ms). */
  maxMs?: number
}

export interface TransactionOptions {
  isolation?: IsolationLevel
  readOnly?: boolean
  /** DEFERRABLE (only meaningful with serializable, read only). */
  deferrable?: boolean
  /** How many times to run `fn` again after 40001/40P01 (default 5; 0 disables retry). */
  retries?: number
  /** Backoff between attempts: options for full-jitter exponential backoff, or a function. */
  backoff?: BackoffOptions | BackoffFunction
}

/** SQLSTATEs after which the whole transaction can be run again. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01'])

const DEFAULT_RETRIES = 5
const ISOLATION_SQL: Record<IsolationLevel, string> = {
  serializable: 'isolation level serializable',
  'repeatable read': 'isolation level repeatable read',
  'read committed': 'isolation level read committed',
  'read uncommitted': 'isolation level read uncommitted',
}

/** The BEGIN statement for `options`; throws on values outside the whitelist. */
export function beginStatement(options: TransactionOptions = {}): string {
  const parts: string[] = []
  if (options.isolation !== undefined) {
    const clause = Object.hasOwn(ISOLATION_SQL, options.isolation) ? ISOLATION_SQL[options.isolation] : undefined
    if (clause === undefined)
      throw new RangeError(`isolation must be one of ${Object.keys(ISOLATION_SQL).join(', ')}; got ${JSON.stringify(options.isolation)}`)
    parts.push(clause)
  }
  if (options.readOnly !== undefined) parts.push(options.readOnly ? 'read only' : 'read write')
  if (options.deferrable !== undefined) parts.push(options.deferrable ? 'deferrable' : 'not deferrable')
  return parts.length === 0 ? 'begin' : `begin ${parts.join(', ')}`
}

/**
 * Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff
 * and Jitter"): a uniform delay in [0, min(maxMs, baseMs * 2^(attempt-1))).
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 10
  const max = options.maxMs ?? 1000
  const cap = Math.min(max, base * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * cap)
}

/** True when `error` (or an error in its cause chain) is a serialization failure or deadlock. */
export function isRetryable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++)
    if (e instanceof PgError && RETRYABLE_SQLSTATES.has(e.code)) return true
  return false
}

/** What a transaction body receives: queries and savepoints on the transaction's session. */
export class Transaction {
  #done = false
  #savepoints = 0
  readonly #connection: Connection
  /** 0 for the transaction, 1 and more inside savepoints. */
  readonly depth: number
  readonly #names: { next: number }

  constructor(connection: Connection, depth = 0, names: { next: number } = { next: 0 }) {
    this.#connection = connection
    this.depth = depth
    this.#names = names
  }

  /** Run one statement in the transaction (same rules as `Client.query`). */
  query<R = Row>(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<Result<R>> {
    if (this.#done) return Promise.reject(finishedError())
    // The session ended between two statements (a server kill): report why, not that it is closed.
    const ended = this.#connection.endError
    if (ended) return Promise.reject(ended)
    return this.#connection.query<R>(sql, values, options)
  }

  /** Run a tagged template (`tx.sql\`select ${x}\``), values bound as parameters. */
  sql<R = Row>(strings: TemplateStringsArray | SqlFragment, ...values: unknown[]): Promise<Result<R>> {
    const { text, values: params } = toQuery(strings, values)
    return this.query<R>(text, params)
  }

  /**
   * Run `fn` inside a SAVEPOINT: released when `fn` resolves, rolled back to
   * (and released) when it throws, the error rethrown. Not retried on its own:
   * a serialization failure propagates to the enclosing transaction.
   */
  async savepoint<T>(fn: (tx: Transaction) => Promise<T> | T): Promise<T> {
    if (this.#done) throw finishedError()
    if (this.#savepoints > 0) throw new PgfleetError('a savepoint of this transaction is still open; await it before opening another', ErrorCode.TxBusy)
    // Generated names only: the user never supplies SQL text here.
    const name = `pgfleet_sp_${++this.#names.next}`
    const inner = new Transaction(this.#connection, this.depth + 1, this.#names)
    this.#savepoints++
    try {
      await this.#connection.query(`savepoint ${name}`)
      let result: T
      try {
        result = await fn(inner)
      } catch (error) {
        inner.#done = true
        if (this.#connection.isReady) await this.#connection.query(`rollback to savepoint ${name}; release savepoint ${name}`).catch(() => undefined)
        throw error
      }
      inner.#done = true
      await this.#connection.query(`release savepoint ${name}`)
      return result
    } finally {
      inner.#done = true
      this.#savepoints--
    }
  }

  /** A nested transaction is a savepoint. */
  transaction<T>(fn: (tx: Transaction) => Promise<T> | T): Promise<T> {
    return this.savepoint(fn)
  }

  /** @internal Mark finished: later queries through this object reject. */
  finish(): void {
    this.#done = true
  }
}

/** Lends a session to one attempt: the same one every time (a client) or a fresh one (a pool). */
export type SessionProvider = <R>(use: (connection: Connection) => Promise<R>) => Promise<R>

/** Run `fn` in a transaction on `connection` (or a session of `provider` per attempt), retrying on 40001/40P01. */
export async function runTransaction<T>(
  connection: Connection | SessionProvider,
  fn: (tx: Transaction) => Promise<T> | T,
  options: TransactionOptions = {},
): Promise<T> {
  const provide = typeof connection === 'function' ? connection : sameSession(connection)
  const begin = beginStatement(options)
  const retries = options.retries ?? DEFAULT_RETRIES
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`retries must be a non-negative integer, got ${retries}`)
  const backoff = options.backoff
  const delay: BackoffFunction = typeof backoff === 'function' ? backoff : (attempt) => backoffDelay(attempt, backoff)

  for (let attempt = 0; ; attempt++) {
    try {
      return await provide((session) => attemptOnce(session, begin, fn))
    } catch (error) {
      // The session ended before BEGIN went out: nothing ran, so a pool tries another session at once.
      if (error instanceof EndedBeforeBegin) {
        if (typeof connection === 'function' && attempt < retries) continue
        throw error.cause
      }
      if (attempt >= retries || !isRetryable(error)) throw error
      await sleep(delay(attempt + 1))
    }
  }
}

/** Marks an attempt whose session had ended before its BEGIN was sent. */
class EndedBeforeBegin extends Error {
  constructor(override readonly cause: unknown) {
    super('session ended before BEGIN')
  }
}

/** A client's session for every attempt; one that ended meanwhile is reported with the error that ended it. */
function sameSession(connection: Connection): SessionProvider {
  return (use) => {
    const ended = connection.endError
    return ended ? Promise.reject(new EndedBeforeBegin(ended)) : use(connection)
  }
}

async function attemptOnce<T>(connection: Connection, begin: string, fn: (tx: Transaction) => Promise<T> | T): Promise<T> {
  // A pooled session can end between checkout and BEGIN (a server kill while idle).
  if (!connection.isReady && connection.endError) throw new EndedBeforeBegin(connection.endError)
  await connection.query(begin)
  const tx = new Transaction(connection)
  let result: T
  try {
    result = await fn(tx)
  } catch (error) {
    tx.finish()
    if (connection.isReady) await connection.query('rollback').catch(() => undefined)
    throw error
  }
  tx.finish()
  await commit(connection)
  return result
}

/** COMMIT; a lost reply becomes TransactionOutcomeUnknownError. */
async function commit(connection: Connection): Promise<void> {
  let result: Result<unknown>
  try {
    result = await connection.query('commit')
  } catch (error) {
    // A non-fatal server error (40001 at commit, a deferred constraint) is a definite rollback.
    if (error instanceof PgError && !isFatalSeverity(error) && connection.isReady) throw error
    throw new TransactionOutcomeUnknownError(
      'the connection failed while COMMIT was in flight: the transaction may or may not have committed',
      { cause: error },
    )
  }
  // COMMIT of a failed transaction block answers ROLLBACK (an error inside was caught by the body).
  if (result.command === 'ROLLBACK')
    throw new PgfleetError('the transaction was rolled back: a statement in it failed and the error was caught', ErrorCode.TxRolledBack)
}

function finishedError(): Error {
  return new PgfleetError('this transaction (or savepoint) has already finished', ErrorCode.TxDone)
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}
