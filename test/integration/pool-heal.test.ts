/**
 * A pool that heals, on a 3-node cluster of this file's own
 * (127.0.0.13–.15:5463): a node killed and restarted gets its share back
 * within failed_host_ttl_seconds plus a round or two, a node new in
 * yb_servers() gets sessions, a node that left it loses its idle ones; all
 * while a steady workload runs, with no failed query caused by the moves
 * (client counts and pg_stat_activity both checked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPool, type Pool } from '../../src/index.js'
import { appName, eventually, inOrder, lbUrl, serverCounts, sleep } from '../support/balancing.js'
import { startExtraCluster, type ExtraCluster, type TopologyNode } from '../support/harness.js'

const PORT = 5463
let cluster: ExtraCluster
let nodes: Array<{ host: string; port: number }>

beforeAll(async () => {
  cluster = await startExtraCluster({ count: 3, hostBase: 13, port: PORT, ssl: false })
  nodes = cluster.nodes.map((n) => ({ host: n.host, port: n.port }))
})

afterAll(async () => {
  await cluster?.destroy()
})

const rows = (which: number[]): TopologyNode[] =>
  which.map((i) => ({ host: nodes[i]!.host, port: PORT, cloud: 'aws', region: 'us-east-1', zone: `z${i}` }))

/** `workers` loops of short queries until stopped; every failure recorded with its time. */
function workload(pool: Pool, workers: number) {
  const failures: Array<{ at: number; message: string }> = []
  let queries = 0
  let running = true
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        await pool.query('select pg_sleep(0.002)')
        queries++
      } catch (error) {
        failures.push({ at: Date.now(), message: (error as Error).message })
        await sleep(20)
      }
    }
  })
  return {
    failures,
    get queries() {
      return queries
    },
    stop: async () => {
      running = false
      await Promise.all(loops)
    },
  }
}

const clientCounts = (pool: Pool) =>
  inOrder(new Map(pool.nodeStats().map((n) => [n.host, n.total])), nodes)

describe('a pool that heals', () => {
  it('node 3 killed and restarted: 12 sessions return to 4/4/4 (client and server) within the TTL plus a round, no query fails after the restart', async () => {
    await cluster.setTopology(rows([0, 1, 2]))
    const app = appName('heal')
    const ttl = 2
    const pool = createPool(lbUrl([nodes[0]!], { load_balance: true, application_name: app, failed_host_ttl_seconds: ttl }), {
      min: 12,
      max: 12,
      acquireTimeoutMs: 10_000,
    })
    const load = workload(pool, 6)
    try {
      await eventually(() => clientCounts(pool), (c) => c.join() === '4,4,4')
      expect(clientCounts(pool)).toEqual([4, 4, 4])
      expect(await eventually(() => serverCounts(nodes, app), (c) => c.join() === '4,4,4')).toEqual([4, 4, 4])

      await cluster.nodes[2]!.kill()
      // Sessions on node 3 died with it; the pool refills on nodes 1 and 2.
      const down = await eventually(() => clientCounts(pool), (c) => c.join() === '6,6,0')
      expect(down).toEqual([6, 6, 0])
      expect(pool.nodeStats().find((n) => n.host === nodes[2]!.host)?.failed).toBe(true)

      await cluster.nodes[2]!.start()
      const restarted = Date.now()
      const healed = await eventually(() => clientCounts(pool), (c) => c.join() === '4,4,4', (ttl + 5) * 1000)
      const clientEven = (Date.now() - restarted) / 1000
      expect(healed).toEqual([4, 4, 4])
      const server = await eventually(() => serverCounts(nodes, app), (c) => c.join() === '4,4,4', 6000)
      const serverEven = (Date.now() - restarted) / 1000
      expect(server).toEqual([4, 4, 4])
      console.log(`heal: restart → client 4/4/4 in ${clientEven.toFixed(2)} s, server 4/4/4 in ${serverEven.toFixed(2)} s (TTL ${ttl} s)`)
      expect(clientEven).toBeLessThan(ttl + 3)

      // Stays even: the next rounds move nothing.
      const moved = pool.stats().rebalanced
      await sleep(1500)
      expect(clientCounts(pool)).toEqual([4, 4, 4])
      expect(pool.stats().rebalanced).toBe(moved)
      expect(moved).toBeGreaterThanOrEqual(4)
      expect(moved).toBeLessThanOrEqual(6)
      const stats = pool.nodeStats()
      expect(stats.map((n) => n.failed)).toEqual([false, false, false])
      expect(stats.every((n) => n.listed && n.total === n.idle + n.active)).toBe(true)
      expect(stats.reduce((a, n) => a + n.rebalanced, 0)).toBe(moved)
      expect(stats[2]!.rebalanced).toBe(0) // nothing moved away from the node that came back

      await load.stop()
      expect(load.failures.filter((f) => f.at >= restarted)).toEqual([])
      expect(load.queries).toBeGreaterThan(100)
    } finally {
      await load.stop()
      await pool.end()
    }
    expect(await eventually(() => serverCounts(nodes, app), (c) => c.join() === '0,0,0')).toEqual([0, 0, 0])
  }, 30_000)

  it('a node new in yb_servers() gets its share; a node that left loses its idle sessions', async () => {
    await cluster.setTopology(rows([0, 1]))
    const app = appName('topo')
    const pool = createPool(lbUrl([nodes[0]!], { load_balance: true, application_name: app, yb_servers_refresh_interval: 1 }), {
      min: 6,
      max: 6,
      rebalanceIntervalMs: 250,
    })
    const load = workload(pool, 3)
    try {
      expect(await eventually(() => clientCounts(pool), (c) => c.join() === '3,3,0')).toEqual([3, 3, 0])

      await cluster.setTopology(rows([0, 1, 2]))
      const added = await eventually(() => clientCounts(pool), (c) => c.join() === '2,2,2', 5000)
      expect(added).toEqual([2, 2, 2])
      expect(await eventually(() => serverCounts(nodes, app), (c) => c.join() === '2,2,2')).toEqual([2, 2, 2])

      await cluster.setTopology(rows([1, 2]))
      const removed = await eventually(() => clientCounts(pool), (c) => c.join() === '0,3,3', 5000)
      expect(removed).toEqual([0, 3, 3])
      expect(await eventually(() => serverCounts(nodes, app), (c) => c.join() === '0,3,3')).toEqual([0, 3, 3])
      expect(pool.nodeStats().find((n) => n.host === nodes[0]!.host)?.listed ?? false).toBe(false)

      await load.stop()
      expect(load.failures).toEqual([])
    } finally {
      await load.stop()
      await pool.end()
    }
  }, 30_000)

  it('rebalanceIntervalMs: 0 turns healing off: a restarted node gets nothing until sessions are replaced', async () => {
    await cluster.setTopology(rows([0, 1, 2]))
    const app = appName('off')
    const pool = createPool(lbUrl([nodes[0]!], { load_balance: true, application_name: app, failed_host_ttl_seconds: 1 }), {
      min: 6,
      max: 6,
      rebalanceIntervalMs: 0,
    })
    try {
      expect(await eventually(() => clientCounts(pool), (c) => c.join() === '2,2,2')).toEqual([2, 2, 2])
      await cluster.nodes[2]!.kill()
      expect(await eventually(() => clientCounts(pool), (c) => c.join() === '3,3,0')).toEqual([3, 3, 0])
      await cluster.nodes[2]!.start()
      await sleep(2500)
      expect(clientCounts(pool)).toEqual([3, 3, 0])
      expect(pool.stats().rebalanced).toBe(0)
    } finally {
      await pool.end()
    }
  }, 30_000)
})
