/**
 * Streaming rows and cursors against a real server: bounded memory on a
 * multi-million-row result, backpressure visible on the server (the backend
 * waits in ClientWrite while the consumer is slow), early exit that leaves the
 * session usable, errors mid-stream, and portal cursors with Execute row limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionError, PgError, type Client } from '../../src/index.js'
import { openTestClient } from './helpers/server.js'

let db: Client
let observer: Client

beforeAll(async () => {
  // Every test shares this session: under a loaded machine (the full suite on
  // 2 cores) the server may take longer than the default 1 s cancel_timeout to
  // act on a CancelRequest, which would destroy the session for all the tests after.
  db = await openTestClient({ cancelTimeout: 5000 })
  observer = await openTestClient()
})
afterAll(async () => {
  await db?.close()
  await observer?.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function backendState(pid: number): Promise<{ state: string; wait_event: string | null }> {
  const { rows } = await observer.query<{ state: string; wait_event: string | null }>(
    'select state, wait_event from pg_stat_activity where pid = $1',
    [pid],
  )
  return rows[0]!
}

describe('client.stream()', () => {
  it('streams 3 million rows in order while the heap stays bounded', async () => {
    const total = 3_000_000
    globalThis.gc?.()
    const baseline = process.memoryUsage().heapUsed
    let peak = baseline
    let n = 0
    let ordered = true
    const started = Date.now()
    for await (const row of db.stream<{ x: number; label: string }>(
      'select x, repeat($2::text, 4) as label from generate_series(1, $1::int) x',
      [total, 'ab'],
    )) {
      n++
      if (row.x !== n || row.label !== 'abababab') ordered = false
      if ((n & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
    }
    expect(n).toBe(total)
    expect(ordered).toBe(true)
    expect(Date.now() - started).toBeLessThan(30_000)
    // Buffering 3M rows of {x, label} needs well over 200 MB; streaming stays within a few MB of garbage.
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024)
  })

  it('holds the server back while the consumer is slow (the backend waits in ClientWrite)', async () => {
    const stream = db.stream<{ x: number }>('select x, repeat($2::text, 100) as pad from generate_series(1, $1::int) x', [200_000, 'y'], {
      batchSize: 100,
    })
    let n = 0
    let seen: { state: string; wait_event: string | null } | undefined
    for await (const row of stream) {
      n++
      expect(row.x).toBe(n)
      if (n === 50) {
        // Stop consuming for a while: the socket is paused, the kernel buffers fill, the server blocks.
        for (let i = 0; i < 50 && seen?.wait_event !== 'ClientWrite'; i++) {
          await sleep(20)
          seen = await backendState(db.processId)
        }
      }
    }
    expect(n).toBe(200_000)
    expect(seen).toEqual({ state: 'active', wait_event: 'ClientWrite' })
  })

  it('breaking out early cancels the query and leaves the session usable', async () => {
    let n = 0
    const started = Date.now()
    for await (const row of db.stream<{ x: number }>('select generate_series(1, 100000000) as x')) {
      n = row.x
      if (n === 1000) break
    }
    expect(n).toBe(1000)
    expect(Date.now() - started).toBeLessThan(10_000) // 100M rows would take far longer: it was cancelled
    expect(db.connection.transactionStatus).toBe('I')
    expect((await db.query('select $1::int as v', [7])).rows).toEqual([{ v: 7 }])
    expect((await backendState(db.processId)).state).toBe('idle')
  })

  it('breaking out inside a transaction drains instead, so the transaction survives', async () => {
    await db.query('begin')
    await db.query('create temp table stream_tx (v int) on commit drop')
    await db.query('insert into stream_tx values (1)')
    let n = 0
    for await (const _ of db.stream('select x from generate_series(1, 20000) x', [], { batchSize: 50 })) if (++n === 10) break
    expect(db.connection.transactionStatus).toBe('T')
    expect((await db.query('select count(*)::int as c from stream_tx')).rows).toEqual([{ c: 1 }])
    await db.query('commit')
  })

  it('an error mid-stream rejects the loop after the rows before it; the session stays usable', async () => {
    const seen: number[] = []
    const run = async () => {
      for await (const row of db.stream<{ v: number }>('select 10 / (5 - x) as v from generate_series(1, 10) x')) seen.push(row.v)
    }
    const error = await run().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PgError)
    expect((error as PgError).code).toBe('22012')
    expect(seen.length).toBeLessThanOrEqual(4)
    expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }])
  })

  it('rows can be arrays, and queries queued behind a stream run after it', async () => {
    const rows: unknown[] = []
    const after = db.query('select $1::text as t', ['after'])
    for await (const row of db.stream('select x, x * 2 as y from generate_series(1, 3) x', [], { rowMode: 'array' })) rows.push(row)
    expect(rows).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
    ])
    expect((await after).rows).toEqual([{ t: 'after' }])
  })

  it('an abort signal stops the stream with an error', async () => {
    const controller = new AbortController()
    const run = async () => {
      let n = 0
      for await (const _ of db.stream('select generate_series(1, 50000000) as x', [], { signal: controller.signal }))
        if (++n === 100) controller.abort()
    }
    const error = (await run().catch((e: unknown) => e)) as ConnectionError
    expect(error.code).toBe('PGFLEET_ABORTED')
    expect((error.cause as PgError).code).toBe('57014')
    expect((await db.query('select 2 as two')).rows).toEqual([{ two: 2 }])
  })
})

describe('client.cursor()', () => {
  it('reads in batches with Execute row limits, then an empty batch', async () => {
    const cursor = db.cursor<{ x: number }>('select x from generate_series(1, $1::int) x', [25], { batchSize: 10 })
    const a = await cursor.read()
    const b = await cursor.read()
    const c = await cursor.read(100)
    expect(a.map((r) => r.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(b[0]).toEqual({ x: 11 })
    expect(c.map((r) => r.x)).toEqual([21, 22, 23, 24, 25])
    expect(await cursor.read()).toEqual([])
    await cursor.close()
    expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }])
  })

  it('holds a portal open on the server between reads, and other queries wait for close()', async () => {
    const cursor = db.cursor<{ x: number }>('select generate_series(1, 100000000) as x', [], { batchSize: 3 })
    expect((await cursor.read()).map((r) => r.x)).toEqual([1, 2, 3])
    let queuedDone = false
    const queued = db.query('select 42 as answer').then((r) => ((queuedDone = true), r))
    expect((await cursor.read(2)).map((r) => r.x)).toEqual([4, 5])
    await sleep(50)
    expect(queuedDone).toBe(false) // the cursor is exclusive
    // No ReadyForQuery yet (Flush, not Sync): the backend still counts as active and waits for our next message.
    expect(await backendState(db.processId)).toEqual({ state: 'active', wait_event: 'ClientRead' })
    const started = Date.now()
    await cursor.close()
    expect(Date.now() - started).toBeLessThan(2_000) // Sync closes the portal; the other rows are never produced
    expect((await queued).rows).toEqual([{ answer: 42 }])
    expect(db.connection.transactionStatus).toBe('I')
  })

  it('an error rejects the read and the session stays usable', async () => {
    const cursor = db.cursor('select 10 / (3 - x) as v from generate_series(1, 10) x', [], { batchSize: 2 })
    expect(await cursor.read()).toEqual([{ v: 5 }, { v: 10 }])
    const error = (await cursor.read().catch((e: unknown) => e)) as PgError
    expect(error).toBeInstanceOf(PgError)
    expect(error.code).toBe('22012')
    await cursor.close()
    expect((await db.query('select 3 as three')).rows).toEqual([{ three: 3 }])
  })

  it('a syntax error surfaces on the first read', async () => {
    const cursor = db.cursor('selec nothing')
    const error = (await cursor.read().catch((e: unknown) => e)) as PgError
    expect(error.code).toBe('42601')
    await cursor.close()
    expect((await db.query('select 4 as four')).rows).toEqual([{ four: 4 }])
  })
})
