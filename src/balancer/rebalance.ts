/**
 * Planning how a pool heals: which sessions to retire (each is replaced by a
 * new connect, which the balancer places; a checked-out one only once it is
 * released) so the spread over the cluster
 * becomes what the balancer would have chosen had every session been opened
 * now. Pure and synchronous: the balancer is only asked dry-run picks.
 *
 * The smart drivers (YugabyteDB pgjdbc, node-postgres) and pgx/Npgsql move no
 * existing connection: a node that comes back or joins gets sessions only as
 * the pool happens to open new ones (max lifetime, idle timeout). Here a
 * session moves when, and only when, one of these holds:
 *
 *  - `left`:       its node is no longer in the server list;
 *  - `disfavored`: the policy would not choose its node even if that node had
 *                  no connection and every other node a million (an only-*,
 *                  prefer-* or topology-key tier it is not in);
 *  - `uneven`:     with one session fewer there, the balancer picks another
 *                  node that has at least two connections fewer (so a move
 *                  strictly narrows the spread and a tie never moves back).
 *
 * Nodes marked failed are neither sources nor targets: their sessions are
 * left to the pool's own checks.
 */
import type { Balancer, Candidate } from './types.js'

/** Why one idle session is retired. */
export type MoveReason = 'left' | 'disfavored' | 'uneven'

/** Retire one session of node `from` (and open one where the balancer says). */
export interface RebalanceMove {
  readonly from: string
  readonly reason: MoveReason
}

export interface PlanInput {
  /** Nodes a new connect may go to now (listed and not marked failed), with current counts. */
  readonly usable: readonly Candidate[]
  /** Keys of every listed node (failed ones included); undefined when the list is unknown. */
  readonly listed: ReadonlySet<string> | undefined
  /** Keys of nodes marked failed now. */
  readonly failed: ReadonlySet<string>
  /** This pool's sessions per node key that may still be moved (idle or checked out, not already being moved). */
  readonly sessions: ReadonlyMap<string, number>
  /** Moves already decided and not yet done (a checked-out session replaced at its release), per source node. */
  readonly pending?: ReadonlyMap<string, number>
  readonly chooser: Balancer
  /** At most this many moves. */
  readonly limit: number
}

/** Far more connections than any real node has: makes count irrelevant to a dry-run pick. */
const CROWD = 1_000_000

/**
 * The moves to make now, at most `limit`, most urgent first; [] when the
 * spread is (or, once the pending moves are done, will be) as the balancer wants it.
 */
export function planRebalance(input: PlanInput): RebalanceMove[] {
  const counts = new Map(input.usable.map((c) => [c.key, c.openConnections]))
  const idle = new Map(input.sessions)
  const moves: RebalanceMove[] = []
  const pick = (patch: (c: Candidate) => number): string | undefined => {
    const candidates = input.usable.map((c) => ({ ...c, openConnections: patch(c) }))
    return candidates.length === 0 ? undefined : input.chooser.pick(candidates, { attempt: 1 })?.key
  }
  const current = (c: Candidate) => counts.get(c.key) ?? 0
  const withIdle = () => [...idle].filter(([key, n]) => n > 0 && !input.failed.has(key)).map(([key]) => key)

  const next = (): RebalanceMove | undefined => {
    const sources = withIdle()
    if (input.listed !== undefined) {
      const gone = sources.find((key) => !input.listed!.has(key))
      if (gone !== undefined) return { from: gone, reason: 'left' }
    }
    const usableSources = sources.filter((key) => counts.has(key))
    for (const key of usableSources) {
      const favored = pick((c) => (c.key === key ? 0 : current(c) + CROWD))
      // undefined: the policy accepts no node at all; nothing to move towards.
      if (favored !== undefined && favored !== key) return { from: key, reason: 'disfavored' }
    }
    // Heaviest first.
    usableSources.sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))
    for (const key of usableSources) {
      const from = counts.get(key) ?? 0
      const to = pick((c) => (c.key === key ? from - 1 : current(c)))
      if (to !== undefined && to !== key && (counts.get(to) ?? 0) + 1 < from) return { from: key, reason: 'uneven' }
    }
    return undefined
  }

  // Simulate a move: one session fewer on the source, one more where the balancer would put the replacement.
  const simulate = (from: string) => {
    if (counts.has(from)) counts.set(from, (counts.get(from) ?? 0) - 1)
    const to = pick(current)
    if (to !== undefined) counts.set(to, (counts.get(to) ?? 0) + 1)
  }
  try {
    for (const [from, n] of input.pending ?? []) for (let i = 0; i < n; i++) simulate(from)
    while (moves.length < input.limit) {
      const move = next()
      if (move === undefined) break
      moves.push(move)
      idle.set(move.from, (idle.get(move.from) ?? 0) - 1)
      simulate(move.from)
    }
  } catch {
    // A balancer that throws on a dry run: keep what was planned, move nothing more.
  }
  return moves
}
