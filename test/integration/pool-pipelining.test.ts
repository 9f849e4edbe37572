/**
 * A pool at max with every session busy pipelines one-shot pool.query calls
 * on the least-loaded busy session (src/pool/pipelining.ts), against a real
 * server: a server error fails only its own query (one Sync each), a
 * query with a deadline is never pipelined (its cancel could stop another
 * caller's query), a pool that ends takes no more shares, a killed backend fails every query on it
 * and its slot is freed, an exclusive pool.connect() is served while the
 * sessions are pipelined and nothing is pipelined onto it, and a BEGIN sent
 * through pool.query neither pipelines nor is pipelined behind.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ConnectionError, createPool, PgError, type Pool } from '../../src/index.js'
import { appName, eventually, lbUrl, sleep, total } from '../support/balancing.js'
import { adminQuery, harness } from '../support/harness.js'

const node = harness().nodes[0]!
const pools: Pool[] = []

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)))
})

function pool(tag: string, options: Record<string, unknown>): Pool {
  const p = createPool({ connectionString: lbUrl([node], { application_name: appName(`pipe-${tag}`) }), ...options })
  pools.push(p)
  return p
}

const outcome = <T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> =>
  promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }))

type PidRow = { x: number; pid: number }

describe('pool pipelining', () => {
  it('pipelines one-shot queries over the busy sessions at max; a server error fails only its own query', async () => {
    const p = pool('error', { max: 2, pipelineDepth: 8 })
    const warm = await Promise.all([p.connect(), p.connect()])
    warm.forEach((c) => c.release())
    const sql = 'select 10 / ($1::int - 5) as x, pg_backend_pid() as pid from pg_sleep(0.05)'
    const calls = Array.from({ length: 12 }, (_, i) => outcome(p.query<PidRow>(sql, [i])))
    // All twelve are on the wire of the two sessions at once; none waits in the pool.
    expect(p.stats()).toMatchObject({ total: 2, active: 2, waiting: 0 })
    // The balancer's view: still two connections, none opened for the pipelined queries.
    expect(total(p.hostConnections())).toBe(2)
    const results = await Promise.all(calls)
    const failed = results.filter((r) => !r.ok)
    expect(failed).toHaveLength(1)
    expect((failed[0] as { error: unknown }).error).toBeInstanceOf(PgError)
    expect(((failed[0] as { error: unknown }).error as PgError).code).toBe('22012')
    const rows = results.flatMap((r) => (r.ok ? [r.value.rows[0]!] : []))
    expect(rows.map((r) => r.x)).toEqual([-2, -2, -3, -5, -10, 10, 5, 3, 2, 2, 1])
    // Two sessions carried twelve queries: they were pipelined, not one at a time.
    const pids = new Set(rows.map((r) => r.pid))
    expect(pids.size).toBeLessThanOrEqual(2)
    expect(p.stats()).toMatchObject({ total: pids.size, active: 0, waiting: 0 })
    // The session with the failed query stays in use.
    const after = await Promise.all(Array.from({ length: 4 }, () => p.query<{ pid: number }>('select pg_backend_pid() as pid')))
    for (const r of after) expect(pids.has(r.rows[0]!.pid)).toBe(true)
  })

  it("a query with a deadline is never pipelined, so its cancel cannot stop another caller's query; nothing is pipelined behind it either", async () => {
    const p = pool('deadline', { max: 1, pipelineDepth: 8 })
    const pid = (await p.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
    // Behind a slow one-shot query: it waits for the session instead of being written behind it.
    const slow = outcome(p.query<{ pid: number }>('select pg_backend_pid() as pid from pg_sleep(0.3)'))
    const timed = outcome(p.query<{ x: number }>('select $1::int as x', [1], { timeoutMs: 5000 }))
    const aborted = outcome(p.query('select 2', undefined, { signal: new AbortController().signal }))
    expect(p.stats()).toMatchObject({ active: 1, waiting: 2 })
    expect((await slow).ok).toBe(true)
    expect(await timed).toMatchObject({ ok: true, value: { rows: [{ x: 1 }] } })
    expect((await aborted).ok).toBe(true)

    // Ahead of others: a query that times out runs alone, so the cancel for it cannot land on
    // a query of another caller (protocol docs 55.2.8), and the one behind it succeeds.
    const expiring = outcome(p.query('select pg_sleep(5)', undefined, { timeoutMs: 150 }))
    const after = outcome(p.query<{ pid: number }>('select pg_backend_pid() as pid'))
    expect(p.stats()).toMatchObject({ active: 1, waiting: 1 })
    const expired = await expiring
    expect(expired.ok).toBe(false)
    expect(((expired as { error: unknown }).error as ConnectionError).code).toBe('PGFLEET_QUERY_TIMEOUT')
    const next = await after
    expect(next.ok && next.value.rows[0]!.pid).toBe(pid)
    expect(p.stats().total).toBe(1)

    // query_timeout on the pool counts as a deadline for every query: nothing is pipelined.
    const q = pool('query-timeout', { max: 1, pipelineDepth: 8, query_timeout: 10_000 })
    await q.query('select 1')
    const one = q.query('select pg_sleep(0.1)')
    const two = q.query('select 1')
    expect(q.stats()).toMatchObject({ active: 1, waiting: 1 })
    await Promise.all([one, two])
  })

  it('after end(), pool.query rejects with PGFLEET_POOL_ENDED even while a session runs pipelined queries', async () => {
    const p = pool('end', { max: 1, pipelineDepth: 8 })
    await p.query('select 1')
    const running = outcome(p.query('select pg_sleep(0.2)'))
    const ended = p.end()
    const late = await outcome(p.query('select 42 as x'))
    expect(late.ok).toBe(false)
    expect(((late as { error: unknown }).error as { code?: string }).code).toBe('PGFLEET_POOL_ENDED')
    expect((await running).ok).toBe(true)
    await ended
  })

  it('a killed backend fails every query pipelined on it, frees its slot, and the pool opens a fresh session', async () => {
    const p = pool('kill', { max: 1, pipelineDepth: 8, rebalanceIntervalMs: 0 })
    const pid = (await p.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
    const calls = [outcome(p.query('select pg_sleep(10)')), ...Array.from({ length: 4 }, (_, i) => outcome(p.query('select $1::int as x', [i])))]
    await sleep(50)
    expect(p.stats()).toMatchObject({ total: 1, active: 1, waiting: 0 })
    await adminQuery(node.host, node.port, `select pg_terminate_backend(${pid}, 5000)`, { database: 'postgres' })
    const settled = await Promise.all(calls)
    for (const r of settled) {
      expect(r.ok).toBe(false)
      expect(String((r as { error: unknown }).error)).toMatch(/terminating connection due to administrator command|ended/)
    }
    expect(await eventually(() => p.stats().total, (n) => n === 0)).toBe(0)
    expect(total(p.hostConnections())).toBe(0)
    const fresh = (await p.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
    expect(fresh).not.toBe(pid)
  })

  it('pool.connect() is served while 30 callers keep the sessions pipelined, and nothing is pipelined onto the lent session', async () => {
    const p = pool('exclusive', { max: 2, pipelineDepth: 8 })
    let running = true
    let heldPid = 0
    const seenWhileHeld: number[] = []
    let queries = 0
    const callers = Array.from({ length: 30 }, async () => {
      while (running) {
        const held = heldPid
        const { pid } = (await p.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!
        queries++
        if (held !== 0 && heldPid === held) seenWhileHeld.push(pid)
      }
    })
    await sleep(100)
    const start = performance.now()
    const client = await p.connect()
    expect(performance.now() - start).toBeLessThan(2_000)
    await client.query('begin')
    const lent = client.processId
    heldPid = lent
    const before = queries
    await sleep(200)
    await client.query('commit')
    heldPid = -1
    client.release()
    running = false
    await Promise.all(callers)
    // The other session kept serving the callers, and none of their queries ran on the lent one.
    expect(queries - before).toBeGreaterThan(0)
    expect(seenWhileHeld.length).toBeGreaterThan(0)
    expect(seenWhileHeld).not.toContain(lent)
    expect(p.stats()).toMatchObject({ active: 0, waiting: 0 })
  })

  it('a BEGIN sent through pool.query gets a session of its own: nothing is pipelined behind it, and it is not pipelined behind others', async () => {
    const p = pool('begin', { max: 1, pipelineDepth: 8 })
    await p.query('select 1')
    const opened = p.query<{ pid: number }>('begin; select pg_backend_pid() as pid')
    const next = p.query<{ pid: number; status: string }>('select pg_backend_pid() as pid')
    expect(p.stats().waiting).toBe(1)
    const [a, b] = await Promise.all([opened, next])
    // The session left inside a transaction block was destroyed; the select ran on a new one.
    expect(b.rows[0]!.pid).not.toBe(a.rows[0]!.pid)

    const slow = p.query('select pg_sleep(0.2)')
    const begin = p.query('begin')
    expect(p.stats()).toMatchObject({ active: 1, waiting: 1 })
    await Promise.all([slow, begin])
    expect(await eventually(() => p.stats().total, (n) => n === 0)).toBe(0)
  })
})
