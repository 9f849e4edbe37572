/**
 * createPool against the real 3-node harness: max is never exceeded (server
 * side), killed idle sessions are never handed out, 1,000 queued acquires all
 * resolve in FIFO order, acquire timeout, graceful end, idle shrink to min,
 * and a balanced 1..10 pool spread over the 3 nodes.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createPool, PoolTimeoutError, type Pool, type PoolClient } from '../../src/index.js'
import { appName, eventually, inOrder, lbUrl, serverCounts, serverCountsEventually, sleep, total } from '../support/balancing.js'
import { adminQuery, harness, setTopology } from '../support/harness.js'

const TOPOLOGY = 'pool'
const pg = harness()
const nodes = pg.nodes
const pools: Pool[] = []

beforeAll(async () => {
  await setTopology(TOPOLOGY, pg.defaultTopology)
})

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)))
})

/** A pool on the 3 nodes (balanced unless `balanced` is false) with its own application_name. */
function pool(tag: string, options: Record<string, unknown> = {}, balanced = true): { pool: Pool; app: string } {
  const app = appName(`pool-${tag}`)
  const url = lbUrl([nodes[0]!], { application_name: app, ...(balanced ? { load_balance: true } : {}) }, { topology: TOPOLOGY })
  const p = createPool({ connectionString: url, ...options })
  pools.push(p)
  return { pool: p, app }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

/** pg_terminate_backend with a wait (PostgreSQL 14+): returns once each backend has exited. */
async function terminateAndWait(app: string): Promise<number> {
  let killed = 0
  for (const n of nodes) {
    const rows = await adminQuery(
      n.host,
      n.port,
      `select count(*) filter (where pg_terminate_backend(pid, 5000)) from pg_stat_activity
       where application_name = :'app' and backend_type = 'client backend'`,
      { vars: { app }, database: 'postgres' },
    )
    killed += Number(rows[0]?.[0])
  }
  return killed
}

describe('createPool', () => {
  it('never opens more than max sessions (server-side count) under 200 concurrent queries', async () => {
    const { pool: p, app } = pool('max', { max: 5 })
    let peak = 0
    let running = true
    const sampler = (async () => {
      while (running) {
        peak = Math.max(peak, sum(await serverCounts(nodes, app)))
        peak = Math.max(peak, total(p.hostConnections()))
      }
    })()
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => p.query<{ x: number }>('select $1::int as x, pg_sleep(0.005)', [i])))
    running = false
    await sampler
    expect(results.map((r) => r.rows[0]!.x)).toEqual(Array.from({ length: 200 }, (_, i) => i))
    expect(peak).toBeGreaterThan(0)
    expect(peak).toBeLessThanOrEqual(5)
    expect(p.stats().total).toBeLessThanOrEqual(5)
    expect(sum(await serverCounts(nodes, app))).toBeLessThanOrEqual(5)
  })

  it('never hands out a session killed with pg_terminate_backend while idle (closed detection)', async () => {
    // No healing: terminating node by node would let the pool move a session onto an emptied node between passes.
    const { pool: p, app } = pool('kill', { max: 6, idleCheckMs: 60_000, rebalanceIntervalMs: 0 })
    const held = await Promise.all(Array.from({ length: 6 }, () => p.connect()))
    held.forEach((c) => c.release())
    expect(sum(await serverCountsEventually(nodes, app, [2, 2, 2]))).toBe(6)
    expect(await terminateAndWait(app)).toBe(6)
    // The sessions' `closed` settles as the server closes them: the pool forgets them and the host counts drop.
    expect(await eventually(() => p.stats().total, (n) => n === 0)).toBe(0)
    expect(total(p.hostConnections())).toBe(0)
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => p.query<{ x: number }>('select $1::int as x', [i])))
    expect(results.map((r) => r.rows[0]!.x)).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('never hands out a killed session even when asked at once (health check before reuse)', async () => {
    const { pool: p, app } = pool('killcheck', { max: 3, idleCheckMs: 0 })
    const held = await Promise.all(Array.from({ length: 3 }, () => p.connect()))
    const pids = new Set(held.map((c) => c.processId))
    held.forEach((c) => c.release())
    expect(await terminateAndWait(app)).toBe(3)
    // No wait: whatever the client has seen of the kill, each acquire gets a live session.
    const clients: PoolClient[] = await Promise.all(Array.from({ length: 3 }, () => p.connect()))
    for (const c of clients) {
      expect(pids.has(c.processId)).toBe(false)
      expect((await c.query<{ one: number }>('select 1 as one')).rows[0]!.one).toBe(1)
      c.release()
    }
  })

  it('a session released broken or inside a transaction is destroyed, not reused', async () => {
    const { pool: p } = pool('broken', { max: 2 })
    const a = await p.connect()
    const pidA = a.processId
    await a.query('begin')
    a.release()
    const b = await p.connect()
    const pidB = b.processId
    expect(pidB).not.toBe(pidA)
    expect(b.connection.transactionStatus).toBe('I')
    b.release(true)
    const c = await p.connect()
    expect(c.processId).not.toBe(pidB)
    c.release()
    expect(() => c.release()).toThrow(/twice/)
    await expect(c.query('select 1')).rejects.toThrow(/released/)
  })

  it('serves 1,000 queued acquires with max 10 without losing one', async () => {
    const { pool: p, app } = pool('thousand', { max: 10, acquireTimeoutMs: 60_000 })
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const client = await p.connect()
        try {
          return (await client.query<{ x: number }>('select $1::int * 2 as x', [i])).rows[0]!.x
        } finally {
          client.release()
        }
      }),
    )
    expect(results).toEqual(Array.from({ length: 1000 }, (_, i) => i * 2))
    expect(p.stats()).toMatchObject({ waiting: 0, active: 0 })
    expect(p.stats().total).toBeLessThanOrEqual(10)
    expect(sum(await serverCounts(nodes, app))).toBeLessThanOrEqual(10)
  })

  it('serves waiters first come, first served', async () => {
    const { pool: p } = pool('fifo', { max: 1 })
    const first = await p.connect()
    const order: number[] = []
    const waiters = Array.from({ length: 20 }, (_, i) =>
      p.connect().then(async (c) => {
        order.push(i)
        await c.query('select 1')
        c.release()
      }),
    )
    await sleep(20)
    expect(p.stats().waiting).toBe(20)
    first.release()
    await Promise.all(waiters)
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('rejects an acquire that waits past acquireTimeoutMs with PoolTimeoutError naming max and waiters', async () => {
    const { pool: p } = pool('timeout', { max: 2, acquireTimeoutMs: 200 })
    const held = await Promise.all([p.connect(), p.connect()])
    const started = Date.now()
    const error = await p.connect().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(error).toBeInstanceOf(PoolTimeoutError)
    expect((error as PoolTimeoutError).code).toBe('PGFLEET_POOL_TIMEOUT')
    expect((error as Error).message).toMatch(/200 ms.*all 2 \(max\) are in use \(2 checked out, 0 opening, 0 other acquires waiting\)/)
    held.forEach((c) => c.release())
    // The pool still works.
    expect((await p.query<{ n: number }>('select 7 as n')).rows[0]!.n).toBe(7)
  })

  it('end() waits for checked-out clients, then closes every session', async () => {
    const { pool: p, app } = pool('end', { max: 3 })
    const held = await Promise.all([p.connect(), p.connect(), p.connect()])
    held[2]!.release()
    let ended = false
    const ending = p.end().then(() => (ended = true))
    await expect(p.connect()).rejects.toThrow(/pool has been ended/)
    await sleep(100)
    expect(ended).toBe(false)
    // A checked-out client keeps working until released.
    expect((await held[0]!.query<{ n: number }>('select 1 as n')).rows[0]!.n).toBe(1)
    held[0]!.release()
    await sleep(50)
    expect(ended).toBe(false)
    held[1]!.release()
    await ending
    expect(p.stats().total).toBe(0)
    expect(total(p.hostConnections())).toBe(0)
    expect(sum(await serverCountsEventually(nodes, app, [0, 0, 0]))).toBe(0)
  })

  it('idle timeout shrinks the pool to min', async () => {
    const { pool: p, app } = pool('idle', { min: 2, max: 6, idleTimeoutMs: 1000 })
    await Promise.all(Array.from({ length: 6 }, () => p.query('select pg_sleep(0.05)')))
    // Six were opened; on a loaded machine the last may still be connecting when the queries are done.
    const { total: open, pending } = p.stats()
    expect(open + pending).toBe(6)
    expect(sum(await eventually(() => serverCounts(nodes, app), (c) => sum(c) === 6, 900))).toBe(6)
    expect(await eventually(() => p.stats().total, (n) => n === 2, 5000)).toBe(2)
    expect(sum(await eventually(() => serverCounts(nodes, app), (c) => sum(c) === 2))).toBe(2)
    expect(total(p.hostConnections())).toBe(2)
  })

  it('a 1..10 balanced pool (SimpleConnectionPool(1, 10, load_balance=True)) spreads over the 3 nodes', async () => {
    const { pool: p, app } = pool('spread', { min: 1, max: 10 })
    const held = await Promise.all(Array.from({ length: 10 }, () => p.connect()))
    const client = inOrder(p.hostConnections(), nodes)
    expect(sum(client)).toBe(10)
    expect(Math.max(...client) - Math.min(...client)).toBeLessThanOrEqual(1)
    expect(await serverCountsEventually(nodes, app, client)).toEqual(client)
    const byHost = new Map<string, number>()
    for (const c of held) byHost.set(c.host.host, (byHost.get(c.host.host) ?? 0) + 1)
    expect(inOrder(byHost, nodes)).toEqual(client)
    held.forEach((c) => c.release())
    await p.end()
    expect(inOrder(p.hostConnections(), nodes)).toEqual([0, 0, 0])
  })

  it('idle pooled sessions (min 2) do not keep the process alive', () => {
    const app = appName('pool-exit')
    const url = lbUrl([nodes[0]!], { application_name: app, load_balance: true }, { topology: TOPOLOGY })
    const dir = mkdtempSync(join(tmpdir(), 'pgfleet-pool-exit-'))
    const script = join(dir, 'exit.mts')
    const entry = resolve(__dirname, '../../src/index.ts')
    writeFileSync(
      script,
      `import { createPool } from ${JSON.stringify(entry)}
       const pool = createPool(${JSON.stringify(url)}, { min: 2, max: 4, idleTimeoutMs: 600000 })
       const r = await pool.query('select 41 + 1 as x')
       while (pool.stats().total < 2) await new Promise((done) => setTimeout(done, 10))
       console.log(JSON.stringify({ x: r.rows[0].x, total: pool.stats().total }))
       // no pool.end(): the process must still exit
      `,
    )
    const started = Date.now()
    const child = spawnSync(resolve(__dirname, '../../node_modules/.bin/tsx'), [script], { encoding: 'utf8', timeout: 20_000 })
    expect(child.stderr).toBe('')
    expect(child.status).toBe(0)
    expect(JSON.parse(child.stdout.trim())).toEqual({ x: 42, total: 2 })
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('pool keys are validated; unknown connection keys still fail', () => {
    expect(() => createPool({ host: 'x', max: 0 })).toThrow(/pool option "max" must be an integer from 1/)
    expect(() => createPool({ host: 'x', min: 5, max: 2 })).toThrow(/"min" \(5\) must not exceed "max" \(2\)/)
    expect(() => createPool({ host: 'x', maxx: 2 })).toThrow(/unknown option "maxx"/)
  })
})
