/**
 * The built-in balancers: the `load_balance` modes and `topology_keys` of the
 * YugabyteDB smart drivers, as plain `Balancer` objects.
 *
 * Every built-in picks the candidate with the fewest connections this process
 * has open, ties broken at random, within the first non-empty tier:
 *
 *   node type (only-* filters; prefer-* tries the preferred type first, the
 *   other type only when no preferred node is up)
 *     └─ topology level 1, 2, … 10 (gaps allowed), then any node of that type
 *        unless fallback_to_topology_keys_only.
 */
import type { LoadBalanceMode, TopologyKey } from '../config/types.js'
import type { Balancer, Candidate, NodeType, Random, Topology } from './types.js'

/** The candidate with the fewest open connections; ties at random. */
export function leastConnections(candidates: readonly Candidate[], random: Random = Math.random): Candidate | undefined {
  let fewest = Infinity
  let tied: Candidate[] = []
  for (const c of candidates) {
    if (c.openConnections < fewest) {
      fewest = c.openConnections
      tied = [c]
    } else if (c.openConnections === fewest) {
      tied.push(c)
    }
  }
  if (tied.length <= 1) return tied[0]
  const index = Math.min(tied.length - 1, Math.floor(random() * tied.length))
  return tied[index]
}

/** True when `key` covers `topology` (case-insensitive; zone '*' matches every zone). */
export function topologyMatches(key: TopologyKey, topology: Topology): boolean {
  return (
    sameText(key.cloud, topology.cloud) &&
    sameText(key.region, topology.region) &&
    (key.zone === '*' || sameText(key.zone, topology.zone))
  )
}

/** The best (lowest) level of the keys matching `topology`; undefined when none does. */
export function topologyLevel(topology: Topology | undefined, keys: readonly TopologyKey[]): number | undefined {
  if (topology === undefined) return undefined
  let best: number | undefined
  for (const key of keys) {
    if (topologyMatches(key, topology) && (best === undefined || key.level < best)) best = key.level
  }
  return best
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

/** Options of the built-in balancers. */
export interface BuiltinBalancerOptions {
  /** The load_balance mode; `false` behaves as `any` here (the factory does not balance then). */
  mode: LoadBalanceMode
  topologyKeys?: readonly TopologyKey[]
  /** With topology keys: error instead of using nodes outside every key. */
  fallbackToTopologyKeysOnly?: boolean
  random?: Random
}

type TypeFilter = (type: NodeType | undefined) => boolean

// Plain PostgreSQL hosts have no known type; they count as primaries.
const isPrimary: TypeFilter = (type) => type !== 'read_replica'
const isReadReplica: TypeFilter = (type) => type === 'read_replica'
const anyType: TypeFilter = () => true

/** Node-type tiers per mode, most preferred first. */
function typeTiers(mode: LoadBalanceMode): TypeFilter[] {
  switch (mode) {
    case false:
    case 'any':
      return [anyType]
    case 'only-primary':
      return [isPrimary]
    case 'only-rr':
      return [isReadReplica]
    case 'prefer-primary':
      return [isPrimary, isReadReplica]
    case 'prefer-rr':
      return [isReadReplica, isPrimary]
  }
}

/** Human name of a built-in configuration, e.g. `only-rr, topology_keys=aws.us-east-1.*:1`. */
function describe(options: BuiltinBalancerOptions): string {
  const parts: string[] = [options.mode === false ? 'any' : options.mode]
  const keys = options.topologyKeys ?? []
  if (keys.length > 0) {
    parts.push(`topology_keys=${keys.map((k) => `${k.cloud}.${k.region}.${k.zone}:${k.level}`).join(',')}`)
    if (options.fallbackToTopologyKeysOnly) parts.push('fallback_to_topology_keys_only=true')
  }
  return parts.join(', ')
}

/**
 * The balancer for a `load_balance` mode with optional topology keys. The
 * policy lives in the returned object, so factories with different keys on the
 * same cluster each honour their own.
 */
export function createBuiltinBalancer(options: BuiltinBalancerOptions): Balancer {
  const keys = options.topologyKeys ?? []
  const levels = [...new Set(keys.map((k) => k.level))].sort((a, b) => a - b)
  const tiers = typeTiers(options.mode)
  const random = options.random ?? Math.random
  const fallbackOnly = options.fallbackToTopologyKeysOnly === true

  const pickInTopology = (pool: readonly Candidate[]): Candidate | undefined => {
    if (pool.length === 0) return undefined
    if (keys.length === 0) return leastConnections(pool, random)
    const withLevel = pool.map((c) => ({ c, level: topologyLevel(c.topology, keys) }))
    for (const level of levels) {
      const chosen = leastConnections(
        withLevel.filter((x) => x.level === level).map((x) => x.c),
        random,
      )
      if (chosen !== undefined) return chosen
    }
    // After the last level: the rest of the cluster, unless told not to.
    return fallbackOnly ? undefined : leastConnections(pool, random)
  }

  return {
    name: describe(options),
    pick(candidates) {
      for (const accepts of tiers) {
        const chosen = pickInTopology(candidates.filter((c) => accepts(c.nodeType)))
        if (chosen !== undefined) return chosen
      }
      return undefined
    },
  }
}
