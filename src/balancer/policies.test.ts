import { describe, expect, it } from 'vitest'
import type { TopologyKey } from '../config/types.js'
import { createBuiltinBalancer, leastConnections, topologyLevel } from './policies.js'
import type { Candidate, NodeType } from './types.js'

function cand(key: string, open: number, zone = 'us-east-1a', nodeType: NodeType = 'primary'): Candidate {
  return {
    key,
    address: { host: key, port: 5433 },
    topology: { cloud: 'aws', region: 'us-east-1', zone },
    nodeType,
    openConnections: open,
  }
}
const key = (zone: string, level = 1, region = 'us-east-1'): TopologyKey => ({ cloud: 'aws', region, zone, level })

describe('leastConnections', () => {
  it('picks the fewest and breaks ties with the injected random', () => {
    const cs = [cand('a', 2), cand('b', 1), cand('c', 1)]
    expect(leastConnections(cs, () => 0)?.key).toBe('b')
    expect(leastConnections(cs, () => 0.99)?.key).toBe('c')
    expect(leastConnections([], () => 0)).toBeUndefined()
  })
})

describe('topologyLevel', () => {
  it('matches case-insensitively, with zone wildcard, lowest level wins', () => {
    const topo = { cloud: 'AWS', region: 'US-East-1', zone: 'us-east-1B' }
    expect(topologyLevel(topo, [key('us-east-1b', 3)])).toBe(3)
    expect(topologyLevel(topo, [key('*', 4), key('us-east-1b', 2)])).toBe(2)
    expect(topologyLevel(topo, [key('us-east-1a', 1)])).toBeUndefined()
    expect(topologyLevel(topo, [key('*', 1, 'eu-west-1')])).toBeUndefined()
    expect(topologyLevel(undefined, [key('*')])).toBeUndefined()
  })
})

describe('createBuiltinBalancer', () => {
  const ctx = { attempt: 1 }
  const first = () => 0

  it('any: least connections over all nodes', () => {
    const b = createBuiltinBalancer({ mode: 'any', random: first })
    expect(b.pick([cand('a', 3), cand('b', 2), cand('c', 5)], ctx)?.key).toBe('b')
    expect(b.name).toBe('any')
  })

  it('topology levels: level 1 first, then the next level present (gaps allowed), then the rest', () => {
    const b = createBuiltinBalancer({ mode: 'any', topologyKeys: [key('z2', 2), key('z5', 5)], random: first })
    const all = [cand('a', 0, 'z1'), cand('b', 9, 'z2'), cand('c', 0, 'z5')]
    expect(b.pick(all, ctx)?.key).toBe('b')
    expect(b.pick(all.filter((c) => c.key !== 'b'), ctx)?.key).toBe('c')
    expect(b.pick([cand('a', 0, 'z1')], ctx)?.key).toBe('a')
  })

  it('fallback_to_topology_keys_only: nothing outside the keys', () => {
    const b = createBuiltinBalancer({
      mode: 'any',
      topologyKeys: [key('z2', 1)],
      fallbackToTopologyKeysOnly: true,
      random: first,
    })
    expect(b.pick([cand('a', 0, 'z1')], ctx)).toBeUndefined()
    expect(b.name).toContain('fallback_to_topology_keys_only=true')
  })

  it('only-primary / only-rr filter by node type', () => {
    const cs = [cand('p', 5, 'z', 'primary'), cand('r', 9, 'z', 'read_replica')]
    expect(createBuiltinBalancer({ mode: 'only-primary' }).pick(cs, ctx)?.key).toBe('p')
    expect(createBuiltinBalancer({ mode: 'only-rr' }).pick(cs, ctx)?.key).toBe('r')
    expect(createBuiltinBalancer({ mode: 'only-rr' }).pick([cs[0]!], ctx)).toBeUndefined()
  })

  it('prefer-rr / prefer-primary fall back to the other type only when none of the preferred is up', () => {
    const cs = [cand('p', 0, 'z', 'primary'), cand('r', 9, 'z', 'read_replica')]
    expect(createBuiltinBalancer({ mode: 'prefer-rr' }).pick(cs, ctx)?.key).toBe('r')
    expect(createBuiltinBalancer({ mode: 'prefer-rr' }).pick([cs[0]!], ctx)?.key).toBe('p')
    expect(createBuiltinBalancer({ mode: 'prefer-primary' }).pick([cs[1]!], ctx)?.key).toBe('r')
  })

  it('plain PostgreSQL hosts (no type) count as primaries', () => {
    const plain: Candidate = { key: 'h:5432', address: { host: 'h', port: 5432 }, openConnections: 0 }
    expect(createBuiltinBalancer({ mode: 'only-primary' }).pick([plain], ctx)).toBe(plain)
    expect(createBuiltinBalancer({ mode: 'only-rr' }).pick([plain], ctx)).toBeUndefined()
  })
})
