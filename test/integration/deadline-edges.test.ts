/**
 * Where deadlines meet other work on the same session, against a real server:
 * a timeout's CancelRequest never stops a query issued after it, a timeout on
 * a query queued behind a slow one does not destroy the session under it,
 * COPY reports its deadline like a query, COPY calls on the wrong statement
 * fail cleanly, and a large pool does not pile listeners on one signal.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { connect, createPool, type Client } from '../../src/index.js'
import { startFaultProxy } from '../support/fault-proxy.js'
import { DATABASE, harness, SUPERUSER } from '../support/harness.js'
import { openTestClient, serverUrl, uniqueName } from './helpers/server.js'

let db: Client
/** A function that sleeps `s` seconds whatever CancelRequests arrive (a server that ignores them). */
const stubborn = uniqueName('stubborn')

beforeAll(async () => {
  const admin = await openTestClient()
  await admin.query(
    `create function ${stubborn}(s float8) returns int language plpgsql as $$
     declare t0 timestamptz := clock_timestamp();
     begin
       while extract(epoch from clock_timestamp() - t0) < s loop
         begin
           perform pg_sleep(s - extract(epoch from clock_timestamp() - t0));
         exception when query_canceled then null;
         end;
       end loop;
       return 1;
     end $$`,
  )
  await admin.close()
})
afterAll(async () => {
  const admin = await openTestClient()
  await admin.query(`drop function ${stubborn}(float8)`)
  await admin.close()
})
beforeEach(async () => {
  db = await openTestClient({ cancelTimeout: 1000 })
})
afterEach(async () => {
  await db.close()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('a cancel stops only the query it was sent for', () => {
  it('20 times: a query issued while a timed-out one is still being cancelled runs to completion', async () => {
    for (let i = 0; i < 20; i++) {
      const timedOut = db.query('select pg_sleep(0.3)', [], { timeoutMs: 100 }).catch((e: unknown) => e)
      await sleep(101)
      const next = await db.query<{ x: number }>('select $1::int as x', [i]).catch((e: unknown) => e)
      expect(await timedOut).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT' })
      expect(next).toMatchObject({ rows: [{ x: i }] })
    }
  }, 30_000)

  it('a timeout on a query written behind a slow one rejects at its deadline; the slow one and the session are unharmed', async () => {
    const slow = db.query<{ done: boolean }>('select true as done from pg_sleep(1.5)', [])
    const started = performance.now()
    const behind = await db.query('select 1', [], { timeoutMs: 100 }).catch((e: unknown) => e)
    const ms = performance.now() - started
    expect(behind).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT', safeToRetry: false })
    expect(ms).toBeLessThan(500)
    // The behind query's cancel waits until it runs, so it cannot stop the slow one.
    expect((await slow).rows).toEqual([{ done: true }])
    expect((await db.query<{ x: number }>('select 7 as x')).rows).toEqual([{ x: 7 }])
  })

  it('10 times: a query issued after a timed-out one behind a slow query is not stopped by that timeout', async () => {
    for (let i = 0; i < 10; i++) {
      const slow = db.query('select pg_sleep(0.3)', [])
      const behind = await db.query('select 1', [], { timeoutMs: 50 }).catch((e: unknown) => e)
      expect(behind).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT' })
      // Written after that rejection, behind it: the deadline's cancel must not land here.
      const after = await db.query<{ x: number }>('select x from pg_sleep(0.1), (values (1)) v(x)', []).catch((e: unknown) => e)
      expect(after).toMatchObject({ rows: [{ x: 1 }] })
      await slow
    }
  }, 30_000)

  it('a deadline still bounds a query already being cancelled for max_result_bytes, when the server never gets the cancel', async () => {
    // The cancels go to a listener that accepts and never answers (a proxy black-holing new
    // connections): a function that swallows 57014 would race the cancel sent for the rows
    // against the first branch, which the cancel may still stop (seen once under load).
    const node = harness().nodes[0]!
    const proxy = await startFaultProxy({ target: { host: node.host, port: node.port } })
    const small = await connect({ host: proxy.host, port: proxy.port, user: SUPERUSER, database: DATABASE, sslmode: 'disable', maxResultBytes: 20_000, cancelTimeout: 500 })
    try {
      proxy.setMode({ kind: 'blackhole' }, { newOnly: true })
      const started = performance.now()
      const error = await small
        .query(`select repeat('x', 1000) from generate_series(1, 200) union all select 'x' from pg_sleep(4)`, [], { timeoutMs: 300 })
        .catch((e: unknown) => e)
      const ms = performance.now() - started
      console.log(`max_result_bytes + deadline, the cancel never reaching the server: settled in ${Math.round(ms)} ms with ${(error as Error).message}`)
      expect(ms).toBeGreaterThan(300 + 500 - 20)
      expect(ms).toBeLessThan(300 + 500 + 500)
      expect(error).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT' })
      expect(await small.closed).toMatchObject({ code: 'PGFLEET_CANCEL_TIMEOUT' })
    } finally {
      await small.close()
      await proxy.close()
    }
  })

  it('each cursor read has its own deadline, also after an earlier read whose cancel the server ignored', async () => {
    const cursorDb = await openTestClient({ cancelTimeout: 500 })
    try {
      const cursor = cursorDb.cursor(`select case when g = 1 then ${stubborn}(0.6) else (select 1 from pg_sleep(4)) end from generate_series(1, 3) g`, [], {
        batchSize: 1,
        timeoutMs: 300,
      })
      const first = await cursor.read().then(() => 'rows', (e: unknown) => e)
      expect(first).toBe('rows') // the server swallowed the cancel and answered within the grace
      const started = performance.now()
      const second = await cursor.read().catch((e: unknown) => e)
      expect(performance.now() - started).toBeLessThan(300 + 500 + 500)
      expect(second).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT' })
    } finally {
      await cursorDb.close()
    }
  })

  it('cancel_timeout=0 destroys the session at the deadline and the CancelRequest still stops the server', async () => {
    const quick = await openTestClient({ cancelTimeout: 0, applicationName: 'cancel-zero' })
    const pid = quick.processId
    const started = performance.now()
    const error = await quick.query('select pg_sleep(5)', [], { timeoutMs: 100 }).catch((e: unknown) => e)
    expect(performance.now() - started).toBeLessThan(400)
    expect(error).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT' })
    await sleep(1000)
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where pid = $1 and state = 'active'`, [pid])
    expect(rows).toEqual([{ n: 0 }])
  })

  it('a CancelRequest the node never answers holds the session no longer than cancel_timeout', async () => {
    const node = harness().nodes[0]!
    const proxy = await startFaultProxy({ target: { host: node.host, port: node.port } })
    const client = await connect({ host: proxy.host, port: proxy.port, user: SUPERUSER, database: DATABASE, sslmode: 'disable', cancelTimeout: 500 })
    try {
      // The session keeps working; new connections (the CancelRequest's) get nothing.
      proxy.setMode({ kind: 'blackhole' }, { newOnly: true })
      // Its cancel never lands, so it finishes, and its result is real.
      const finished = await client.query<{ x: number }>('select 2 as x from pg_sleep(0.2)', [], { timeoutMs: 100 })
      expect(finished.rows).toEqual([{ x: 2 }])
      const started = performance.now()
      expect((await client.query<{ x: number }>('select 1 as x')).rows).toEqual([{ x: 1 }])
      expect(performance.now() - started).toBeLessThan(500 + 300)
    } finally {
      await client.close()
      await proxy.close()
    }
  })
})

describe('COPY', () => {
  it('copyTo() past its timeout rejects with PGFLEET_QUERY_TIMEOUT (the server cancelled it)', async () => {
    const iterate = async () => {
      for await (const _ of db.copyTo('copy (select pg_sleep(10)) to stdout', { timeoutMs: 150 })) void _
    }
    const error = await iterate().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT', cause: { code: '57014' } })
    expect((await db.query<{ x: number }>('select 1 as x')).rows).toEqual([{ x: 1 }])
  })

  it('copyFrom() and copyTo() on a statement that is not a COPY fail with a TypeError; the session stays usable', async () => {
    await expect(db.copyFrom('select 1', ['x'])).rejects.toThrow(/copyFrom\(\) needs a COPY ... FROM STDIN statement/)
    const iterate = async () => {
      for await (const _ of db.copyTo('select 1')) void _
    }
    await expect(iterate()).rejects.toThrow(/copyTo\(\) needs a COPY ... TO STDOUT statement/)
    expect((await db.query<{ x: number }>('select 2 as x')).rows).toEqual([{ x: 2 }])
  })
})

describe('pools', () => {
  it('a pool of 15 opening 15 sessions at once adds no more than a few listeners to any one signal (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`)
    process.on('warning', onWarning)
    const pool = createPool(serverUrl(), { max: 15 })
    try {
      await Promise.all(Array.from({ length: 15 }, () => pool.query('select pg_sleep(0.05)')))
      const { total, pending } = pool.stats()
      expect(total + pending).toBe(15) // the last may still be connecting on a loaded machine
    } finally {
      await pool.end()
      await sleep(10)
      process.off('warning', onWarning)
    }
    expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([])
  })
})
