/**
 * pg's submittable protocol on pgfleet/pg against a real server: pg-cursor,
 * pg-query-stream and pg-copy-streams (from npm, unchanged) run on a
 * pgfleet/pg client and pool; pg.Query emits 'row' / 'end' / 'error'; a
 * failed cursor or COPY leaves the session usable; queries issued behind a
 * cursor wait for it (it keeps its portal open); `pipeline: true` refuses
 * cursors as pg does; a session killed under a cursor fails it.
 */
import Cursor from 'pg-cursor'
import QueryStream from 'pg-query-stream'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, Pool, Query } from '../../src/pg.js'
import { appName } from '../support/balancing.js'
import { harness, terminateBackends } from '../support/harness.js'
import { lbUrl } from '../support/balancing.js'

const h = harness()
const node = h.nodes[0]!
const url = lbUrl([node], { application_name: appName('compat-submit') })

let client: Client

beforeAll(async () => {
  client = new Client(url)
  await client.connect()
})

afterAll(async () => {
  await client?.end()
})

describe('pg-cursor on pgfleet/pg', () => {
  it('reads in batches; later queries wait for the cursor; close() frees the session', async () => {
    const cursor = client.query(new Cursor('select n, n::text as t from generate_series(1, 10) n where n > $1', [2]))
    const behind = client.query('select 42 as x') // queued behind the open portal, as in pg
    expect(await cursor.read(3)).toEqual([
      { n: 3, t: '3' },
      { n: 4, t: '4' },
      { n: 5, t: '5' },
    ])
    expect((await cursor.read(2)).map((r: { n: number }) => r.n)).toEqual([6, 7])
    await cursor.close()
    expect((await behind).rows).toEqual([{ x: 42 }])
    expect(client.getTransactionStatus()).toBe('I')
  })

  it('reads to the end (then empty reads), rowMode array, and a cursor inside a transaction keeps it open', async () => {
    await client.query('begin')
    const cursor = client.query(new Cursor('select generate_series(1, 3) as n', undefined, { rowMode: 'array' }))
    expect(await cursor.read(10)).toEqual([[1], [2], [3]])
    expect(await cursor.read(10)).toEqual([])
    expect(client.getTransactionStatus()).toBe('T')
    await client.query('commit')
    expect(client.getTransactionStatus()).toBe('I')
  })

  it('a server error fails the read; the session stays usable', async () => {
    const cursor = client.query(new Cursor('select 1 / (n - 2) from generate_series(1, 3) n'))
    await expect(cursor.read(10)).rejects.toMatchObject({ code: '22012' })
    expect((await client.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
  })

  it('pipeline: true refuses cursors with pg\'s error, and runs plain queries', async () => {
    const piped = new Client({ connectionString: url, pipeline: true })
    await piped.connect()
    try {
      const cursor = piped.query(new Cursor('select 1'))
      await expect(cursor.read(1)).rejects.toThrow('Custom query classes such as pg-cursor and pg-query-stream are not supported in pipeline mode')
      const results = await Promise.all([1, 2, 3].map((i) => piped.query('select $1::int as i', [i])))
      expect(results.map((r) => r.rows[0].i)).toEqual([1, 2, 3])
    } finally {
      await piped.end()
    }
  })

  it('a session killed under an open cursor fails its read (no hang)', async () => {
    const app = appName('compat-cursor-kill')
    const victim = new Client(lbUrl([node], { application_name: app }))
    victim.on('error', () => undefined)
    await victim.connect()
    const cursor = victim.query(new Cursor('select generate_series(1, 100) as n'))
    expect(await cursor.read(1)).toEqual([{ n: 1 }])
    await terminateBackends(node.host, node.port, app)
    await expect(cursor.read(1)).rejects.toThrow()
    await victim.end()
  })
})

describe('pg-query-stream on pgfleet/pg', () => {
  it('streams every row with backpressure (small batches), from a pool client', async () => {
    const pool = new Pool({ connectionString: url, max: 1 })
    const pooled = await pool.connect()
    try {
      const seen: number[] = []
      const stream = pooled.query(new QueryStream('select generate_series(1, $1::int) as n', [2500], { batchSize: 100 }))
      for await (const row of stream) seen.push(row.n)
      expect(seen.length).toBe(2500)
      expect(seen[0]).toBe(1)
      expect(seen[2499]).toBe(2500)
      expect((await pooled.query('select 7 as x')).rows).toEqual([{ x: 7 }])
    } finally {
      pooled.release()
      await pool.end()
    }
  })

  it('destroying the stream early closes the portal and frees the session', async () => {
    const stream = client.query(new QueryStream('select generate_series(1, 100000) as n', [], { batchSize: 10 }))
    const first: number[] = []
    for await (const row of stream) {
      first.push(row.n)
      if (first.length === 25) break
    }
    expect(first.length).toBe(25)
    expect((await client.query('select 8 as x')).rows).toEqual([{ x: 8 }])
  })
})

describe('pg-copy-streams on pgfleet/pg', () => {
  it('COPY FROM STDIN and COPY TO STDOUT round-trip, with rowCount', async () => {
    await client.query('create temp table copied (id int, name text)')
    const lines = Array.from({ length: 5000 }, (_, i) => `${i}\tname ${i}\n`)
    const into = client.query(copyFrom('copy copied from stdin'))
    await pipeline(Readable.from(lines), into)
    expect(into.rowCount).toBe(5000)
    expect((await client.query('select count(*)::int as n, sum(id)::int as s from copied')).rows).toEqual([{ n: 5000, s: (4999 * 5000) / 2 }])

    const chunks: Buffer[] = []
    const out = client.query(copyTo('copy (select * from copied order by id) to stdout'))
    await pipeline(out, new Writable({ write: (chunk: Buffer, _enc, cb) => (chunks.push(chunk), cb()) }))
    expect(Buffer.concat(chunks).toString()).toBe(lines.join(''))
    expect(out.rowCount).toBe(5000)
    expect((await client.query('select 9 as x')).rows).toEqual([{ x: 9 }])
  })

  it('COPY TO with a slow reader pauses and still delivers every byte', async () => {
    let bytes = 0
    const out = client.query(copyTo("copy (select repeat('x', 1000) from generate_series(1, 3000)) to stdout"))
    await pipeline(
      out,
      new Writable({
        highWaterMark: 1024,
        write: (chunk: Buffer, _enc, cb) => ((bytes += chunk.length), setImmediate(cb)),
      }),
    )
    expect(bytes).toBe(3000 * 1001)
    expect((await client.query('select 10 as x')).rows).toEqual([{ x: 10 }])
  })

  it('a bad COPY FROM row fails the stream with the server error; the session stays usable', async () => {
    await client.query('create temp table strict_copy (id int)')
    const into = client.query(copyFrom('copy strict_copy from stdin'))
    await expect(pipeline(Readable.from(['1\n', 'not a number\n']), into)).rejects.toMatchObject({ code: '22P02' })
    expect((await client.query('select count(*)::int as n from strict_copy')).rows).toEqual([{ n: 0 }])
  })

  it('COPY TO of a failing query errors the stream', async () => {
    const out = client.query(copyTo('copy (select 1 / 0) to stdout'))
    await expect(pipeline(out, new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toMatchObject({ code: '22012' })
    expect((await client.query('select 11 as x')).rows).toEqual([{ x: 11 }])
  })
})

describe('pg.Query', () => {
  it("emits 'row' for each row and 'end' with the result; 'error' without a callback; a callback gets the result", async () => {
    const rows: unknown[] = []
    const q = client.query(new Query('select n from generate_series(1, 3) n'))
    q.on('row', (row: unknown) => rows.push(row))
    const result = await new Promise<{ rowCount: number }>((resolve) => q.on('end', resolve))
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(result.rowCount).toBe(3)

    const failed = client.query(new Query('select * from no_such_table_here'))
    await expect(new Promise((_, reject) => failed.on('error', reject))).rejects.toMatchObject({ code: '42P01' })

    const viaCallback = await new Promise<{ rows: unknown[] }>((resolve, reject) =>
      client.query(new Query({ text: 'select $1::text as t', values: ['v'] }, (err: Error | null, res?: any) => (err ? reject(err) : resolve(res)))),
    )
    expect(viaCallback.rows).toEqual([{ t: 'v' }])
  })
})
