/**
 * Balancing on a cluster of this file's own (127.0.0.10–.12:5461) whose
 * nodes it stops and whose yb_servers() it rewrites: failed-host TTL, nodes
 * removed and added, plain PostgreSQL without yb_servers(), and a process
 * that must exit by itself after closing its balanced connections.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { clusterStats, connect, hostConnections, type Client } from '../../src/index.js'
import { appName, closeAll, eventually, inOrder, lbUrl, serverCountsEventually, sleep } from '../support/balancing.js'
import { adminQuery, startExtraCluster, type ExtraCluster, type TopologyNode } from '../support/harness.js'

const PORT = 5461
let cluster: ExtraCluster
let nodes: Array<{ host: string; port: number }>
const open: Client[] = []
let interval = 200

beforeAll(async () => {
  cluster = await startExtraCluster({ count: 3, hostBase: 10, port: PORT, ssl: false })
  nodes = cluster.nodes.map((n) => ({ host: n.host, port: n.port }))
})

afterAll(async () => {
  await cluster?.destroy()
})

afterEach(async () => {
  await closeAll(open.splice(0))
})

const rows = (which: number[]): TopologyNode[] =>
  which.map((i) => ({ host: nodes[i]!.host, port: PORT, cloud: 'aws', region: 'us-east-1', zone: `z${i}` }))

describe('failures and topology changes', () => {
  it('a stopped node is avoided for failed_host_ttl_seconds and used again after it is back', async () => {
    await cluster.setTopology(rows([0, 1, 2]))
    const app = appName('ttl')
    const u = lbUrl([nodes[0]!], { load_balance: true, application_name: app, failed_host_ttl_seconds: 2, yb_servers_refresh_interval: ++interval })
    for (let i = 0; i < 3; i++) open.push(await connect(u))
    expect(inOrder(hostConnections(u), nodes)).toEqual([1, 1, 1])

    await cluster.nodes[2]!.stop()
    // Its session ends with the server: counted down without any call.
    await eventually(
      () => inOrder(hostConnections(u), nodes),
      (c) => c[2] === 0,
    )
    expect(inOrder(hostConnections(u), nodes)).toEqual([1, 1, 0])
    for (let i = 0; i < 4; i++) open.push(await connect(u))
    expect(inOrder(hostConnections(u), nodes)).toEqual([3, 3, 0])
    expect(clusterStats(u).failedHosts).toEqual([`${nodes[2]!.host}:${PORT}`])

    await cluster.nodes[2]!.start()
    const markedAt = Date.now()
    for (let i = 0; i < 2; i++) open.push(await connect(u))
    expect(inOrder(hostConnections(u), nodes)).toEqual([4, 4, 0]) // still within the TTL
    await sleep(Math.max(0, 2100 - (Date.now() - markedAt)))
    for (let i = 0; i < 2; i++) open.push(await connect(u))
    expect(inOrder(hostConnections(u), nodes)).toEqual([4, 4, 2])
    expect(await serverCountsEventually(nodes, app, [4, 4, 2])).toEqual([4, 4, 2])
    expect(clusterStats(u).failedHosts).toEqual([])
    await closeAll(open.splice(0))
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
    expect(inOrder(hostConnections(u), nodes)).toEqual([0, 0, 0])
  })

  it('a node added to yb_servers() gets connections after the refresh; a removed one gets none', async () => {
    await cluster.setTopology(rows([0, 1]))
    const app = appName('refresh')
    const u = lbUrl([nodes[0]!], { load_balance: true, application_name: app, yb_servers_refresh_interval: 1 })
    for (let i = 0; i < 4; i++) open.push(await connect(u))
    expect(inOrder(hostConnections(u), nodes)).toEqual([2, 2, 0])

    // Added: node 3.
    await cluster.setTopology(rows([0, 1, 2]))
    await sleep(1100)
    open.push(await connect(u)) // served from the stale list; starts the refresh
    await eventually(
      () => clusterStats(u).servers?.length,
      (n) => n === 3,
    )
    expect(clusterStats(u).servers?.map((r) => r.host)).toEqual(nodes.map((n) => n.host))
    for (let i = 0; i < 4; i++) open.push(await connect(u))
    const afterAdd = inOrder(hostConnections(u), nodes)
    expect(afterAdd[2]).toBe(3)
    expect(afterAdd.reduce((a, b) => a + b, 0)).toBe(9)
    expect(await serverCountsEventually(nodes, app, afterAdd)).toEqual(afterAdd)

    // Removed: node 1.
    await cluster.setTopology(rows([1, 2]))
    await sleep(1100)
    open.push(await connect(u))
    await eventually(
      () => clusterStats(u).servers?.length,
      (n) => n === 2,
    )
    const before = inOrder(hostConnections(u), nodes)
    for (let i = 0; i < 6; i++) open.push(await connect(u))
    const afterRemove = inOrder(hostConnections(u), nodes)
    expect(afterRemove[0]).toBe(before[0])
    expect(afterRemove[1]! + afterRemove[2]!).toBe(before[1]! + before[2]! + 6)
    expect(await serverCountsEventually(nodes, app, afterRemove)).toEqual(afterRemove)
  })

  it('nothing keeps the process alive once its balanced connections are closed', async () => {
    await cluster.setTopology(rows([0, 1, 2]))
    const dir = await mkdtemp(join(tmpdir(), 'pgfleet-exit-'))
    const script = join(dir, 'exit.mts')
    const entry = resolve('src/index.ts')
    const u = lbUrl([nodes[0]!], { load_balance: true, application_name: 'lb-exit' })
    await writeFile(
      script,
      `import { connect, hostConnections } from ${JSON.stringify(entry)}
const url = ${JSON.stringify(u)}
const clients = []
for (let i = 0; i < 6; i++) clients.push(await connect(url))
await Promise.all(clients.map((c) => c.query('select 1')))
await Promise.all(clients.map((c) => c.close()))
console.log('closed', JSON.stringify([...hostConnections(url)]))
`,
    )
    try {
      const child = spawn(process.execPath, [resolve('node_modules/tsx/dist/cli.mjs'), script], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let closedAt = 0
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d
        if (closedAt === 0 && out.includes('closed')) closedAt = Date.now()
      })
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
      const code = await new Promise<number | null>((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
        child.on('exit', (c) => (clearTimeout(timer), done(c)))
      })
      expect(out).toContain('closed')
      expect(code).toBe(0)
      expect(Date.now() - closedAt).toBeLessThan(3000)
      const counts = new Map<string, number>(JSON.parse(out.slice(out.indexOf('['), out.lastIndexOf(']') + 1)) as Array<[string, number]>)
      expect(inOrder(counts, nodes)).toEqual([0, 0, 0])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 40_000)

  it('plain PostgreSQL (no yb_servers()) balances over the listed hosts', async () => {
    for (const n of nodes) await adminQuery(n.host, n.port, 'drop function public.yb_servers()')
    const app = appName('plain')
    const u = lbUrl(nodes, { load_balance: true, application_name: app, yb_servers_refresh_interval: ++interval })
    for (let i = 0; i < 9; i++) open.push(await connect(u))
    expect(clusterStats(u).servers).toBeNull()
    expect(inOrder(hostConnections(u), nodes)).toEqual([3, 3, 3])
    expect(await serverCountsEventually(nodes, app, [3, 3, 3])).toEqual([3, 3, 3])
    // Only the listed hosts are candidates.
    const two = lbUrl(nodes.slice(0, 2), { load_balance: true, application_name: app, yb_servers_refresh_interval: ++interval })
    const more: Client[] = []
    for (let i = 0; i < 4; i++) more.push(await connect(two))
    open.push(...more)
    expect(new Set(more.map((c) => c.host.host))).toEqual(new Set([nodes[0]!.host, nodes[1]!.host]))
    expect(await serverCountsEventually(nodes, app, [5, 5, 3])).toEqual([5, 5, 3])
    await closeAll(open.splice(0))
    expect(await serverCountsEventually(nodes, app, [0, 0, 0])).toEqual([0, 0, 0])
  })
})
