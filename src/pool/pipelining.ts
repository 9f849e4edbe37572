/**
 * When a pool may pipeline: several independent one-shot `pool.query` calls
 * written back to back on one session, each with its own Sync (so a server
 * error fails that query only), instead of one query per session at a time.
 *
 * The pool does it only when it must otherwise make a caller wait: no idle
 * session, and at `max` sessions (open or opening). Then a query goes to the
 * least-loaded session already running one-shot queries, up to
 * `pipelineDepth` on one session; past that it waits in the pool's FIFO
 * queue. While anyone waits there (a `pool.connect()`, a transaction), new
 * queries join the line behind it instead of pipelining past it, so the
 * shared sessions drain and exclusive waiters are served in turn.
 *
 * Peers: postgres.js writes a query to an idle connection, else opens one,
 * else to the next busy connection below `max_pipeline` (100); Bun.sql spreads
 * waiting queries over its ready connections, fewest running first, at most
 * ceil((waiting + running) / connections) each. Both reserve a connection for
 * a transaction (`sql.begin`, `sql.reserve`).
 *
 * The trade-off (README, "Pipelining under load"): a query pipelined behind
 * a slow one waits for it (head-of-line blocking, also behind a query waiting
 * for a lock), and a session that breaks fails every query pipelined on it.
 * A query with a deadline is never pipelined (Pool.hasDeadline: its cancel
 * could stop another caller's query). `pipelineDepth: 1` turns pipelining off.
 */

/** A pooled session as the sharing policy sees it. */
export interface Shareable {
  /** One-shot queries running on it now (0: idle or lent exclusively). */
  shares: number
}

/**
 * The session with the fewest one-shot queries among those that may take
 * one more (below `depth` and `eligible`); ties go to the first one seen.
 */
export function leastLoaded<S extends Shareable>(slots: Iterable<S>, depth: number, eligible: (slot: S) => boolean): S | undefined {
  let best: S | undefined
  for (const slot of slots) {
    if (slot.shares <= 0 || slot.shares >= depth || (best !== undefined && slot.shares >= best.shares)) continue
    if (eligible(slot)) best = slot
  }
  return best
}

/**
 * How many waiting one-shot queries one session just handed out may take at
 * once: an even split of the `waiting` ones over it and the `opening`
 * sessions that will take the rest (as Bun.sql and postgres.js spread a
 * queue over new connections), within `depth`.
 */
export function shareBudget(depth: number, waiting: number, opening: number): number {
  return Math.max(1, Math.min(depth, Math.ceil(waiting / (opening + 1))))
}

/**
 * Leading keywords of statements that may be pipelined: a single statement
 * that cannot open or end a transaction block, enter COPY, change what
 * statements the session has prepared (DISCARD, DEALLOCATE) or wait for
 * notifications. Anything else (BEGIN, SET, COPY, LISTEN, CALL, DO, ...)
 * gets a session to itself, as without pipelining: a query pipelined behind
 * a BEGIN would run inside another caller's transaction.
 */
const PIPELINABLE = new Set(['select', 'with', 'insert', 'update', 'delete', 'merge', 'values', 'table', 'show', 'explain'])

/** The statement's first word, after leading blanks (a statement that starts with a comment is not pipelined: only cautious). */
const FIRST_WORD = /^\s*([a-z]+)/i

/**
 * Whether `sql` may be pipelined with other callers' queries. With `values`
 * the extended protocol runs exactly one statement; without, the simple
 * protocol runs a script, so a `;` followed by more text (perhaps inside a
 * literal: then this is only cautious) keeps it exclusive.
 */
export function pipelinable(sql: string, values: readonly unknown[] | undefined): boolean {
  const word = FIRST_WORD.exec(sql)
  if (word === null || !PIPELINABLE.has(word[1]!.toLowerCase())) return false
  if (values !== undefined) return true
  const semicolon = sql.indexOf(';')
  return semicolon === -1 || /^[\s;]*$/.test(sql.slice(semicolon))
}
