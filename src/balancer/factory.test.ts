import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Config } from '../config/types.js'
import { ConfigError, ConnectionError, ErrorCode, PgError } from '../errors.js'
import { createConnectionFactory, type ConnectionFactoryDeps } from './factory.js'
import { HostBookRegistry, clusterKeyOf } from './host-book.js'
import { FakeClock, FakeCluster, FakeSession, flush, makeConfig, row } from './testing/fake-cluster.js'
import type { Balancer, Candidate, ServerRow } from './types.js'

/** Deterministic random (mulberry32). */
function seeded(seed = 42): () => number {
  let a = seed
  return () => {
    a |= 0
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const threeNodes = (): ServerRow[] => [
  row('127.0.0.1', { zone: 'us-east-1a' }),
  row('127.0.0.2', { zone: 'us-east-1a' }),
  row('127.0.0.3', { zone: 'us-east-1b' }),
]

function setup(
  patch: Partial<Config> = {},
  rows: ServerRow[] | null = threeNodes(),
  extra: Partial<ConnectionFactoryDeps<FakeSession>> = {},
) {
  const cluster = new FakeCluster(rows, ['127.0.0.1', '127.0.0.2', '127.0.0.3'])
  const clock = new FakeClock()
  const books = new HostBookRegistry()
  const config = makeConfig({ hosts: [{ host: '127.0.0.1', port: 5433 }], ...patch })
  const factory = createConnectionFactory(config, {
    connectNode: cluster.connectNode,
    queryServers: cluster.queryServers,
    clock,
    random: seeded(),
    books,
    closeSession: (s) => s.end(),
    ...extra,
  })
  return { cluster, clock, books, factory, config }
}

async function connectMany<S>(factory: { connect(): Promise<S> }, n: number): Promise<S[]> {
  const out: S[] = []
  for (let i = 0; i < n; i++) out.push(await factory.connect())
  return out
}

const counts = (m: Map<string, number>) => Object.fromEntries([...m].sort())

afterEach(() => {
  vi.useRealTimers()
})

describe('balanced connects', () => {
  it('30 connects over 3 nodes give 10/10/10, client and "server" side', async () => {
    const { cluster, factory } = setup()
    await connectMany(factory, 30)
    expect(counts(factory.hostConnections())).toEqual({ '127.0.0.1': 10, '127.0.0.2': 10, '127.0.0.3': 10 })
    // The discovery query opened no session of its own.
    expect(counts(cluster.openByHost())).toEqual({ '127.0.0.1': 10, '127.0.0.2': 10, '127.0.0.3': 10 })
  })

  it('topology keys matching 2 of 3 nodes give 15/15/0', async () => {
    const { cluster, factory } = setup({
      topologyKeys: [{ cloud: 'AWS', region: 'us-east-1', zone: 'US-EAST-1A', level: 1 }],
    })
    await connectMany(factory, 30)
    expect(counts(cluster.openByHost())).toEqual({ '127.0.0.1': 15, '127.0.0.2': 15 })
  })

  it('levels with a gap fall through to the next level, then the rest of the cluster', async () => {
    const { cluster, factory, clock } = setup({
      topologyKeys: [
        { cloud: 'aws', region: 'us-east-1', zone: 'us-east-1b', level: 2 },
        { cloud: 'aws', region: 'us-east-1', zone: 'us-east-1a', level: 4 },
      ],
    })
    const first = await connectMany(factory, 4)
    expect(first.map((s) => s.dialled.host)).toEqual(Array(4).fill('127.0.0.3'))
    cluster.set('127.0.0.3', { behaviour: 'refuse' })
    const next = await connectMany(factory, 4)
    expect(new Set(next.map((s) => s.dialled.host))).toEqual(new Set(['127.0.0.1', '127.0.0.2']))
    // A level-less cluster node is used once every keyed node is down.
    const { cluster: c2, factory: f2 } = setup({
      topologyKeys: [{ cloud: 'aws', region: 'us-east-1', zone: 'us-east-1b', level: 3 }],
    })
    c2.set('127.0.0.3', { behaviour: 'refuse' })
    const s = await f2.connect()
    expect(['127.0.0.1', '127.0.0.2']).toContain(s.dialled.host)
    expect(clock.now()).toBeGreaterThan(0)
  })

  it('fallback_to_topology_keys_only: error when every keyed node is down', async () => {
    const { cluster, factory } = setup({
      topologyKeys: [{ cloud: 'aws', region: 'us-east-1', zone: 'us-east-1b', level: 1 }],
      fallbackToTopologyKeysOnly: true,
    })
    cluster.set('127.0.0.3', { behaviour: 'refuse' })
    const error = await factory.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(/fallback_to_topology_keys_only=true/)
    expect((error as Error).message).toMatch(/127\.0\.0\.3:5433 \(connect ECONNREFUSED/)
    expect(cluster.dials).toEqual(['127.0.0.3:5433'])
  })

  it('only-rr: rejects with a clear error naming the mode when no read replica is up', async () => {
    const { factory } = setup({ loadBalance: 'only-rr' })
    await expect(factory.connect()).rejects.toThrow(/load balancing \(only-rr\)/)
    const rr = setup({ loadBalance: 'only-rr' }, [row('127.0.0.1'), row('127.0.0.2', { nodeType: 'read_replica' })])
    expect((await rr.factory.connect()).dialled.host).toBe('127.0.0.2')
    rr.cluster.set('127.0.0.2', { behaviour: 'refuse' })
    rr.clock.advance(10)
    await expect(rr.factory.connect()).rejects.toThrow(/only-rr.*127\.0\.0\.2:5433/)
  })

  it('prefer-rr: read replicas first, primaries when none is up', async () => {
    const rows = [row('127.0.0.1'), row('127.0.0.2', { nodeType: 'read_replica' })]
    const { cluster, factory } = setup({ loadBalance: 'prefer-rr' }, rows)
    const first = await connectMany(factory, 3)
    expect(first.map((s) => s.dialled.host)).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.2'])
    cluster.set('127.0.0.2', { behaviour: 'refuse' })
    expect((await factory.connect()).dialled.host).toBe('127.0.0.1')
  })

  it('100 concurrent connects spread within ±1, one discovery query', async () => {
    const { cluster, factory } = setup()
    await Promise.all(Array.from({ length: 100 }, () => factory.connect()))
    const open = [...factory.hostConnections().values()]
    expect(open.reduce((a, b) => a + b)).toBe(100)
    expect(Math.max(...open) - Math.min(...open)).toBeLessThanOrEqual(1)
    expect(cluster.serverQueries).toHaveLength(1)
  })

  it('single-flight refresh: 10 concurrent connects run 1 query', async () => {
    const { cluster, factory } = setup()
    await Promise.all(Array.from({ length: 10 }, () => factory.connect()))
    expect(cluster.serverQueries).toEqual(['127.0.0.1:5433'])
    expect(factory.stats().refreshes).toBe(1)
  })

  it('a stale list is served without waiting for the refresh', async () => {
    const { cluster, factory, clock } = setup()
    await factory.connect()
    clock.advance(301)
    cluster.queryGate = new Promise(() => undefined) // the refresh never answers
    const sessions = await connectMany(factory, 3)
    expect(sessions).toHaveLength(3)
    expect(cluster.serverQueries).toHaveLength(2)
  })

  it('skips a failed host for failed_host_ttl_seconds, then tries it again', async () => {
    const { cluster, factory, clock } = setup({ failedHostTtlSeconds: 5 })
    cluster.set('127.0.0.2', { behaviour: 'refuse' })
    await connectMany(factory, 3)
    expect(cluster.dials.filter((d) => d === '127.0.0.2:5433')).toHaveLength(1)
    expect(factory.stats().failedHosts).toEqual(['127.0.0.2:5433'])
    cluster.set('127.0.0.2', { behaviour: 'up' })
    clock.advance(4)
    await connectMany(factory, 6)
    expect(cluster.dials.filter((d) => d === '127.0.0.2:5433')).toHaveLength(1)
    clock.advance(1)
    expect(factory.stats().failedHosts).toEqual([])
    await factory.connect()
    expect(cluster.dials.at(-1)).toBe('127.0.0.2:5433')
    expect(factory.hostConnections().get('127.0.0.2')).toBe(1)
  })

  it('an auth error rejects at once and marks no node failed', async () => {
    const { cluster, factory } = setup()
    ;(await factory.connect()).end()
    await flush()
    for (const h of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) cluster.set(h, { behaviour: 'auth-error' })
    await expect(factory.connect()).rejects.toBeInstanceOf(PgError)
    expect(cluster.dials).toHaveLength(2)
    expect(factory.stats().failedHosts).toEqual([])
    expect([...factory.hostConnections().values()].every((n) => n === 0)).toBe(true)
    // Discovery with a wrong password fails the same way, promptly.
    const fresh = setup()
    fresh.cluster.set('127.0.0.1', { behaviour: 'auth-error' })
    await expect(fresh.factory.connect()).rejects.toBeInstanceOf(PgError)
    expect(fresh.factory.stats().failedHosts).toEqual([])
    for (const h of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) cluster.set(h, { behaviour: 'up' })
    await connectMany(factory, 3)
    expect(counts(factory.hostConnections())).toEqual({ '127.0.0.1': 1, '127.0.0.2': 1, '127.0.0.3': 1 })
  })

  it('a dial the runtime refuses (Workers and a Unix socket, Deno without --allow-net) rejects at once and marks no node failed', async () => {
    const refused = new ConfigError('Cloudflare Workers cannot open Unix-domain sockets', { option: 'host', code: ErrorCode.RuntimeLimit })
    const { factory } = setup({}, null, { connectNode: () => Promise.reject(refused) })
    await expect(factory.connect()).rejects.toBe(refused)
    expect(factory.stats().failedHosts).toEqual([])
    expect([...factory.hostConnections().values()].every((n) => n === 0)).toBe(true)
  })

  it('lists every node tried and why when all fail', async () => {
    const { cluster, factory } = setup()
    ;(await factory.connect()).end()
    for (const h of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) cluster.set(h, { behaviour: 'refuse' })
    const error = await factory.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).code).toBe(ErrorCode.NoHost)
    for (const h of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) {
      expect((error as Error).message).toContain(`${h}:5433 (connect ECONNREFUSED ${h}:5433)`)
    }
    // Within the TTL the next connect tries the node that failed longest ago
    // (one per connect), then fails with the same message, naming the skipped nodes.
    const again = await factory.connect().catch((e: unknown) => e)
    expect((again as ConnectionError).code).toBe(ErrorCode.NoHost)
    expect((again as Error).message).toMatch(
      /^No node available for load balancing \(any\): 3 node\(s\) known; skipped \(failed to connect in the last 5 s\): 127\.0\.0\.\d:5433, .*; tried 127\.0\.0\.\d:5433 \(connect ECONNREFUSED/,
    )
    expect(cluster.dials).toHaveLength(5)
  })

  it('discovery failing on every seed rejects with every seed tried', async () => {
    const hosts = ['127.0.0.1', '127.0.0.2'].map((host) => ({ host, port: 5433 }))
    const { cluster, factory } = setup({ hosts })
    for (const h of ['127.0.0.1', '127.0.0.2']) cluster.set(h, { behaviour: 'refuse' })
    await expect(factory.connect()).rejects.toThrow(/127\.0\.0\.1:5433.*127\.0\.0\.2:5433/)
  })

  it('counts return to zero after every kind of end', async () => {
    vi.useFakeTimers()
    const { cluster, factory } = setup({ connectTimeoutMs: 1000 })
    const sessions = await connectMany(factory, 6)
    sessions[0]!.end() // user close
    sessions[1]!.end() // server kill / socket error: the same `closed` signal
    sessions[1]!.end() // a second signal changes nothing
    await flush()
    expect([...factory.hostConnections().values()].reduce((a, b) => a + b)).toBe(4)
    for (const s of sessions) s.end()
    await flush()
    expect([...factory.hostConnections().values()]).toEqual([0, 0, 0])

    cluster.set('127.0.0.1', { behaviour: 'refuse' }) // failed connect
    cluster.set('127.0.0.2', { behaviour: 'hang' }) // connect timeout
    const pending = factory.connect()
    await vi.advanceTimersByTimeAsync(1000)
    const s = await pending
    expect(s.dialled.host).toBe('127.0.0.3')
    s.end()
    await flush()
    expect(counts(factory.hostConnections())).toEqual({ '127.0.0.1': 0, '127.0.0.2': 0, '127.0.0.3': 0 })
    expect(counts(factory.clusterConnections())).toEqual({ '127.0.0.1': 0, '127.0.0.2': 0, '127.0.0.3': 0 })
  })

  it('a session that arrives after its timeout is closed and not counted', async () => {
    vi.useFakeTimers()
    let deliver!: (s: FakeSession) => void
    const late = new FakeSession({ host: '127.0.0.1', port: 5433 }, { readOnly: false, inRecovery: false })
    const { factory, cluster } = setup({ connectTimeoutMs: 500 }, [row('127.0.0.1')], {
      connectNode: (node) => (node.host === '127.0.0.1' ? new Promise((r) => (deliver = r)) : cluster.connectNode(node)),
    })
    const pending = factory.connect().catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(500)
    const error = await pending
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(/127\.0\.0\.1:5433 \(timeout expired after 500 ms connecting to 127\.0\.0\.1:5433\)/)
    deliver(late)
    await flush()
    expect(late.ended).toBe(true)
    expect(factory.hostConnections().get('127.0.0.1')).toBe(0)
  })
})

describe('every candidate inside failed_host_ttl_seconds', () => {
  const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3']
  const dialsOf = (dials: string[]) => dials.map((d) => d.replace(/:5433$/, ''))

  /** The factory's host book, to mark nodes failed at chosen times. */
  function bookOf(s: ReturnType<typeof setup>) {
    return s.books.bookFor(clusterKeyOf(s.config.hosts))
  }

  /** Run discovery (one connect, ended at once): the list is cached from then on. */
  async function discovered(s: ReturnType<typeof setup>): Promise<ReturnType<typeof setup>> {
    ;(await s.factory.connect()).end()
    await flush()
    return s
  }

  /** Mark each host failed `secondsAgo[i]` seconds before now (3 nodes, keys uuid-<host>). */
  function markFailed(s: ReturnType<typeof setup>, secondsAgo: Record<string, number>) {
    for (const [host, ago] of Object.entries(secondsAgo)) bookOf(s).markFailed(`uuid-${host}`, s.clock.now() - ago * 1000)
  }

  it('after a cluster-wide failure, a node that is back serves the next connect within the TTL', async () => {
    const s = await discovered(setup({ failedHostTtlSeconds: 5 }))
    for (const h of HOSTS) s.cluster.set(h, { behaviour: 'refuse' })
    await expect(s.factory.connect()).rejects.toMatchObject({ code: ErrorCode.NoHost })
    expect(s.factory.stats().failedHosts).toHaveLength(3)
    // Two nodes come back one second later, well inside the 5 s TTL.
    s.cluster.set('127.0.0.2', { behaviour: 'up' })
    s.cluster.set('127.0.0.3', { behaviour: 'up' })
    s.clock.advance(1)
    // One failed node per connect, the one that failed longest ago: 127.0.0.1
    // still refuses (and goes to the back of the line), then 127.0.0.2 is back.
    await expect(s.factory.connect()).rejects.toMatchObject({ code: ErrorCode.NoHost })
    const session = await s.factory.connect()
    expect(session.node.host).toBe('127.0.0.2')
    // The success cleared that node's mark: the next connect goes straight to it.
    expect(s.factory.stats().failedHosts).not.toContain(`${session.node.host}:5433`)
    const before = s.cluster.dials.length
    expect((await s.factory.connect()).node.host).toBe(session.node.host)
    expect(s.cluster.dials.slice(before)).toEqual([`${session.node.host}:5433`])
  })

  it('tries one failed node per connect, least recently failed first', async () => {
    const s = await discovered(setup())
    markFailed(s, { '127.0.0.1': 2, '127.0.0.2': 1, '127.0.0.3': 3 })
    s.cluster.set('127.0.0.3', { behaviour: 'refuse' })
    s.cluster.set('127.0.0.2', { behaviour: 'refuse' })
    const first = s.cluster.dials.length
    const error = (await s.factory.connect().catch((e: unknown) => e)) as ConnectionError
    expect(dialsOf(s.cluster.dials.slice(first))).toEqual(['127.0.0.3'])
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.code).toBe(ErrorCode.NoHost)
    expect(error.message).toMatch(/^No node available for load balancing \(any\): 3 node\(s\) known; skipped \(failed to connect in the last 5 s\): /)
    expect(error.message).toMatch(/; tried 127\.0\.0\.3:5433 \(connect ECONNREFUSED 127\.0\.0\.3:5433\)$/)
    // Node 3 went to the back of the line: the next connect tries node 1, which is back.
    const second = s.cluster.dials.length
    expect((await s.factory.connect()).node.host).toBe('127.0.0.1')
    expect(dialsOf(s.cluster.dials.slice(second))).toEqual(['127.0.0.1'])

    // Every node refuses: each connect dials one, oldest failure first.
    const t = await discovered(setup())
    markFailed(t, { '127.0.0.1': 2, '127.0.0.2': 1, '127.0.0.3': 3 })
    for (const h of HOSTS) t.cluster.set(h, { behaviour: 'refuse' })
    const dialsBefore = t.cluster.dials.length
    for (let i = 0; i < 3; i++) await expect(t.factory.connect()).rejects.toMatchObject({ code: ErrorCode.NoHost })
    expect(dialsOf(t.cluster.dials.slice(dialsBefore))).toEqual(['127.0.0.3', '127.0.0.1', '127.0.0.2'])
  })

  it('a node refused again is re-marked with the new time', async () => {
    const s = await discovered(setup())
    markFailed(s, { '127.0.0.1': 2, '127.0.0.2': 1, '127.0.0.3': 3 })
    s.cluster.set('127.0.0.3', { behaviour: 'refuse' })
    s.clock.advance(1)
    const now = s.clock.now()
    await expect(s.factory.connect()).rejects.toMatchObject({ code: ErrorCode.NoHost })
    expect((await s.factory.connect()).node.host).toBe('127.0.0.1')
    expect(bookOf(s).failedSince('uuid-127.0.0.3')).toBe(now)
    expect(bookOf(s).failedSince('uuid-127.0.0.1')).toBeUndefined()
    expect(bookOf(s).failedSince('uuid-127.0.0.2')).toBe(now - 2000)
    // Node 3 now failed after node 2, so node 2 comes first next time (after
    // node 1, healthy since its success, which is tried as a healthy node).
    s.cluster.set('127.0.0.1', { behaviour: 'refuse' })
    s.cluster.set('127.0.0.2', { behaviour: 'refuse' })
    s.clock.advance(1)
    const before = s.cluster.dials.length
    await expect(s.factory.connect()).rejects.toMatchObject({ code: ErrorCode.NoHost })
    expect(dialsOf(s.cluster.dials.slice(before))).toEqual(['127.0.0.1', '127.0.0.2'])
  })

  it('only-primary never tries a failed read replica', async () => {
    const rows = [row('127.0.0.1'), row('127.0.0.2', { nodeType: 'read_replica' }), row('127.0.0.3', { nodeType: 'read_replica' })]
    const s = await discovered(setup({ loadBalance: 'only-primary' }, rows))
    markFailed(s, { '127.0.0.1': 1, '127.0.0.2': 3, '127.0.0.3': 2 })
    for (const h of HOSTS) s.cluster.set(h, { behaviour: 'refuse' })
    const before = s.cluster.dials.length
    await expect(s.factory.connect()).rejects.toThrow(/only-primary.*tried 127\.0\.0\.1:5433 \(connect ECONNREFUSED/)
    expect(dialsOf(s.cluster.dials.slice(before))).toEqual(['127.0.0.1'])
    // Replicas are up (and failed): still never used; the primary once it is back.
    s.cluster.set('127.0.0.2', { behaviour: 'up' })
    s.cluster.set('127.0.0.3', { behaviour: 'up' })
    await expect(s.factory.connect()).rejects.toMatchObject({ code: ErrorCode.NoHost })
    s.cluster.set('127.0.0.1', { behaviour: 'up' })
    expect((await s.factory.connect()).node.host).toBe('127.0.0.1')
    expect(dialsOf(s.cluster.dials.slice(before))).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1'])
  })

  it('only-rr tries a failed read replica rather than a healthy primary', async () => {
    const rows = [row('127.0.0.1'), row('127.0.0.2', { nodeType: 'read_replica' })]
    const s = await discovered(setup({ loadBalance: 'only-rr' }, rows))
    markFailed(s, { '127.0.0.2': 1 })
    const before = s.cluster.dials.length
    expect((await s.factory.connect()).node.host).toBe('127.0.0.2')
    expect(dialsOf(s.cluster.dials.slice(before))).toEqual(['127.0.0.2'])
  })

  it('fallback_to_topology_keys_only: only failed nodes inside the keys are tried', async () => {
    const s = await discovered(
      setup({
        topologyKeys: [{ cloud: 'aws', region: 'us-east-1', zone: 'us-east-1b', level: 1 }],
        fallbackToTopologyKeysOnly: true,
      }),
    )
    markFailed(s, { '127.0.0.1': 3, '127.0.0.2': 2, '127.0.0.3': 1 })
    s.cluster.set('127.0.0.3', { behaviour: 'refuse' })
    const before = s.cluster.dials.length
    await expect(s.factory.connect()).rejects.toThrow(/fallback_to_topology_keys_only=true/)
    expect(dialsOf(s.cluster.dials.slice(before))).toEqual(['127.0.0.3'])
  })

  it('a custom balancer is offered each failed node alone and may refuse it', async () => {
    const offers: string[][] = []
    const balancer: Balancer = {
      name: 'not-two',
      pick: (candidates) => {
        offers.push(candidates.map((c) => c.address.host))
        return candidates.find((c) => c.address.host !== '127.0.0.2')
      },
    }
    const s = await discovered(setup({}, threeNodes(), { balancer }))
    offers.length = 0
    markFailed(s, { '127.0.0.1': 1, '127.0.0.2': 3, '127.0.0.3': 2 })
    const before = s.cluster.dials.length
    expect((await s.factory.connect()).node.host).toBe('127.0.0.3')
    expect(dialsOf(s.cluster.dials.slice(before))).toEqual(['127.0.0.3'])
    expect(offers).toEqual([['127.0.0.2'], ['127.0.0.3']])
  })
})

describe('sharing and plugging', () => {
  it('two factories on one cluster share one book, each with its own topology keys', async () => {
    const cluster = new FakeCluster(threeNodes())
    const books = new HostBookRegistry()
    const base = {
      connectNode: cluster.connectNode,
      queryServers: cluster.queryServers,
      clock: new FakeClock(),
      random: seeded(),
      books,
    }
    const hosts = [{ host: '127.0.0.1', port: 5433 }]
    const all = createConnectionFactory(makeConfig({ hosts }), base)
    const zoneB = createConnectionFactory(
      makeConfig({ hosts, topologyKeys: [{ cloud: 'aws', region: 'us-east-1', zone: 'us-east-1b', level: 1 }] }),
      base,
    )
    await connectMany(zoneB, 6)
    expect(counts(zoneB.hostConnections())).toEqual({ '127.0.0.3': 6 })
    // `all` sees zoneB's 6 on node 3 and fills the others first.
    await connectMany(all, 12)
    expect(counts(all.clusterConnections())).toEqual({ '127.0.0.1': 6, '127.0.0.2': 6, '127.0.0.3': 6 })
    expect(counts(all.hostConnections())).toEqual({ '127.0.0.1': 6, '127.0.0.2': 6 })
    // A different cluster has its own book.
    const other = createConnectionFactory(makeConfig({ hosts: [{ host: '127.0.0.2', port: 5433 }] }), base)
    expect(counts(other.clusterConnections())).toEqual({})
  })

  it('plain PostgreSQL (no yb_servers) balances over the listed hosts', async () => {
    const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((host) => ({ host, port: 5433 }))
    const { cluster, factory } = setup({ hosts }, null)
    await connectMany(factory, 30)
    expect(counts(cluster.openByHost())).toEqual({ '127.0.0.1': 10, '127.0.0.2': 10, '127.0.0.3': 10 })
    expect(factory.stats().servers).toBeNull()
  })

  it('dials public IPs when the user connected through one, and counts go back down', async () => {
    const rows = [1, 2, 3].map((n) => row(`10.0.0.${n}`, { publicIp: `34.0.0.${n}` }))
    const { cluster, factory } = setup({ hosts: [{ host: '34.0.0.1', port: 5433 }] }, rows)
    const sessions = await connectMany(factory, 6)
    expect(new Set(cluster.dials)).toEqual(new Set(['34.0.0.1:5433', '34.0.0.2:5433', '34.0.0.3:5433']))
    expect(sessions[0]!.node.host).toMatch(/^34\./)
    expect(factory.stats().usePublicIp).toBe(true)
    for (const s of sessions) s.end()
    await flush()
    expect(counts(factory.hostConnections())).toEqual({ '34.0.0.1': 0, '34.0.0.2': 0, '34.0.0.3': 0 })
  })

  it('calls a custom balancer with topology, type, level and counts', async () => {
    const seen: Candidate[][] = []
    const balancer: Balancer = {
      name: 'last-one',
      pick(candidates, context) {
        seen.push([...candidates])
        expect(context.attempt).toBeGreaterThan(0)
        return candidates[candidates.length - 1]
      },
    }
    const rows = [row('127.0.0.1'), row('127.0.0.2', { nodeType: 'read_replica', zone: 'z9' })]
    const { factory } = setup(
      { topologyKeys: [{ cloud: 'aws', region: 'us-east-1', zone: 'z9', level: 2 }] },
      rows,
      { balancer },
    )
    await factory.connect()
    await factory.connect()
    expect(seen[1]).toEqual([
      expect.objectContaining({
        key: 'uuid-127.0.0.1',
        nodeType: 'primary',
        openConnections: 0,
        level: undefined,
        topology: { cloud: 'aws', region: 'us-east-1', zone: 'us-east-1a' },
      }),
      expect.objectContaining({ key: 'uuid-127.0.0.2', nodeType: 'read_replica', openConnections: 1, level: 2 }),
    ])
    expect(factory.stats().balancer).toBe('last-one')
  })

  it('a balancer that finds nothing rejects with its name', async () => {
    const { factory } = setup({}, threeNodes(), { balancer: { name: 'picky', pick: () => undefined } })
    await expect(factory.connect()).rejects.toThrow(/picky.*3 node\(s\) known/)
  })
})
