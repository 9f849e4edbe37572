/**
 * Shared shapes of the balancer: what `yb_servers()` reports, what a balancer is
 * given to choose from, and the pluggable `Balancer` interface.
 */
import type { StopSignal } from '../deadline.js'

/** A host and port to dial. */
export interface NodeAddress {
  host: string
  port: number
  /** libpq hostaddr of a seed host: the address dialled for it (never set on discovered nodes). */
  hostaddr?: string
}

/** YugabyteDB node kinds as `yb_servers()` reports them in `node_type`. */
export type NodeType = 'primary' | 'read_replica'

/** Where a node lives: `yb_servers()` columns cloud, region, zone. */
export interface Topology {
  cloud: string
  region: string
  zone: string
}

/** One row of `select * from yb_servers()`. */
export interface ServerRow {
  /** Private (advertised) address of the node. */
  host: string
  port: number
  /** Connections the server reports (all clients); informational only. */
  numConnections: number
  nodeType: NodeType
  cloud: string
  region: string
  zone: string
  /** Public address, '' when none. */
  publicIp: string
  /** Node uuid, '' when unknown. */
  uuid: string
}

/** One node a balancer may choose. Built fresh for every pick. */
export interface Candidate {
  /**
   * The node's identity: its uuid when `yb_servers()` gives one, else the
   * `host:port` of its row (or of the listed host for plain PostgreSQL). Counts
   * are kept under this key whatever address is dialled (private or public).
   */
  readonly key: string
  /** The address pgfleet will dial (the public IP when the user connected through public IPs). */
  readonly address: NodeAddress
  /** cloud/region/zone, undefined for plain PostgreSQL hosts. */
  readonly topology?: Topology
  /** undefined for plain PostgreSQL hosts (the kind is unknown before connecting). */
  readonly nodeType?: NodeType
  /** Connections to this node opened by this process (all pools on the cluster) and still open or being opened. */
  readonly openConnections: number
  /**
   * Preference level from the factory's topology keys: 1 is the most
   * preferred, undefined when no key matches (or none is set).
   */
  readonly level?: number
}

/** What a balancer knows about the pick it is asked for. */
export interface PickContext {
  /** 1 for the first pick of a connect, 2 after the first chosen node failed, and so on. */
  readonly attempt: number
}

/**
 * A load-balancing policy: picks the node a new connection goes to.
 *
 * pgfleet calls `pick` once per connection attempt with the nodes that are
 * currently usable: every node `yb_servers()` reports (or, on plain PostgreSQL,
 * every listed host), minus the nodes that failed to connect within
 * `failed_host_ttl_seconds` and the nodes already tried by this connect. When
 * none of those is left, or `pick` accepts none of them, the nodes inside the
 * TTL are offered one at a time (a list of one), least recently failed first,
 * so a cluster that was down as a whole is used again as soon as a node is
 * back; return `undefined` to refuse such a node as well. Each
 * candidate carries its topology, node type, preference level and the number
 * of connections this process has open to it, so a balancer needs no state of
 * its own.
 *
 * `pick` must be synchronous and cheap: the chosen node's count is incremented
 * the moment it returns, which is what spreads many concurrent connects evenly.
 * A pool also asks it dry-run questions when it heals (where would a session
 * go now? would this node be chosen if it had no session?), so `pick` should
 * have no side effects; a balancer that picks at random makes a pool move
 * sessions needlessly (at most `rebalanceMoves` per `rebalanceIntervalMs`;
 * `rebalanceIntervalMs: 0` turns healing off).
 * Return `undefined` when no candidate is acceptable: the connect then rejects
 * with a `ConnectionError` naming the balancer and every node tried. A
 * balancer may also throw; the connect rejects with that error.
 *
 * The built-in modes (`load_balance=any|only-primary|only-rr|prefer-primary|
 * prefer-rr` with `topology_keys`) are balancers too, see `createBuiltinBalancer`.
 *
 * @example
 * // Send every connection to the node with fewest connections in region us-east-1.
 * const eastFirst: Balancer = {
 *   name: 'east-first',
 *   pick(candidates) {
 *     const east = candidates.filter(c => c.topology?.region === 'us-east-1')
 *     const pool = east.length > 0 ? east : candidates
 *     return pool.reduce<Candidate | undefined>(
 *       (best, c) => (best === undefined || c.openConnections < best.openConnections ? c : best), undefined)
 *   },
 * }
 * const pool = createPool({ hosts: ['n1', 'n2'], loadBalance: true, balancer: eastFirst })
 */
export interface Balancer {
  /** Shown in errors and stats. */
  readonly name: string
  /** Choose one of `candidates` (never empty), or undefined for none. */
  pick(candidates: readonly Candidate[], context: PickContext): Candidate | undefined
}

/** What the balancer needs from a live session. */
export interface BalancedSession {
  /** Resolves once when the session ends for ANY reason (close, server kill, socket error). */
  readonly closed: Promise<unknown>
}

/**
 * Dial one node within the connect deadline (`signal` aborts with
 * PGFLEET_CONNECT_TIMEOUT when it passes). Rejects with `ConnectionError` for
 * network failures (refused, unreachable, timeout: the node is marked failed)
 * or any other error (auth, database, TLS: the node is never marked failed
 * and the connect rejects at once).
 */
export type ConnectNode<S extends BalancedSession> = (node: NodeAddress, signal: StopSignal) => Promise<S>

/**
 * Run `select * from yb_servers()` on `node` over a short-lived session that it
 * closes itself. Resolves the rows, or null when the function does not exist
 * (SQLSTATE 42883: plain PostgreSQL).
 */
export type QueryServers = (node: NodeAddress) => Promise<ServerRow[] | null>

/** Milliseconds since some epoch; injectable for tests. */
export interface Clock {
  now(): number
}

/** A random number in [0, 1); injectable for tests. */
export type Random = () => number

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() }
