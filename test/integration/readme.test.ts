/**
 * The README's "Queries" and "Pool" samples, run as written (table names made
 * unique) against the test server, so the README cannot claim what does not work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createPool, PgError, sql, type Client } from '../../src/index.js'
import { serverUrl, uniqueName } from './helpers/server.js'

describe('README samples', () => {
  let db: Client
  const t = uniqueName('readme')
  beforeAll(async () => {
    db = await connect(serverUrl())
  })
  afterAll(async () => {
    await db.query(`drop table if exists ${t}, ${t}_big, ${t}_a`)
    await db.close()
  })

  it('queries, pipelining, tagged templates', async () => {
    await db.query(`create table ${t}_a (x int); insert into ${t}_a values (1)`)
    const { rows, fields, rowCount, command } = await db.query(`select * from ${t}_a where x = $1`, [1])
    expect({ rows, names: fields.map((f) => f.name), rowCount, command }).toEqual({ rows: [{ x: 1 }], names: ['x'], rowCount: 1, command: 'SELECT' })
    const [a, b] = await Promise.all([db.query('select $1::int as v', [1]), db.query('select $1::int as v', [2])])
    expect([a.rows[0], b.rows[0]]).toEqual([{ v: 1 }, { v: 2 }])
    const ids = [1, 2]
    const r = await db.sql`select * from ${sql.identifier('public', `${t}_a`)} where x in (${sql.list(ids)})`
    expect(r.rows).toEqual([{ x: 1 }])
  })

  it('streaming, cursors, COPY, LISTEN/NOTIFY', async () => {
    await db.query(`create table ${t}_big as select g from generate_series(1, 2500) g`)
    let n = 0
    for await (const _ of db.stream(`select * from ${t}_big`)) n++
    expect(n).toBe(2500)
    const cursor = db.cursor(`select * from ${t}_big order by g`, [], { batchSize: 500 })
    expect((await cursor.read()).length).toBe(500)
    await cursor.close()

    await db.query(`create table ${t} (id int, balance int)`)
    async function* chunks() {
      yield '1\t100\n'
      yield '2\t50\n'
    }
    expect(await db.copyFrom(`copy ${t} from stdin`, chunks())).toEqual({ rowCount: 2 })
    let out = ''
    for await (const chunk of db.copyTo(`copy ${t} to stdout`)) out += new TextDecoder().decode(chunk)
    expect(out).toBe('1\t100\n2\t50\n')

    const got: string[] = []
    const sub = await db.listen('readme_jobs', (payload) => got.push(payload), { onLost: () => undefined })
    await db.notify('readme_jobs', 'hello')
    await db.query('select 1')
    await expect.poll(() => got).toEqual(['hello'])
    await sub.unlisten()
  })

  it('transactions with a savepoint, cancel by AbortSignal', async () => {
    await db.transaction(
      async (tx) => {
        await tx.query(`update ${t} set balance = balance - $1 where id = $2`, [100, 1])
        await tx.savepoint(async (sp) => sp.query(`insert into ${t} values ($1, 0)`, [3]))
      },
      { isolation: 'serializable', retries: 5 },
    )
    expect((await db.query(`select id, balance from ${t} order by id`, [])).rows).toEqual([
      { id: 1, balance: 0 },
      { id: 2, balance: 50 },
      { id: 3, balance: 0 },
    ])
    const error = await db.query('select pg_sleep(10)', [], { signal: AbortSignal.timeout(300) }).catch((e) => e)
    expect(error.code).toBe('PGFLEET_ABORTED')
    expect(error.cause).toBeInstanceOf(PgError)
    expect(error.cause.code).toBe('57014')
    expect((await db.query('select 1 as ok', [])).rows).toEqual([{ ok: 1 }])
  })

  it('pool', async () => {
    const pool = createPool({ connectionString: serverUrl(), min: 1, max: 10, idleTimeoutMs: 10_000, acquireTimeoutMs: 5_000 })
    await pool.query('select 1')
    const client = await pool.connect()
    try {
      await client.query('select 1')
    } finally {
      client.release()
    }
    expect(pool.stats()).toMatchObject({ waiting: 0 })
    expect([...pool.hostConnections().values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
    await pool.end()
  })
})
