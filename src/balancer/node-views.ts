/**
 * What the healing pool and per-node statistics read from a connection
 * factory's state (factory.ts): each node's standing, the moves that would
 * even out a pool's spread, and when the next failed mark expires. Reads
 * only; the one side effect is a background refresh of a stale server list.
 */
import type { Config } from '../config/types.js'
import { buildCandidates, hostKey } from './candidates.js'
import type { HostBook } from './host-book.js'
import { planRebalance, type RebalanceMove } from './rebalance.js'
import type { ServerCache } from './server-cache.js'
import type { Balancer, Candidate, Clock, NodeAddress, QueryServers } from './types.js'

/** One node as this factory sees it (for per-node pool statistics). */
export interface NodeView {
  /** The node's identity: its uuid, else host:port. */
  key: string
  /** The address dialled for it. */
  host: string
  port: number
  /** In the current server list (or a listed host, without yb_servers()). */
  listed: boolean
  /** Marked failed (refused a connect within failed_host_ttl_seconds). */
  failed: boolean
  /** Sessions of this factory open or being opened on it. */
  open: number
  /** Sessions of every factory of the process on this cluster open or being opened on it. */
  clusterOpen: number
}

/** What a pool reads from its connection factory (built from the factory's `state`). */
export interface NodeViews {
  /** Every node listed now, plus any this factory still has sessions on. */
  nodes(): NodeView[]
  /**
   * Which sessions to retire (at most `limit`; `sessions`: the movable ones
   * per node, `pending`: moves not done yet) so the spread becomes what the
   * balancer would choose now; [] without load balancing. Starts a
   * background refresh of the server list when it is stale.
   */
  planRebalance(sessions: ReadonlyMap<string, number>, limit: number, pending?: ReadonlyMap<string, number>): RebalanceMove[]
  /** When (clock ms) the next failed mark of a listed node expires; undefined when none is marked. */
  nextRecoveryAt(): number | undefined
}

/** The factory state the views read. */
export interface NodeViewSource {
  config: Config
  seeds: readonly NodeAddress[]
  /** The cluster's book (every factory of the process) and this factory's own. */
  book: HostBook
  own: HostBook
  cache: ServerCache
  balancer: Balancer | undefined
  clock: Clock
  ttlMs: number
  queryServers: QueryServers
}

/** A factory's views (see NodeViews); `source`: its `state`. */
export function createNodeViews({ config, seeds, book, own, cache, balancer, clock, ttlMs, queryServers }: NodeViewSource): NodeViews {
  /** The cached list's candidates (no I/O; a stale list starts a background refresh). */
  const knownCandidates = (): { all: Candidate[]; listed: boolean } | undefined => {
    const list = cache.current()
    if (list === undefined) return undefined
    cache.load(queryServers).catch(() => undefined)
    return { all: buildCandidates(list, seeds, book, config.topologyKeys), listed: list.rows !== null }
  }

  const nodes = (): NodeView[] => {
    const now = clock.now()
    const out = new Map<string, NodeView>()
    const add = (key: string, { host, port }: NodeAddress, listed: boolean, open: number) =>
      out.set(key, { key, host, port, listed, failed: book.isFailed(key, now, ttlMs), open, clusterOpen: book.open(key) })
    const all = balancer === undefined ? seeds.map((s) => ({ key: hostKey(s), address: s })) : (knownCandidates()?.all ?? [])
    for (const c of all) add(c.key, c.address, true, own.open(c.key))
    // Nodes no longer listed that this factory still has sessions on.
    for (const entry of own.entries()) if (!out.has(entry.key) && entry.open > 0) add(entry.key, entry, false, entry.open)
    return [...out.values()]
  }

  const plan = (sessions: ReadonlyMap<string, number>, limit: number, pending?: ReadonlyMap<string, number>): RebalanceMove[] => {
    const known = balancer === undefined ? undefined : knownCandidates()
    if (balancer === undefined || known === undefined || limit <= 0) return []
    const now = clock.now()
    const failed = new Set(known.all.filter((c) => book.isFailed(c.key, now, ttlMs)).map((c) => c.key))
    return planRebalance({
      usable: known.all.filter((c) => !failed.has(c.key)),
      // Without yb_servers() the listed hosts never change: no node can leave.
      listed: known.listed ? new Set(known.all.map((c) => c.key)) : undefined,
      failed,
      sessions,
      pending,
      chooser: balancer,
      limit,
    })
  }

  const nextRecoveryAt = (): number | undefined => {
    const known = knownCandidates()
    if (known === undefined) return undefined
    const now = clock.now()
    let next: number | undefined
    for (const c of known.all) {
      if (!book.isFailed(c.key, now, ttlMs)) continue
      const at = (book.failedSince(c.key) ?? now) + ttlMs
      if (next === undefined || at < next) next = at
    }
    return next
  }

  return { nodes, planRebalance: plan, nextRecoveryAt }
}
