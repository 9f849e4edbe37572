/**
 * Liveness against a real server behind a fault proxy (test/support/fault-proxy.ts):
 * a silent peer (half-open connection: no FIN, no RST) must not wedge a call,
 * a transaction, a COMMIT, a pool's health check, pool.end() or process exit.
 * Every call with a deadline settles by deadline + cancel_timeout (+ slack):
 * at the deadline the CancelRequest goes out (into the same black hole), and
 * when the session is not back within cancel_timeout it is destroyed.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, createPool, type Client, type ClientOptions, type CreatePoolOptions, type Pool } from '../../src/index.js'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { DATABASE, harness, SUPERUSER } from '../support/harness.js'
import { uniqueName } from './helpers/server.js'

const QUERY_TIMEOUT_MS = 1000
const CANCEL_TIMEOUT_MS = 500
/** What the driver may add on top of deadline + grace (timers, a loaded CI machine). */
const SLACK_MS = 500
const BOUND_MS = QUERY_TIMEOUT_MS + CANCEL_TIMEOUT_MS + SLACK_MS

const proxies: FaultProxy[] = []
const clients: Client[] = []
const pools: Pool[] = []

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()))
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all(proxies.splice(0).map((p) => p.close()))
})

async function proxy(): Promise<FaultProxy> {
  const node = harness().nodes[0]!
  const p = await startFaultProxy({ target: { host: node.host, port: node.port } })
  proxies.push(p)
  return p
}

function options(p: FaultProxy, extra: Partial<CreatePoolOptions> = {}): CreatePoolOptions {
  return {
    host: p.host,
    port: p.port,
    user: SUPERUSER,
    database: DATABASE,
    sslmode: 'disable',
    connectTimeout: 1000,
    queryTimeout: QUERY_TIMEOUT_MS,
    cancelTimeout: CANCEL_TIMEOUT_MS,
    applicationName: 'liveness',
    ...extra,
  }
}

async function client(p: FaultProxy, extra: Partial<CreatePoolOptions> = {}): Promise<Client> {
  const c = await connect(options(p, extra) as ClientOptions)
  clients.push(c)
  return c
}

/** How long `pending` takes to settle, and how. */
async function timed<T>(pending: Promise<T>): Promise<{ ms: number; value?: T; error?: Error & { code?: string; cause?: unknown } }> {
  const started = performance.now()
  try {
    const value = await pending
    return { ms: performance.now() - started, value }
  } catch (error) {
    return { ms: performance.now() - started, error: error as Error & { code?: string } }
  }
}

/**
 * What the server holds after the partition: the half-open session still
 * holds its transaction (and locks) until its socket really closes, so break
 * the proxied connections first, then read and drop the table.
 */
async function committed(p: FaultProxy, sql: string, table: string): Promise<unknown[]> {
  p.cutAll('reset')
  p.setMode({ kind: 'pass' })
  const check = await client(p, { queryTimeout: 10_000 })
  const { rows } = await check.query(sql)
  await check.query(`drop table ${table}`)
  return rows
}

describe('a silent peer (black hole) never wedges a call', () => {
  it(`a query settles within ${QUERY_TIMEOUT_MS} + ${CANCEL_TIMEOUT_MS} + ${SLACK_MS} ms with PGFLEET_QUERY_TIMEOUT and its session is closed`, async () => {
    const p = await proxy()
    const db = await client(p)
    expect((await db.query('select 1 as x')).rows).toEqual([{ x: 1 }])
    p.setMode({ kind: 'blackhole' })
    const { ms, error } = await timed(db.query('select 2 as x'))
    expect(error?.code).toBe('PGFLEET_QUERY_TIMEOUT')
    expect(error?.message).toMatch(/timed out after 1000 ms; the session ended/)
    expect(ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS + CANCEL_TIMEOUT_MS - 20)
    expect(ms).toBeLessThan(BOUND_MS)
    // The session is gone, with the reason, and a new one works after the heal.
    expect(await db.closed).toMatchObject({ code: 'PGFLEET_CANCEL_TIMEOUT' })
    p.setMode({ kind: 'pass' })
    expect((await (await client(p)).query('select 3 as x')).rows).toEqual([{ x: 3 }])
  })

  it(`pipelined queries on a black-holed session all settle within ${BOUND_MS} ms`, async () => {
    const p = await proxy()
    const db = await client(p)
    await db.query('select 1')
    p.setMode({ kind: 'blackhole' })
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => timed(db.query('select $1::int', [i]))))
    for (const r of results) {
      expect(r.error).toBeDefined()
      expect(r.ms).toBeLessThan(BOUND_MS)
    }
    expect(results.map((r) => r.error?.code)).toContain('PGFLEET_QUERY_TIMEOUT')
  })

  it(`an AbortSignal settles within abort + ${CANCEL_TIMEOUT_MS} + ${SLACK_MS} ms with PGFLEET_ABORTED, also without a query timeout`, async () => {
    const p = await proxy()
    const db = await client(p, { queryTimeout: 0 })
    await db.query('select 1')
    p.setMode({ kind: 'blackhole' })
    const { ms, error } = await timed(db.query('select 1', [], { signal: AbortSignal.timeout(300) }))
    expect(error?.code).toBe('PGFLEET_ABORTED')
    expect(ms).toBeLessThan(300 + CANCEL_TIMEOUT_MS + SLACK_MS)
  })

  it(`a cursor read and its close each settle within ${BOUND_MS} ms`, async () => {
    const p = await proxy()
    const db = await client(p)
    const cursor = db.cursor<{ g: number }>('select g from generate_series(1, 1000) g', [], { batchSize: 10 })
    expect((await cursor.read()).length).toBe(10)
    p.setMode({ kind: 'blackhole' })
    const read = await timed(cursor.read())
    expect(read.error?.code).toBe('PGFLEET_QUERY_TIMEOUT')
    expect(read.ms).toBeLessThan(BOUND_MS)
    const close = await timed(cursor.close())
    expect(close.ms).toBeLessThan(BOUND_MS)
  })

  it(`a transaction whose body goes silent settles within ${BOUND_MS} ms with PGFLEET_QUERY_TIMEOUT`, async () => {
    const p = await proxy()
    const db = await client(p)
    const table = uniqueName('live_tx')
    await db.query(`create table ${table} (id int primary key, n int)`)
    await db.query(`insert into ${table} values (1, 0)`)
    let started = 0
    const { error } = await timed(
      db.transaction(async (tx) => {
        await tx.query(`update ${table} set n = n + 1 where id = 1`)
        p.setMode({ kind: 'blackhole' })
        started = performance.now()
        await tx.query(`update ${table} set n = n + 1 where id = 1`)
      }),
    )
    expect(performance.now() - started).toBeLessThan(BOUND_MS)
    expect(error?.code).toBe('PGFLEET_QUERY_TIMEOUT')
    expect(await committed(p, `select n from ${table}`, table)).toEqual([{ n: 0 }])
  })

  it(`a COMMIT sent into the black hole becomes PGFLEET_COMMIT_UNKNOWN within ${BOUND_MS} ms`, async () => {
    const p = await proxy()
    const db = await client(p)
    const table = uniqueName('live_commit')
    await db.query(`create table ${table} (id int primary key)`)
    let started = 0
    const { error } = await timed(
      db.transaction(async (tx) => {
        await tx.query(`insert into ${table} values (1)`)
        // The body is done: the next statement on the wire is the COMMIT.
        p.setMode({ kind: 'blackhole' })
        started = performance.now()
      }),
    )
    expect(performance.now() - started).toBeLessThan(BOUND_MS)
    expect(error?.code).toBe('PGFLEET_COMMIT_UNKNOWN')
    expect((error?.cause as { code?: string }).code).toBe('PGFLEET_QUERY_TIMEOUT')
    // The COMMIT never reached the server: the transaction rolls back once the server sees its session go.
    expect(await committed(p, `select count(*)::int as n from ${table}`, table)).toEqual([{ n: 0 }])
  })
})

describe('pools under a silent peer', () => {
  it('an idle session that went silent fails its health check and frees its slot (max 1): the next query runs on a new session', async () => {
    const p = await proxy()
    const pool = createPool({ ...options(p), max: 1, idleCheckMs: 0, acquireTimeoutMs: 10_000 })
    pools.push(pool)
    await pool.query('select 1')
    p.setMode({ kind: 'blackhole' })
    // New connections work again, the pooled one stays half-open.
    setTimeout(() => p.setMode({ kind: 'pass' }), 200)
    const { ms, value, error } = await timed(pool.query<{ x: number }>('select 4 as x'))
    expect(error).toBeUndefined()
    expect(value?.rows).toEqual([{ x: 4 }])
    // Health check: min(connect_timeout, 5 s) = 1000 ms + cancel grace, then one connect.
    expect(ms).toBeLessThan(1000 + CANCEL_TIMEOUT_MS + 1000 + SLACK_MS)
    expect(pool.stats()).toMatchObject({ total: 1, idle: 1, active: 0, pending: 0 })
  })

  it('a pool of 4 over 2 paths, both partitioned for 2 s, is back to full throughput within 3 s of the heal', async () => {
    const a = await proxy()
    const b = await proxy()
    const pool = createPool({
      ...options(a),
      host: `${a.host},${b.host}`,
      port: `${a.port},${b.port}`,
      loadBalanceHosts: 'random',
      max: 4,
      idleCheckMs: 100,
      acquireTimeoutMs: 3000,
    })
    pools.push(pool)
    let ok = 0
    let failed = 0
    let maxCallMs = 0
    let stop = false
    const worker = async () => {
      while (!stop) {
        const { ms, error } = await timed(pool.query('select 1'))
        maxCallMs = Math.max(maxCallMs, ms)
        if (error) failed++
        else ok++
        if (error) await new Promise((r) => setTimeout(r, 20))
      }
    }
    const rate = async (ms: number) => {
      const before = ok
      await new Promise((r) => setTimeout(r, ms))
      return ((ok - before) * 1000) / ms
    }
    const workers = Array.from({ length: 8 }, worker)
    const baseline = await rate(500)
    a.setMode({ kind: 'blackhole' })
    b.setMode({ kind: 'blackhole' })
    await new Promise((r) => setTimeout(r, 2000))
    const during = failed
    a.setMode({ kind: 'pass' })
    b.setMode({ kind: 'pass' })
    const healed = performance.now()
    let recovered = 0
    while (performance.now() - healed < 5000) {
      if ((await rate(250)) >= baseline * 0.5) {
        recovered = performance.now() - healed
        break
      }
    }
    stop = true
    await Promise.all(workers)
    console.log(`pool recovery: baseline ${Math.round(baseline)} q/s, back to >= 50% ${Math.round(recovered)} ms after the heal; ${ok} ok, ${failed} failed, slowest call ${Math.round(maxCallMs)} ms`)
    expect(during).toBeGreaterThan(0)
    expect(recovered).toBeGreaterThan(0)
    expect(recovered).toBeLessThan(3000)
    // Every call settled by acquire timeout + query deadline + grace.
    expect(maxCallMs).toBeLessThan(3000 + BOUND_MS)
  }, 20_000)

  it('pool.end() settles within endTimeoutMs + 1 s while checked-out sessions hang on a silent peer', async () => {
    const p = await proxy()
    const pool = createPool({ ...options(p, { queryTimeout: 0 }), max: 3, endTimeoutMs: 1000 })
    const held = await Promise.all([pool.connect(), pool.connect()])
    p.setMode({ kind: 'blackhole' })
    const hanging = held.map((c) => c.query('select 1').catch((e: unknown) => e))
    // A connect under way into the black hole is abandoned too.
    const creating = pool.connect().catch((e: unknown) => e)
    const { ms } = await timed(pool.end())
    expect(ms).toBeLessThan(1000 + 1000)
    for (const error of await Promise.all(hanging)) expect(error).toBeInstanceOf(Error)
    expect(await creating).toBeInstanceOf(Error)
    // Releasing a client that end() destroyed is harmless.
    for (const c of held) c.release()
    expect(pool.stats().total).toBe(0)
  })

  it.each([
    ['without deadlines: end() destroys them', { queryTimeout: 0 }],
    // The CancelRequests go into the black hole too; a connect_timeout of 8 s must not keep the process up.
    ['with deadlines and cancels under way', { queryTimeout: 300, connectTimeout: 8000 }],
  ])('a process whose pool sessions hang on a silent peer exits by itself after pool.end() (%s)', async (_name, extra) => {
    const p = await proxy()
    const dir = await mkdtemp(join(tmpdir(), 'pgfleet-live-'))
    const script = join(dir, 'hang.mts')
    await writeFile(
      script,
      `import { createPool } from ${JSON.stringify(resolve('src/index.ts'))}
const pool = createPool({ ...${JSON.stringify(options(p, extra))}, max: 4, endTimeoutMs: 1000 })
await Promise.all([1, 2, 3, 4].map(() => pool.query('select 1')))
console.log('ready')
process.stdin.once('data', async () => {
  const hanging = [1, 2, 3, 4].map(() => pool.query('select pg_sleep(0)').catch(() => undefined))
  await new Promise((r) => setTimeout(r, 400))
  const started = Date.now()
  await pool.end()
  console.log('ended', Date.now() - started)
  void hanging
})
`,
    )
    try {
      const child = spawn(process.execPath, [resolve('node_modules/tsx/dist/cli.mjs'), script], { stdio: ['pipe', 'pipe', 'pipe'] })
      let out = ''
      let endedAt = 0
      const ready = new Promise<void>((done) =>
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d
          if (out.includes('ready')) done()
          if (endedAt === 0 && out.includes('ended')) endedAt = Date.now()
        }),
      )
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
      const exited = new Promise<number | null>((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
        child.on('exit', (code) => (clearTimeout(timer), done(code)))
      })
      await ready
      p.setMode({ kind: 'blackhole' })
      child.stdin.write('go\n')
      child.stdin.end()
      const code = await exited
      expect(out).toMatch(/ended \d+/)
      expect(code).toBe(0)
      expect(Number(/ended (\d+)/.exec(out)![1])).toBeLessThan(2000)
      expect(Date.now() - endedAt).toBeLessThan(3000)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 40_000)
})
