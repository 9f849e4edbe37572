/**
 * topology_keys (levels, gaps, '*', fallback_to_topology_keys_only), node
 * types (only-/prefer- primary / rr) and public_ip, on the 3 main nodes with
 * per-test yb_servers() topologies. A "dead" node is a topology row for
 * 127.0.0.9:5433, where nothing listens (refused at once).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { clusterStats, connect, ConnectionError, hostConnections, type Client } from '../../src/index.js'
import { appName, closeAll, inOrder, lbUrl, serverCountsEventually } from '../support/balancing.js'
import { harness, setTopology, type TopologyNode } from '../support/harness.js'

const pg = harness()
const nodes = pg.nodes
const DEAD = { host: '127.0.0.9', port: 5433 }
const open: Client[] = []

afterEach(async () => {
  await closeAll(open.splice(0))
})

let topologies = 0
/** A fresh topology: rows for the 3 main nodes (zones a, b, c unless given) plus extras. */
async function topology(rows: Array<Partial<TopologyNode>>, extra: TopologyNode[] = []): Promise<string> {
  const name = `lb_topo_${process.pid}_${++topologies}`
  const zones = ['a', 'b', 'c']
  await setTopology(name, [
    ...nodes.map((n, i) => ({ host: n.host, port: n.port, cloud: 'aws', region: 'us-east-1', zone: zones[i]!, ...(rows[i] ?? {}) })),
    ...extra,
  ])
  return name
}

const dead = (zone: string, more: Partial<TopologyNode> = {}): TopologyNode => ({
  ...DEAD,
  cloud: 'aws',
  region: 'us-east-1',
  zone,
  ...more,
})

/** Open `n` connections and return the client and server counts of the 3 main nodes. */
async function spread(name: string, params: Record<string, string | number | boolean>, n: number) {
  const app = appName('topo')
  const u = lbUrl([nodes[0]!], { load_balance: true, application_name: app, failed_host_ttl_seconds: 30, ...params }, { topology: name })
  for (let i = 0; i < n; i++) open.push(await connect(u))
  const client = inOrder(hostConnections(u), nodes)
  const server = await serverCountsEventually(nodes, app, client)
  return { client, server, url: u, app }
}

describe('topology_keys', () => {
  it('keys matching 2 of 3 nodes give 15/15/0', async () => {
    const name = await topology([{ zone: 'us-east-1a' }, { zone: 'us-east-1a' }, { zone: 'us-east-1b' }])
    const { client, server, url, app } = await spread(name, { topology_keys: 'aws.us-east-1.us-east-1a' }, 30)
    expect(client).toEqual([15, 15, 0])
    expect(server).toEqual([15, 15, 0])
    await closeAll(open.splice(0))
    expect(inOrder(hostConnections(url), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })

  it('level 1 first; level 2 when no level-1 node is up (:1, :2)', async () => {
    const name = await topology([{ zone: 'z1' }, { zone: 'z2' }, { zone: 'z3' }])
    const up = await spread(name, { topology_keys: 'aws.us-east-1.z1:1,aws.us-east-1.z2:2' }, 4)
    expect(up.client).toEqual([4, 0, 0])
    expect(up.server).toEqual([4, 0, 0])
    await closeAll(open.splice(0))

    const downName = await topology([{ zone: 'z0' }, { zone: 'z2' }, { zone: 'z3' }], [dead('z1')])
    const down = await spread(downName, { topology_keys: 'aws.us-east-1.z1:1,aws.us-east-1.z2:2' }, 4)
    expect(down.client).toEqual([0, 4, 0])
    expect(down.server).toEqual([0, 4, 0])
    expect(clusterStats(down.url).failedHosts).toEqual(['127.0.0.9:5433'])
  })

  it('levels may have gaps (:1, :3) or start at :2', async () => {
    const name = await topology([{ zone: 'z0' }, { zone: 'z3' }, { zone: 'z4' }], [dead('z1')])
    const gap = await spread(name, { topology_keys: 'aws.us-east-1.z1:1,aws.us-east-1.z3:3' }, 3)
    expect(gap.client).toEqual([0, 3, 0])
    expect(gap.server).toEqual([0, 3, 0])
    await closeAll(open.splice(0))

    const only2 = await spread(name, { topology_keys: 'aws.us-east-1.z4:2' }, 3)
    expect(only2.client).toEqual([0, 0, 3])
    expect(only2.server).toEqual([0, 0, 3])
  })

  it('after the last level any node, unless fallback_to_topology_keys_only=true: then an error', async () => {
    const name = await topology([{ zone: 'z2' }, { zone: 'z3' }, { zone: 'z4' }], [dead('z1')])
    const any = await spread(name, { topology_keys: 'aws.us-east-1.z1' }, 6)
    expect(any.client).toEqual([2, 2, 2])
    expect(any.server).toEqual([2, 2, 2])
    await closeAll(open.splice(0))

    const app = appName('only')
    const u = lbUrl([nodes[0]!], { load_balance: true, application_name: app, topology_keys: 'aws.us-east-1.z1', fallback_to_topology_keys_only: true }, { topology: name })
    const error = await connect(u).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).message).toMatch(/No node available/)
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })

  it("zone '*' matches every zone of the region", async () => {
    const name = await topology([{ zone: 'a' }, { zone: 'b' }, { region: 'us-west-2', zone: 'a' }])
    const { client, server } = await spread(name, { topology_keys: 'aws.us-east-1.*' }, 6)
    expect(client).toEqual([3, 3, 0])
    expect(server).toEqual([3, 3, 0])
  })
})

describe('node types', () => {
  const rr = { nodeType: 'read_replica' as const }

  it('only-primary / only-rr / prefer-primary / prefer-rr', async () => {
    const name = await topology([{}, {}, rr])
    for (const [mode, expected] of [
      ['only-primary', [2, 2, 0]],
      ['only-rr', [0, 0, 4]],
      ['prefer-primary', [2, 2, 0]],
      ['prefer-rr', [0, 0, 4]],
    ] as const) {
      const got = await spread(name, { load_balance: mode }, 4)
      expect({ mode, client: got.client, server: got.server }).toEqual({ mode, client: expected, server: expected })
      await closeAll(open.splice(0))
    }
  })

  it('prefer-rr uses primaries when no read replica is up; only-rr then fails', async () => {
    const name = await topology([{}, {}, {}], [dead('a', rr)])
    const prefer = await spread(name, { load_balance: 'prefer-rr' }, 4)
    expect(prefer.client.reduce((a, b) => a + b, 0)).toBe(4)
    expect(Math.max(...prefer.client) - Math.min(...prefer.client)).toBeLessThanOrEqual(1)
    expect(prefer.server).toEqual(prefer.client)
    await closeAll(open.splice(0))

    const app = appName('onlyrr')
    const u = lbUrl([nodes[0]!], { load_balance: 'only-rr', application_name: app, failed_host_ttl_seconds: 30 }, { topology: name })
    await expect(connect(u)).rejects.toBeInstanceOf(ConnectionError)
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })
})

describe('public_ip', () => {
  it('connecting through public IPs dials them and counts them up and down', async () => {
    const name = `lb_public_${process.pid}`
    await setTopology(
      name,
      nodes.map((n, i) => ({ host: `node${i + 1}.internal`, port: n.port, publicIp: n.host, cloud: 'aws', region: 'us-east-1', zone: 'a' })),
    )
    const app = appName('public')
    const u = lbUrl([nodes[0]!], { load_balance: true, application_name: app }, { topology: name })
    const clients: Client[] = []
    for (let i = 0; i < 9; i++) clients.push(await connect(u))
    open.push(...clients)
    expect(clusterStats(u).usePublicIp).toBe(true)
    expect(new Set(clients.map((c) => c.host.host))).toEqual(new Set(nodes.map((n) => n.host)))
    expect(inOrder(hostConnections(u), nodes)).toEqual([3, 3, 3])
    expect(await serverCountsEventually(nodes, app, [3, 3, 3])).toEqual([3, 3, 3])

    // Down: close the two sessions on node 2.
    await closeAll(clients.filter((c) => c.host.host === nodes[1]!.host).slice(0, 2))
    expect(inOrder(hostConnections(u), nodes)).toEqual([3, 1, 3])
    expect(await serverCountsEventually(nodes, app, [3, 1, 3])).toEqual([3, 1, 3])
    // And up again: the next two go to node 2.
    for (let i = 0; i < 2; i++) open.push(await connect(u))
    expect(inOrder(hostConnections(u), nodes)).toEqual([3, 3, 3])
    expect(await serverCountsEventually(nodes, app, [3, 3, 3])).toEqual([3, 3, 3])
    await closeAll(open.splice(0))
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })
})
