/**
 * Smart balancing on the 3 main nodes, every count checked on both sides:
 * the client's (hostConnections) and the servers' (pg_stat_activity).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { clusterStats, connect, createPool, hostConnections, PgError, type Balancer, type Client } from '../../src/index.js'
import { appName, closeAll, eventually, inOrder, lbUrl, serverCounts, serverCountsEventually, total } from '../support/balancing.js'
import { harness, setTopology } from '../support/harness.js'

const TOPOLOGY = 'lb_spread'
const pg = harness()
const nodes = pg.nodes
const seed = [nodes[0]!]
const open: Client[] = []

beforeAll(async () => {
  // Zones 1a, 1a, 1b, like the YugabyteDB seed cluster.
  await setTopology(TOPOLOGY, pg.defaultTopology)
})

afterEach(async () => {
  await closeAll(open.splice(0))
})

const url = (app: string, params: Record<string, string | number | boolean> = {}) =>
  lbUrl(seed, { load_balance: true, application_name: app, ...params }, { topology: TOPOLOGY })

describe('load_balance=true over yb_servers()', () => {
  it('30 connections give 10/10/10 on the servers and in the client map, and 0/0/0 after closing', async () => {
    const app = appName('30')
    const u = url(app)
    for (let i = 0; i < 30; i++) open.push(await connect(u))
    expect(inOrder(hostConnections(u), nodes)).toEqual([10, 10, 10])
    expect(await serverCountsEventually(nodes, app, [10, 10, 10])).toEqual([10, 10, 10])
    // Every session runs where the balancer says.
    const byHost = new Map<string, number>()
    for (const c of open) byHost.set(c.host.host, (byHost.get(c.host.host) ?? 0) + 1)
    expect(inOrder(byHost, nodes)).toEqual([10, 10, 10])

    await closeAll(open.splice(0))
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })

  it('discovery leaves no session open: the server count is exactly the user connections', async () => {
    const app = appName('disc')
    // A refresh interval no other test uses: a fresh server cache, so this connect runs discovery.
    const u = url(app, { yb_servers_refresh_interval: 7 })
    open.push(await connect(u))
    expect(clusterStats(u).servers?.map((r) => r.host)).toEqual(nodes.map((n) => n.host))
    const seen = await eventually(
      () => serverCounts(nodes, app),
      (c) => c.reduce((a, b) => a + b, 0) === 1,
    )
    expect(seen.reduce((a, b) => a + b, 0)).toBe(1)
    expect(seen).toEqual(inOrder(hostConnections(u), nodes))
  })

  it('100 concurrent connects spread within ±1, and are not serialized', async () => {
    const app = appName('100')
    const u = url(app)
    open.push(await connect(u)) // warm the server list
    await closeAll(open.splice(0))
    await serverCountsEventually(nodes, app, [0, 0, 0])

    let settled = 0
    const pending = Array.from({ length: 100 }, () => connect(u).finally(() => settled++))
    // Under a global connect lock only one would be in flight; here every
    // connect has picked its node (and reserved its count) before any finished.
    await new Promise((r) => setImmediate(r))
    expect(settled).toBe(0)
    expect(total(hostConnections(u))).toBe(100)
    const inFlight = inOrder(hostConnections(u), nodes)
    expect(Math.max(...inFlight) - Math.min(...inFlight)).toBeLessThanOrEqual(1)

    const clients = await Promise.all(pending)
    open.push(...clients)
    const client = inOrder(hostConnections(u), nodes)
    expect(total(hostConnections(u))).toBe(100)
    expect(Math.max(...client) - Math.min(...client)).toBeLessThanOrEqual(1)
    const server = await serverCountsEventually(nodes, app, client)
    expect(server).toEqual(client)

    await closeAll(open.splice(0))
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })

  it('two option sets in one process are each honoured at once', async () => {
    const app = appName('two')
    const zoneA = url(app, { topology_keys: 'aws.us-east-1.us-east-1a' })
    const zoneB = url(app, { topologyKeys: 'aws.us-east-1.us-east-1b', fallback_to_topology_keys_only: true })
    const a: Client[] = []
    const b: Client[] = []
    for (let i = 0; i < 6; i++) {
      a.push(await connect(zoneA))
      b.push(await connect(zoneB))
    }
    open.push(...a, ...b)
    expect(a.map((c) => c.host.host).sort()).toEqual([...Array(3).fill('127.0.0.1'), ...Array(3).fill('127.0.0.2')])
    expect(new Set(b.map((c) => c.host.host))).toEqual(new Set(['127.0.0.3']))
    // One host book per cluster: both option sets count together.
    expect(inOrder(hostConnections(zoneA), nodes)).toEqual([3, 3, 6])
    expect(await serverCountsEventually(nodes, app, [3, 3, 6])).toEqual([3, 3, 6])
  })

  it('accepts the @yugabytedb/pg option names in an object, values case-insensitive', async () => {
    const app = appName('camel')
    const options = {
      host: nodes[0]!.host,
      port: nodes[0]!.port,
      user: 'pgfleet_trust',
      database: 'pgfleet',
      sslmode: 'disable',
      applicationName: app,
      options: `-c pgfleet.topology=${TOPOLOGY}`,
      loadBalance: 'TRUE',
      topologyKeys: 'AWS.US-EAST-1.US-EAST-1A',
      ybServersRefreshInterval: 60,
      failedHostReconnectDelaySecs: 3,
    }
    for (let i = 0; i < 6; i++) open.push(await connect(options))
    expect(inOrder(hostConnections(options), nodes)).toEqual([3, 3, 0])
    expect(await serverCountsEventually(nodes, app, [3, 3, 0])).toEqual([3, 3, 0])
  })

  it('two pools on one cluster share one host book and balance together', async () => {
    const app = appName('pools')
    const u = url(app)
    const first = createPool(u, { max: 6 })
    const second = createPool(url(app, { topology_keys: 'aws.us-east-1.us-east-1a' }), { max: 6 })
    try {
      const a = await Promise.all(Array.from({ length: 6 }, () => first.connect()))
      expect(inOrder(first.hostConnections(), nodes)).toEqual([2, 2, 2])
      const b = await Promise.all(Array.from({ length: 6 }, () => second.connect()))
      // The second pool sees the first one's sessions: zone 1a nodes get 3 each.
      expect(inOrder(second.hostConnections(), nodes)).toEqual([3, 3, 0])
      expect(inOrder(first.clusterConnections(), nodes)).toEqual([5, 5, 2])
      expect(inOrder(hostConnections(u), nodes)).toEqual([5, 5, 2])
      expect(await serverCountsEventually(nodes, app, [5, 5, 2])).toEqual([5, 5, 2])
      for (const c of [...a, ...b]) c.release()
    } finally {
      await Promise.all([first.end(), second.end()])
    }
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })

  it('uses a custom Balancer given as `balancer`', async () => {
    const app = appName('custom')
    const picks: number[] = []
    const lastNode: Balancer = {
      name: 'last-node',
      pick(candidates) {
        picks.push(candidates.length)
        return candidates.find((c) => c.address.host === '127.0.0.3')
      },
    }
    for (let i = 0; i < 4; i++) open.push(await connect({ connectionString: url(app), balancer: lastNode }))
    expect(picks).toEqual([3, 3, 3, 3])
    expect(new Set(open.map((c) => c.host.host))).toEqual(new Set(['127.0.0.3']))
    expect(await serverCountsEventually(nodes, app, [0, 0, 4])).toEqual([0, 0, 4])
    expect(clusterStats({ connectionString: url(app), balancer: lastNode }).balancer).toBe('last-node')
  })

  it("a CancelRequest goes to the session's own node", async () => {
    const app = appName('cancel')
    const u = url(app)
    const clients: Client[] = []
    for (let i = 0; i < 3; i++) clients.push(await connect(u))
    open.push(...clients)
    const onNode = (host: string) => clients.find((c) => c.host.host === host)!
    expect(new Set(clients.map((c) => c.host.host)).size).toBe(3)
    const sleeps = clients.map((c) => c.query('select pg_sleep(30)').then(() => 'done', (e: unknown) => e))
    await eventually(
      () => activeSleeps(app),
      (n) => n === 3,
    )
    await onNode('127.0.0.2').cancel()
    const cancelled = await sleeps[clients.indexOf(onNode('127.0.0.2'))]
    expect(cancelled).toBeInstanceOf(PgError)
    expect((cancelled as PgError).code).toBe('57014')
    // Nodes 1 and 3 still sleep.
    expect(await activeSleepsPerNode(app)).toEqual([1, 0, 1])
    await Promise.all([onNode('127.0.0.1').cancel(), onNode('127.0.0.3').cancel()])
    for (const s of sleeps) expect(await s).toBeInstanceOf(PgError)
  })
})

async function activeSleepsPerNode(app: string): Promise<number[]> {
  const { adminQuery } = await import('../support/harness.js')
  return Promise.all(
    nodes.map(async (n) => {
      const rows = await adminQuery(
        n.host,
        n.port,
        `select count(*) from pg_stat_activity where application_name = :'app' and state = 'active' and query like '%pg_sleep%'`,
        { vars: { app }, database: 'postgres' },
      )
      return Number(rows[0]?.[0])
    }),
  )
}

async function activeSleeps(app: string): Promise<number> {
  return (await activeSleepsPerNode(app)).reduce((a, b) => a + b, 0)
}
