/**
 * COPY against a real server: 100k rows in and out with their content
 * checked, a throwing producer turned into CopyFail (the session stays
 * usable), server errors mid-COPY, binary format passing through unchanged,
 * Web ReadableStream in both directions, and backpressure on COPY TO.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PgError, toReadableStream, type Client } from '../../src/index.js'
import { openTestClient } from './helpers/server.js'

let db: Client
let observer: Client

beforeAll(async () => {
  db = await openTestClient()
  observer = await openTestClient()
  await db.query('create temp table items (id int primary key, name text, note text)')
  await db.query('create temp table items_copy (id int primary key, name text, note text)')
})
afterAll(async () => {
  await db?.close()
  await observer?.close()
})

const decoder = new TextDecoder()
const ROWS = 100_000

/** Row i in COPY text format; tabs, newlines and backslashes in the data are escaped. */
function line(i: number): string {
  return `${i}\tname ${i}\t${i % 1000 === 0 ? 'tab\\there\\nnewline \\\\ backslash' : i % 7 === 0 ? '\\N' : `n${i * 3}`}\n`
}

async function* lines(count: number): AsyncGenerator<string> {
  for (let i = 1; i <= count; i++) yield line(i)
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of stream) parts.push(chunk)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) (out.set(p, offset), (offset += p.length))
  return out
}

describe('copyFrom()', () => {
  it('copies 100k rows in and they arrive intact', async () => {
    const result = await db.copyFrom('copy items from stdin', lines(ROWS))
    expect(result).toEqual({ rowCount: ROWS })
    const { rows } = await db.query<{ c: number; s: number; nulls: number }>(
      'select count(*)::int as c, sum(id)::float8 as s, count(*) filter (where note is null)::int as nulls from items',
    )
    expect(rows[0]).toEqual({ c: ROWS, s: (ROWS * (ROWS + 1)) / 2, nulls: Math.floor(ROWS / 7) - countSevenAndThousand() })
    const special = await db.query('select name, note from items where id = any($1::int[]) order by id', [[1000, 7, 8]])
    expect(special.rows).toEqual([
      { name: 'name 7', note: null },
      { name: 'name 8', note: 'n24' },
      { name: 'name 1000', note: 'tab\there\nnewline \\ backslash' },
    ])
  })

  it('copies COPY TO output back out byte for byte, and a ReadableStream source works', async () => {
    const out = db.copyTo('copy items to stdout')
    const bytes = await collect(out)
    expect(out.rowCount).toBe(ROWS)
    let expected = ''
    for (let i = 1; i <= ROWS; i++) expected += line(i)
    expect(decoder.decode(bytes)).toBe(expected)

    // Feed the same bytes back through a Web ReadableStream in uneven chunks.
    let offset = 0
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close()
        const size = 1 + ((offset * 7919) % 50_000)
        controller.enqueue(bytes.subarray(offset, offset + size))
        offset += size
      },
    })
    expect(await db.copyFrom('copy items_copy from stdin', source)).toEqual({ rowCount: ROWS })
    const diff = await db.query('select count(*)::int as c from (select * from items except select * from items_copy) d')
    expect(diff.rows).toEqual([{ c: 0 }])
    await db.query('truncate items_copy')
  })

  it('a producer that throws sends CopyFail: the call rejects with the server error naming the message', async () => {
    async function* failing() {
      yield line(1)
      yield line(2)
      throw new Error('disk on fire')
    }
    const error = (await db.copyFrom('copy items_copy from stdin', failing()).catch((e: unknown) => e)) as PgError
    expect(error).toBeInstanceOf(PgError)
    expect(error.code).toBe('57014')
    expect(error.message).toContain('disk on fire')
    expect((error.cause as Error).message).toBe('disk on fire')
    expect((await db.query('select count(*)::int as c from items_copy')).rows).toEqual([{ c: 0 }])
    expect((await db.query('select $1::text as ok', ['yes'])).rows).toEqual([{ ok: 'yes' }])
  })

  it('a server error mid-COPY rejects, stops reading the source, and the session stays usable', async () => {
    let produced = 0
    async function* source() {
      for (let i = 1; i <= 1_000_000; i++) {
        produced++
        yield i === 500 ? 'not-a-number\tx\ty\n' : line(i)
      }
    }
    const error = (await db.copyFrom('copy items_copy from stdin', source()).catch((e: unknown) => e)) as PgError
    expect(error.code).toBe('22P02')
    expect(produced).toBeLessThan(1_000_000) // the source was closed after the error
    expect((await db.query('select count(*)::int as c from items_copy')).rows).toEqual([{ c: 0 }])
  })

  it('nothing else is written while COPY runs: a query queued meanwhile runs after it', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    async function* slow() {
      yield line(1)
      await gate
      yield line(2)
    }
    const copying = db.copyFrom('copy items_copy from stdin', slow())
    const queued = db.query('select count(*)::int as c from items_copy')
    setTimeout(release, 100)
    expect(await copying).toEqual({ rowCount: 2 })
    expect((await queued).rows).toEqual([{ c: 2 }])
    await db.query('truncate items_copy')
  })
})

describe('copyTo()', () => {
  it('binary COPY format passes through unchanged in both directions', async () => {
    const binary = await collect(db.copyTo('copy (select * from items where id <= 5000) to stdout (format binary)'))
    // PGCOPY\n\377\r\n\0 signature (protocol docs, COPY binary format)
    expect([...binary.subarray(0, 11)]).toEqual([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00])
    expect(await db.copyFrom('copy items_copy from stdin (format binary)', [binary])).toEqual({ rowCount: 5000 })
    const diff = await db.query(
      'select count(*)::int as c from (select * from items where id <= 5000 except select * from items_copy) d',
    )
    expect(diff.rows).toEqual([{ c: 0 }])
    expect((await db.query('select count(*)::int as c from items_copy')).rows).toEqual([{ c: 5000 }])
    await db.query('truncate items_copy')
  })

  it('readable gives a Web ReadableStream of the same chunks', async () => {
    const reader = db.copyTo('copy (select id from items where id <= 3 order by id) to stdout').readable.getReader()
    const chunks: string[] = []
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(decoder.decode(r.value))
    expect(chunks).toEqual(['1\n', '2\n', '3\n'])
    expect(toReadableStream).toBeTypeOf('function')
  })

  it('a slow consumer holds the server back; breaking early leaves the session usable', async () => {
    let n = 0
    let waitEvent: string | null = null
    for await (const _ of db.copyTo('copy (select x, repeat($$z$$, 200) from generate_series(1, 2000000) x) to stdout', { highWaterBytes: 16 * 1024 })) {
      if (++n === 10) {
        for (let i = 0; i < 50 && waitEvent !== 'ClientWrite'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20))
          const { rows } = await observer.query<{ wait_event: string | null }>('select wait_event from pg_stat_activity where pid = $1', [db.processId])
          waitEvent = rows[0]!.wait_event
        }
        break
      }
    }
    expect(waitEvent).toBe('ClientWrite')
    expect(db.connection.transactionStatus).toBe('I')
    expect((await db.query('select 5 as five')).rows).toEqual([{ five: 5 }])
  })

  it('a COPY TO error rejects the iteration', async () => {
    const run = () => collect(db.copyTo('copy no_such_table to stdout'))
    const error = (await run().catch((e: unknown) => e)) as PgError
    expect(error.code).toBe('42P01')
    expect((await db.query('select 6 as six')).rows).toEqual([{ six: 6 }])
  })
})

/** Rows whose note is a special value rather than \N: multiples of 7 that are also multiples of 1000. */
function countSevenAndThousand(): number {
  let n = 0
  for (let i = 1; i <= ROWS; i++) if (i % 7 === 0 && i % 1000 === 0) n++
  return n
}
