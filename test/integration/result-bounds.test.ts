/**
 * Bounds on what one query may make the client hold, against a real server:
 * max_result_bytes stops a buffered query() whose result outgrows it (the
 * rows are dropped, the server is cancelled, the session stays usable) while
 * stream() of the same query is not capped; and COPY FROM STDIN reached
 * through query() (simple or extended protocol) is refused with CopyFail, the
 * session left usable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Client } from '../../src/index.js'
import { openTestClient, uniqueName } from './helpers/server.js'

let db: Client
let table: string

beforeAll(async () => {
  db = await openTestClient({ maxResultBytes: 8 * 1024 * 1024, queryTimeout: 30_000 })
  table = uniqueName('bounds')
  await db.query(`create table ${table} (id int)`)
})

afterAll(async () => {
  await db.query(`drop table ${table}`)
  await db.close()
})

describe('max_result_bytes', () => {
  it('a query() that would return ~10 GB rejects with PGFLEET_RESULT_TOO_LARGE within seconds, heap growth under 64 MB', async () => {
    global.gc?.()
    const before = process.memoryUsage().heapUsed
    const started = performance.now()
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5)
    const error = await db.query("select generate_series(1, 100000000) as g, repeat('x', 100) as pad", []).catch((e: unknown) => e)
    clearInterval(sampler)
    const ms = performance.now() - started
    console.log(`max_result_bytes=8 MiB: rejected after ${Math.round(ms)} ms, heap +${Math.round((peak - before) / 1048576)} MB at peak`)
    expect(error).toMatchObject({ code: 'PGFLEET_RESULT_TOO_LARGE' })
    expect(ms).toBeLessThan(5_000)
    expect(peak - before).toBeLessThan(64 * 1024 * 1024)
    expect((await db.query('select 1 as ok', [])).rows).toEqual([{ ok: 1 }])
  }, 30_000)

  it('binary numeric values count at their printed size: a few wire bytes each cannot carry 50 MB past the cap', async () => {
    // 10^131071 is 10 bytes in binary (numeric_send) and 131,072 characters printed.
    const sql = 'select (10::numeric ^ 131071) + $1::int as n from generate_series(1, 400)'
    await db.query('select $1::int', [0]) // warm the session
    for (let run = 0; run < 3; run++) {
      // Run 1 reads text (the statement is described then), runs 2 and 3 read the cached statement in binary.
      const error = await db.query(sql, [0]).catch((e: unknown) => e)
      expect(error, `run ${run + 1}`).toMatchObject({ code: 'PGFLEET_RESULT_TOO_LARGE' })
    }
    // Under the cap, the same values come back whole, in binary as in text.
    const small = await db.query<{ n: string }>('select (10::numeric ^ 131071) + $1::int as n from generate_series(1, 3)', [7])
    const again = await db.query<{ n: string }>('select (10::numeric ^ 131071) + $1::int as n from generate_series(1, 3)', [7])
    expect(again.fields[0]!.format).toBe(1)
    expect(again.rows).toEqual(small.rows)
    expect(small.rows[0]!.n.split('.')[0]).toBe(`1${'0'.repeat(131070)}7`)
  })

  it('the same cap does not apply to stream()', async () => {
    let rows = 0
    for await (const _ of db.stream("select g, repeat('x', 100) as pad from generate_series(1, 200000) g")) rows++
    expect(rows).toBe(200_000)
  })

  it('a result under the cap is returned whole', async () => {
    const { rows } = await db.query<{ g: number }>('select g from generate_series(1, 50000) g', [])
    expect(rows.length).toBe(50_000)
  })
})

describe('COPY FROM STDIN through query()', () => {
  it.each([
    ['simple protocol', undefined],
    ['extended protocol', []],
  ])('%s: refused with CopyFail, the session stays usable', async (_name, values) => {
    const error = await db.query(`copy ${table} from stdin`, values as unknown[] | undefined).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: '57014' })
    expect((error as Error).message).toMatch(/use copyFrom\(\)/)
    expect((await db.query('select 1 as ok', [])).rows).toEqual([{ ok: 1 }])
    expect(db.connection.transactionStatus).toBe('I')
  })
})
