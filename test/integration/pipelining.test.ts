/**
 * Pipelining and the prepared-statement cache against a real server: 10,000
 * queries in flight on one session, an error failing only its own query, and
 * the cache surviving what servers and poolers do to named statements
 * (result type changes, DISCARD ALL, DEALLOCATE ALL), LRU eviction visible in
 * pg_prepared_statements, and statementCacheSize=0 leaving no named statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PgError, type Client } from '../../src/index.js'
import { openTestClient, uniqueName } from './helpers/server.js'

let db: Client

beforeAll(async () => {
  db = await openTestClient()
})
afterAll(async () => {
  await db?.close()
})

async function preparedStatements(client: Client): Promise<string[]> {
  // Unnamed and simple-protocol queries do not appear here; only named statements do.
  const { rows } = await client.query<{ name: string; statement: string }>('select name, statement from pg_prepared_statements order by name', [], {
    prepare: false,
  })
  return rows.map((r) => r.statement)
}

describe('pipelining', () => {
  it('10,000 concurrent queries on one connection resolve with their own values', async () => {
    const n = 10_000
    const order: number[] = []
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        db.query<{ x: number }>('select $1::int as x', [i]).then((r) => {
          order.push(i)
          return r.rows[0]!.x
        }),
      ),
    )
    expect(results).toEqual(Array.from({ length: n }, (_, i) => i))
    // Resolved in the order sent (FIFO over one socket).
    expect(order).toEqual(results)
  })

  it('an error fails only its own query', async () => {
    const divisors = [1, 2, 0, 4, 5]
    const settled = await Promise.allSettled(divisors.map((d) => db.query<{ q: number }>('select 100 / $1::int as q', [d])))
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.rows[0]!.q : (s.reason as PgError).code))).toEqual([100, 50, '22012', 25, 20])
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(PgError)
  })
})

describe('prepared statement cache', () => {
  it('is on by default: the second run uses a named statement', async () => {
    const client = await openTestClient()
    try {
      await client.query('select $1::int + 1 as y', [1])
      await client.query('select $1::int + 1 as y', [2])
      expect(await preparedStatements(client)).toEqual(['select $1::int + 1 as y'])
    } finally {
      await client.close()
    }
  })

  it('recovers from "cached plan must not change result type" (0A000) after ALTER TABLE', async () => {
    const t = uniqueName('pl_alter')
    await db.query(`create table ${t} (id int, a text)`)
    try {
      await db.query(`insert into ${t} values (1, 'x')`)
      expect((await db.query(`select * from ${t}`, [])).rows).toEqual([{ id: 1, a: 'x' }])
      expect((await db.query(`select * from ${t}`, [])).rows).toEqual([{ id: 1, a: 'x' }])
      await db.query(`alter table ${t} add column b int default 7`)
      expect((await db.query(`select * from ${t}`, [])).rows).toEqual([{ id: 1, a: 'x', b: 7 }])
      await db.query(`alter table ${t} alter column b type text`)
      expect((await db.query(`select * from ${t}`, [])).rows).toEqual([{ id: 1, a: 'x', b: '7' }])
    } finally {
      await db.query(`drop table ${t}`)
    }
  })

  for (const reset of ['discard all', 'deallocate all']) {
    it(`re-prepares after ${reset.toUpperCase()}`, async () => {
      const client = await openTestClient()
      try {
        for (let i = 0; i < 2; i++) expect((await client.query('select $1::int * 2 as y', [21])).rows).toEqual([{ y: 42 }])
        expect(await preparedStatements(client)).toHaveLength(1)
        await client.query(reset)
        expect(await preparedStatements(client)).toHaveLength(0)
        expect((await client.query('select $1::int * 2 as y', [5])).rows).toEqual([{ y: 10 }])
        expect(await preparedStatements(client)).toEqual(['select $1::int * 2 as y'])
      } finally {
        await client.close()
      }
    })
  }

  it('re-prepares a statement dropped behind its back (26000)', async () => {
    const client = await openTestClient()
    try {
      await client.query('select $1::int as z', [1])
      // DEALLOCATE sent inside a multi-statement simple query: the driver does not see the tag.
      await client.query('select 1; deallocate all')
      expect((await client.query('select $1::int as z', [3])).rows).toEqual([{ z: 3 }])
    } finally {
      await client.close()
    }
  })

  it('evicts the least recently used statement (statementCacheSize=2)', async () => {
    const client = await openTestClient({ statementCacheSize: 2 })
    try {
      await client.query('select $1::int as a', [1])
      await client.query('select $1::int as b', [1])
      await client.query('select $1::int as a', [1]) // a is now the most recent
      await client.query('select $1::int as c', [1]) // evicts b
      const names = await preparedStatements(client)
      expect(names.length).toBeLessThanOrEqual(2)
      expect(names.sort()).toEqual(['select $1::int as a', 'select $1::int as c'])
      expect((await client.query<{ b: number }>('select $1::int as b', [9])).rows).toEqual([{ b: 9 }])
      expect((await preparedStatements(client)).length).toBeLessThanOrEqual(2)
    } finally {
      await client.close()
    }
  })

  it('statementCacheSize=0 uses only the unnamed statement (transaction-mode poolers)', async () => {
    const client = await openTestClient({ statementCacheSize: 0 })
    try {
      for (let i = 0; i < 3; i++) expect((await client.query('select $1::int as a', [i])).rows).toEqual([{ a: i }])
      await client.query('select $1::text as t', ['x'])
      expect(await preparedStatements(client)).toEqual([])
    } finally {
      await client.close()
    }
  })
})
