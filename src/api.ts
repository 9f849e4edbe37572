/**
 * The public entry points: connect() through the balancer, and what this
 * process knows about a cluster. How options become a session factory is
 * src/session-factory.ts.
 */
import type { ServerRow } from './balancer/types.js'
import { Client } from './client.js'
import { connectFactory, factoryFor, resolveConfig, type ClientOptions } from './session-factory.js'

export type { ClientOptions, ConnectExtras } from './session-factory.js'

/**
 * Open a session. With several hosts it follows libpq (in order, or
 * load_balance_hosts=random, and target_session_attrs); with load_balance on
 * it asks the cluster's yb_servers() and lets the balancer pick the node.
 *
 * @example
 * const db = await connect('postgresql://yugabyte@n1,n2,n3:5433/yugabyte?load_balance=true')
 * const { rows } = await db.query('select $1::int as x', [1])
 */
export async function connect(input?: string | ClientOptions): Promise<Client> {
  const conn = await connectFactory(input).connect()
  return new Client(conn)
}

/** What this process knows about one cluster, for monitoring and tests. */
export interface ClusterStats {
  /**
   * Connections this process has open (or is opening) per node of the
   * cluster, over every `connect()` and pool on it (client view). Keyed by the
   * dialled host (`host:port` when two nodes share a host); nodes whose
   * connections all ended stay with 0.
   */
  connections: Map<string, number>
  /** The last `yb_servers()` list; null for plain PostgreSQL or before the first connect. */
  servers: ServerRow[] | null
  /** Nodes skipped for now because they failed to connect (within failed_host_ttl_seconds). */
  failedHosts: string[]
  /** True when the cluster is dialled through its nodes' public IPs. */
  usePublicIp: boolean
  /** `yb_servers()` refreshes started for this cluster, user and database. */
  refreshes: number
  /** The balancer these options select; undefined when load balancing is off. */
  balancer: string | undefined
  /** Why the last `yb_servers()` refresh failed, when it did. */
  lastRefreshError?: unknown
}

/**
 * Open connections per node that this process holds on the cluster the
 * options name (the same host list), counted from the moment a node is picked
 * until the session ends for any reason. The client view of the YugabyteDB
 * smart drivers' `printHostToConnMap()`.
 *
 * @example
 * const url = 'postgresql://yugabyte@127.0.0.1:5433/yugabyte?load_balance=true'
 * for (let i = 0; i < 30; i++) clients.push(await connect(url))
 * hostConnections(url) // Map { '127.0.0.1' => 10, '127.0.0.2' => 10, '127.0.0.3' => 10 }
 */
export function hostConnections(input?: string | ClientOptions): Map<string, number> {
  return clusterStats(input).connections
}

/** Counts, discovered servers and failed nodes of the cluster the options name (no I/O). */
export function clusterStats(input?: string | ClientOptions): ClusterStats {
  const { config, extras, runtime } = resolveConfig(input)
  const factory = factoryFor(config, runtime, extras)
  return { connections: factory.clusterConnections(), ...factory.stats() }
}
