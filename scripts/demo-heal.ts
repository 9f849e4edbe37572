/**
 * The demo's last scene: a pool of 12 over 3 nodes under a steady workload,
 * node 3 killed and restarted, and the pool healing back to 4/4/4, drawn
 * live (scripts/demo-view.ts). Returns what it measured.
 */
import { createPool, type Pool } from '../src/index.js'
import { serverConnectionCounts } from '../test/support/admin.js'
import type { PgServer } from '../test/support/pg-server.js'
import { LiveView, type Snapshot } from './demo-view.js'

export interface HealResult {
  /** Seconds from node 3 accepting connections again to 4/4/4 in the pool. */
  clientEvenAfter: number
  /** … and in pg_stat_activity on every node. */
  serverEvenAfter: number | undefined
  moved: number
  queries: number
  failedAtKill: number
  failedAfterRestart: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function healScene(nodes: readonly PgServer[], url: string, app: string, ttlSeconds: number): Promise<HealResult> {
  const pool: Pool = createPool(url, { min: 12, max: 12, acquireTimeoutMs: 10_000 })
  const t0 = Date.now()
  const t = () => (Date.now() - t0) / 1000
  const events: Array<{ t: number; text: string }> = []
  const note = (text: string) => events.push({ t: t(), text })
  const server = new Map<string, number>()
  let queries = 0
  const failures: number[] = []
  let running = true
  let restartedAt: number | undefined

  // The workload: 6 loops of short queries.
  const loops = Array.from({ length: 6 }, async () => {
    while (running) {
      try {
        await pool.query('select pg_sleep(0.005)')
        queries++
      } catch {
        failures.push(Date.now())
        await sleep(20)
      }
    }
  })
  // The servers' own count, sampled in the background (psql per node).
  const sampler = (async () => {
    while (running) {
      const up = nodes.filter((n) => n.pid !== undefined)
      const counts = await serverConnectionCounts(up, app).catch(() => new Map<string, number>())
      server.clear()
      for (const [h, n] of counts) server.set(h, n)
      await sleep(250)
    }
  })()

  const view = new LiveView()
  const snapshot = (): Snapshot => {
    const stats = pool.nodeStats()
    return {
      t: t(),
      nodes: nodes.map((n, i) => {
        const s = stats.find((x) => x.host === n.host) ?? { host: n.host, port: n.port, total: 0, idle: 0, active: 0, clusterOpen: 0, listed: true, failed: false, rebalanced: 0 }
        return { ...s, label: `node ${i + 1} ${n.host}`, down: n.pid === undefined, server: n.pid === undefined ? undefined : server.get(n.host) }
      }),
      pool: pool.stats(),
      queries,
      failed: failures.length,
      events,
    }
  }
  const counts = () => nodes.map((n) => pool.nodeStats().find((x) => x.host === n.host)?.total ?? 0).join('/')
  const serverCounts = () => nodes.map((n) => server.get(n.host) ?? 0).join('/')
  let drawing = true
  const drawer = (async () => {
    while (drawing) {
      view.draw(snapshot())
      await sleep(view.tty ? 100 : 50)
    }
  })()
  const until = async (ok: () => boolean, ms: number) => {
    const end = Date.now() + ms
    while (!ok() && Date.now() < end) await sleep(25)
  }

  note(`createPool({ min: 12, max: 12 }) with load_balance=true, failed_host_ttl_seconds=${ttlSeconds}; 6 workers start`)
  await until(() => counts() === '4/4/4' && serverCounts() === '4/4/4', 5000)
  await sleep(1500)
  const node3 = nodes[2]!
  note('node 3 killed (SIGKILL): its sessions die, the pool refills on nodes 1 and 2')
  const killedAt = Date.now()
  await node3.kill()
  await until(() => counts() === '6/6/0', 5000)
  await sleep(1500)
  note('node 3 restarting …')
  await node3.start()
  restartedAt = Date.now()
  note(`node 3 accepts connections again; the pool moves idle sessions to it once its failed mark (${ttlSeconds} s) runs out`)
  await until(() => counts() === '4/4/4', (ttlSeconds + 8) * 1000)
  const clientEvenAfter = (Date.now() - restartedAt) / 1000
  note(`pool back to 4/4/4, ${clientEvenAfter.toFixed(1)} s after the restart`)
  await until(() => serverCounts() === '4/4/4', 4000)
  const serverEvenAfter = serverCounts() === '4/4/4' ? (Date.now() - restartedAt) / 1000 : undefined
  note(serverEvenAfter === undefined ? 'servers do not show 4/4/4 yet' : `pg_stat_activity shows 4/4/4, ${serverEvenAfter.toFixed(1)} s after the restart`)
  await sleep(1500)

  running = false
  await Promise.all(loops)
  await sampler
  drawing = false
  await drawer
  view.draw(snapshot(), true)
  view.done()
  const result: HealResult = {
    clientEvenAfter,
    serverEvenAfter,
    moved: pool.stats().rebalanced,
    queries,
    failedAtKill: failures.filter((at) => at >= killedAt && at < restartedAt!).length,
    failedAfterRestart: failures.filter((at) => at >= restartedAt!).length,
  }
  await pool.end()
  return result
}
