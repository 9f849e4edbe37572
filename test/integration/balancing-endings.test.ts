/**
 * Counts go back to zero after every kind of ending (close, server
 * termination, socket destroy, failed startup), on both sides; a failed
 * startup never marks a node failed.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { clusterStats, connect, hostConnections, PgError, type Client } from '../../src/index.js'
import { appName, closeAll, eventually, inOrder, lbUrl, serverCountsEventually } from '../support/balancing.js'
import { harness, PASSWORD, SCRAM_USER, setTopology, terminateBackends } from '../support/harness.js'

const TOPOLOGY = 'lb_endings'
const pg = harness()
const nodes = pg.nodes
const open: Client[] = []
let interval = 100

beforeAll(async () => {
  await setTopology(TOPOLOGY, pg.defaultTopology)
})

afterEach(async () => {
  await closeAll(open.splice(0))
})

/** A URL with its own server cache (a refresh interval no other test uses). */
function url(app: string, opts: { user?: string; password?: string; database?: string } = {}): string {
  return lbUrl([nodes[0]!], { load_balance: true, application_name: app, yb_servers_refresh_interval: ++interval }, { topology: TOPOLOGY, ...opts })
}

async function threeOnEachNode(u: string): Promise<Client[]> {
  const clients: Client[] = []
  for (let i = 0; i < 9; i++) clients.push(await connect(u))
  open.push(...clients)
  expect(inOrder(hostConnections(u), nodes)).toEqual([3, 3, 3])
  return clients
}

describe('counts after every kind of ending', () => {
  it('pg_terminate_backend: closed resolves with 57P01 and the node count drops', async () => {
    const app = appName('kill')
    const u = url(app)
    const clients = await threeOnEachNode(u)
    expect(await serverCountsEventually(nodes, app, [3, 3, 3])).toEqual([3, 3, 3])
    const onNode2 = clients.filter((c) => c.host.host === nodes[1]!.host)
    expect(await terminateBackends(nodes[1]!.host, nodes[1]!.port, app)).toBe(3)
    const reasons = await Promise.all(onNode2.map((c) => c.closed))
    for (const reason of reasons) {
      expect(reason).toBeInstanceOf(PgError)
      expect((reason as PgError).code).toBe('57P01')
    }
    expect(inOrder(hostConnections(u), nodes)).toEqual([3, 0, 3])
    expect(await serverCountsEventually(nodes, app, [3, 0, 3])).toEqual([3, 0, 3])
    // A killed session never marks its node down: the next connects refill node 2.
    expect(clusterStats(u).failedHosts).toEqual([])
    for (let i = 0; i < 3; i++) open.push(await connect(u))
    expect(inOrder(hostConnections(u), nodes)).toEqual([3, 3, 3])
    await closeAll(open.splice(0))
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })

  it('socket destroy', async () => {
    const app = appName('destroy')
    const u = url(app)
    const clients = await threeOnEachNode(u)
    for (const c of clients.filter((c) => c.host.host === nodes[0]!.host)) c.connection.destroy()
    await eventually(
      () => inOrder(hostConnections(u), nodes),
      (c) => c[0] === 0,
    )
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 3, 3])
    expect(await serverCountsEventually(nodes, app, [0, 3, 3])).toEqual([0, 3, 3])
    await closeAll(open.splice(0))
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })

  it('wrong password: a prompt PgError 28P01, no node marked failed, the right password works next', async () => {
    const app = appName('pw')
    const base = { user: SCRAM_USER }
    const bad = url(app, { ...base, password: 'wrong' })
    // First as discovery (fresh server cache), ...
    let t = performance.now()
    const first = await connect(bad).catch((e: unknown) => e)
    expect(performance.now() - t).toBeLessThan(3000)
    expect(first).toBeInstanceOf(PgError)
    expect((first as PgError).code).toBe('28P01')
    expect(clusterStats(bad).failedHosts).toEqual([])

    const good = url(app, { ...base, password: PASSWORD })
    for (let i = 0; i < 3; i++) open.push(await connect(good))
    expect(inOrder(hostConnections(good), nodes)).toEqual([1, 1, 1])

    // ... then on a node with the server list already known.
    const badWarm = good.replace(encodeURIComponent(PASSWORD), 'wrong')
    t = performance.now()
    const second = await connect(badWarm).catch((e: unknown) => e)
    expect(performance.now() - t).toBeLessThan(3000)
    expect((second as PgError).code).toBe('28P01')
    expect(clusterStats(good).failedHosts).toEqual([])
    expect(inOrder(hostConnections(good), nodes)).toEqual([1, 1, 1])
    expect(await serverCountsEventually(nodes, app, [1, 1, 1])).toEqual([1, 1, 1])
    open.push(await connect(good))
    expect(inOrder(hostConnections(good), nodes).reduce((a, b) => a + b, 0)).toBe(4)
    await closeAll(open.splice(0))
    expect(inOrder(hostConnections(good), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })

  it('wrong database: PgError 3D000, counts stay 0, no node marked failed', async () => {
    const app = appName('db')
    const u = url(app, { database: 'no_such_db' })
    const error = await connect(u).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PgError)
    expect((error as PgError).code).toBe('3D000')
    expect(clusterStats(u).failedHosts).toEqual([])
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
    // The right database on the same cluster balances as usual.
    const ok = url(app)
    for (let i = 0; i < 3; i++) open.push(await connect(ok))
    expect(inOrder(hostConnections(ok), nodes)).toEqual([1, 1, 1])
    expect(await serverCountsEventually(nodes, app, [1, 1, 1])).toEqual([1, 1, 1])
  })
})
