import { describe, expect, it } from 'vitest'
import { PgError } from '../errors.js'
import { ServerCache } from './server-cache.js'
import { FakeClock, FakeCluster, flush, row } from './testing/fake-cluster.js'

function setup(seeds = ['10.0.0.1']) {
  const cluster = new FakeCluster([row('10.0.0.1'), row('10.0.0.2'), row('10.0.0.3')])
  const clock = new FakeClock()
  const cache = new ServerCache({
    seeds: seeds.map((host) => ({ host, port: 5433 })),
    refreshIntervalSeconds: 300,
    queryServers: cluster.queryServers,
    clock,
  })
  return { cluster, clock, cache }
}

describe('ServerCache', () => {
  it("uses each caller's own query: a failed load with bad credentials does not poison the next caller", async () => {
    const { cluster, cache } = setup()
    const denied = () => Promise.reject(new PgError({ severity: 'FATAL', code: '28P01', message: 'password authentication failed' }))
    await expect(cache.load(denied)).rejects.toMatchObject({ code: '28P01' })
    const list = await cache.load(cluster.queryServers)
    expect(list.rows?.map((r) => r.host)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3'])
  })

  it('loads once for concurrent callers (single-flight)', async () => {
    const { cluster, cache } = setup()
    const lists = await Promise.all(Array.from({ length: 10 }, () => cache.load()))
    expect(cluster.serverQueries).toEqual(['10.0.0.1:5433'])
    expect(new Set(lists).size).toBe(1)
    expect(cache.get()?.map((r) => r.host)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3'])
    expect(cache.refreshes).toBe(1)
  })

  it('does not refresh before the interval, serves a stale list at once and refreshes in the background', async () => {
    const { cluster, clock, cache } = setup()
    await cache.load()
    clock.advance(299)
    await cache.load()
    expect(cluster.serverQueries).toHaveLength(1)

    clock.advance(2)
    let open!: () => void
    cluster.queryGate = new Promise((resolve) => (open = resolve))
    cluster.rows = [row('10.0.0.1'), row('10.0.0.4')]
    const stale = await cache.load() // resolves although the refresh is blocked
    expect(stale.rows?.map((r) => r.host)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3'])
    await cache.load()
    expect(cluster.serverQueries).toHaveLength(2) // still one refresh in flight
    open()
    await flush()
    expect(cache.get()?.map((r) => r.host)).toEqual(['10.0.0.1', '10.0.0.4'])
  })

  it('tries the seeds in order, then known nodes', async () => {
    const { cluster, clock, cache } = setup(['10.0.0.9', '10.0.0.1'])
    await cache.load()
    expect(cluster.serverQueries).toEqual(['10.0.0.9:5433', '10.0.0.1:5433'])
    cluster.set('10.0.0.1', { behaviour: 'refuse' })
    clock.advance(301)
    await cache.refresh()
    expect(cluster.serverQueries.slice(2)).toEqual(['10.0.0.9:5433', '10.0.0.1:5433', '10.0.0.2:5433'])
  })

  it('rejects the first load with every host tried when none answers', async () => {
    const { cluster, cache } = setup(['10.0.0.1', '10.0.0.2'])
    cluster.set('10.0.0.1', { behaviour: 'refuse' })
    cluster.set('10.0.0.2', { behaviour: 'refuse' })
    await expect(cache.load()).rejects.toThrow(/10\.0\.0\.1:5433.*10\.0\.0\.2:5433/)
  })

  it('keeps serving the stale list when a background refresh fails, and waits before retrying', async () => {
    const { cluster, clock, cache } = setup()
    await cache.load()
    for (const h of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) cluster.set(h, { behaviour: 'refuse' })
    clock.advance(301)
    expect((await cache.load()).rows).toHaveLength(3)
    await flush()
    expect(cache.lastRefreshError).toBeDefined()
    const asked = cluster.serverQueries.length
    clock.advance(1)
    await cache.load()
    expect(cluster.serverQueries).toHaveLength(asked)
    clock.advance(5)
    await cache.load()
    expect(cluster.serverQueries.length).toBeGreaterThan(asked)
  })

  it('passes an auth error through at once without trying other hosts', async () => {
    const { cluster, cache } = setup(['10.0.0.1', '10.0.0.2'])
    cluster.set('10.0.0.1', { behaviour: 'auth-error' })
    await expect(cache.load()).rejects.toBeInstanceOf(PgError)
    expect(cluster.serverQueries).toEqual(['10.0.0.1:5433'])
  })

  it('null (no yb_servers) means plain PostgreSQL', async () => {
    const { cluster, cache } = setup()
    cluster.rows = null
    const list = await cache.load()
    expect(list.rows).toBeNull()
    expect(cache.get()).toBeNull()
  })

  it('detects public IPs: a seed is some row public_ip and no row host', async () => {
    const cluster = new FakeCluster([
      row('10.0.0.1', { publicIp: '34.0.0.1' }),
      row('10.0.0.2', { publicIp: '34.0.0.2' }),
    ])
    const make = (host: string) =>
      new ServerCache({
        seeds: [{ host, port: 5433 }],
        refreshIntervalSeconds: 300,
        queryServers: cluster.queryServers,
        clock: new FakeClock(),
      })
    expect((await make('34.0.0.2').load()).usePublicIp).toBe(true)
    expect((await make('10.0.0.2').load()).usePublicIp).toBe(false)
  })
})
