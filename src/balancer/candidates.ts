/**
 * Turning what discovery found into balancer candidates: one per node, keyed by
 * the node's identity, with the address to dial and this process's count.
 */
import type { TopologyKey } from '../config/types.js'
import type { HostBook } from './host-book.js'
import { topologyLevel } from './policies.js'
import type { ServerList } from './server-cache.js'
import type { Candidate, NodeAddress, ServerRow } from './types.js'

/** Identity of a listed host (plain PostgreSQL, or libpq multi-host mode). */
export function hostKey(node: NodeAddress): string {
  // Two entries of one name with different hostaddrs are two servers (libpq tries each).
  const at = node.hostaddr === undefined ? '' : `@${node.hostaddr}`
  return `${node.host.toLowerCase()}:${node.port}${at}`
}

/** Identity of a `yb_servers()` row: its uuid, else its private host:port. */
export function rowKey(row: ServerRow): string {
  return row.uuid !== '' ? row.uuid : hostKey(row)
}

/** The address to dial for a row: its public IP when the user came in through public IPs. */
export function rowAddress(row: ServerRow, usePublicIp: boolean): NodeAddress {
  return usePublicIp && row.publicIp !== '' ? { host: row.publicIp, port: row.port } : { host: row.host, port: row.port }
}

/**
 * Every node of the cluster as a candidate, with current counts from `book`.
 * Without `yb_servers()` rows, the listed hosts (no topology, unknown type).
 */
export function buildCandidates(
  list: ServerList,
  seeds: readonly NodeAddress[],
  book: HostBook,
  topologyKeys: readonly TopologyKey[],
): Candidate[] {
  const out: Candidate[] = []
  const seen = new Set<string>()
  if (list.rows === null) {
    for (const seed of seeds) {
      const key = hostKey(seed)
      if (seen.has(key)) continue
      seen.add(key)
      out.push({ key, address: { ...seed }, openConnections: book.open(key) })
    }
    return out
  }
  for (const row of list.rows) {
    const key = rowKey(row)
    if (seen.has(key)) continue
    seen.add(key)
    const topology = { cloud: row.cloud, region: row.region, zone: row.zone }
    out.push({
      key,
      address: rowAddress(row, list.usePublicIp),
      topology,
      nodeType: row.nodeType,
      openConnections: book.open(key),
      level: topologyLevel(topology, topologyKeys),
    })
  }
  return out
}

/** Fisher–Yates shuffle (load_balance_hosts=random), with an injectable random. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)))
    const tmp = out[i] as T
    out[i] = out[j] as T
    out[j] = tmp
  }
  return out
}
