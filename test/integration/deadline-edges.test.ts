/**
 * Where deadlines meet other work on the same session, against a real server:
 * a timeout's CancelRequest never stops a query issued after it, a timeout on
 * a query queued behind a slow one does not destroy the session under it,
 * COPY reports its deadline like a query, COPY calls on the wrong statement
 * fail cleanly, and a large pool does not pile listeners on one signal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPool, type Client } from '../../src/index.js'
import { openTestClient, serverUrl } from './helpers/server.js'

let db: Client

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
      expect(pool.stats().total).toBe(15)
    } finally {
      await pool.end()
      await sleep(10)
      process.off('warning', onWarning)
    }
    expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([])
  })
})
