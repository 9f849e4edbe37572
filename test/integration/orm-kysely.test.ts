/**
 * Kysely on pgfleet/pg: PostgresDialect with pgfleet's pg-compatible Pool,
 * load balancing on over the 3 harness nodes. Table, insert, join,
 * transaction (commit and rollback), unique violation (23505), pg's value
 * types, and the pool's sessions spread over the nodes.
 */
import { Kysely, PostgresDialect, sql, type Generated } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pool } from '../../src/pg.js'
import { inOrder, serverCountsEventually } from '../support/balancing.js'
import { nodes, onEveryNode, ormFixture, schemaSql } from './helpers/orm.js'

const f = ormFixture('kysely')

interface Database {
  [f.users]: { id: Generated<number>; email: string; name: string | null; created_at: Generated<Date>; born: Date | null; karma: Generated<string> }
  [f.posts]: { id: Generated<number>; user_id: number; title: string; score: Generated<string> }
}

let pool: Pool
let db: Kysely<any>

beforeAll(async () => {
  await onEveryNode(schemaSql(f.users, f.posts), f.topology)
  pool = new Pool({ connectionString: f.url, max: 9 })
  db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as never }) })
})

afterAll(async () => {
  await db?.destroy()
  await onEveryNode(`drop table if exists ${f.posts}; drop table if exists ${f.users}`, f.topology)
})

describe('Kysely with pgfleet/pg Pool (load_balance=true)', () => {
  it('inserts, selects with a join, and returns pg types (int8/numeric as strings, dates as Date)', async () => {
    await db.connection().execute(async (conn) => {
      const user = await conn
        .insertInto(f.users)
        .values({ email: 'ada@example.com', name: 'Ada', born: new Date(1815, 11, 10), karma: sql`9007199254740993` })
        .returning(['id', 'karma', 'created_at', 'born'])
        .executeTakeFirstOrThrow()
      expect(typeof user.id).toBe('number')
      expect(user.karma).toBe('9007199254740993')
      expect(user.created_at).toBeInstanceOf(Date)
      expect(user.born).toEqual(new Date(1815, 11, 10))
      const inserted = await conn
        .insertInto(f.posts)
        .values([
          { user_id: user.id, title: 'Notes', score: sql`12.50` },
          { user_id: user.id, title: 'Engine', score: sql`99.99` },
        ])
        .executeTakeFirst()
      expect(inserted.numInsertedOrUpdatedRows).toBe(2n)
      const rows = await conn
        .selectFrom(`${f.posts} as p`)
        .innerJoin(`${f.users} as u`, 'u.id', 'p.user_id')
        .select(['u.name', 'p.title', 'p.score'])
        .where('u.email', '=', 'ada@example.com')
        .orderBy('p.title')
        .execute()
      expect(rows).toEqual([
        { name: 'Ada', title: 'Engine', score: '99.99' },
        { name: 'Ada', title: 'Notes', score: '12.50' },
      ])
      const updated = await conn.updateTable(f.posts).set({ title: 'Notes (1843)' }).where('title', '=', 'Notes').executeTakeFirst()
      expect(updated.numUpdatedRows).toBe(1n)
    })
  })

  it('commits a transaction and rolls one back on error', async () => {
    const email = 'grace@example.com'
    const id = await db.transaction().execute(async (trx) => {
      const u = await trx.insertInto(f.users).values({ email, name: 'Grace' }).returning('id').executeTakeFirstOrThrow()
      await trx.insertInto(f.posts).values({ user_id: u.id, title: 'COBOL' }).execute()
      return u.id
    })
    expect(typeof id).toBe('number')
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto(f.users).values({ email: 'rolled@example.com', name: 'Nobody' }).execute()
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    // Every node: the rolled-back row exists nowhere (each node is its own server).
    for (let i = 0; i < nodes.length * 2; i++) {
      const r = await db.selectFrom(f.users).select(db.fn.countAll<string>().as('n')).where('email', '=', 'rolled@example.com').executeTakeFirstOrThrow()
      expect(r.n).toBe('0')
    }
  })

  it('surfaces a unique violation with SQLSTATE 23505 and the constraint name', async () => {
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto(f.users).values({ email: 'dup@example.com' }).execute()
        await trx.insertInto(f.users).values({ email: 'dup@example.com' }).execute()
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: '23505', constraint: `${f.users}_email_key`, table: f.users })
    expect((error as Error).message).toMatch(/duplicate key value violates unique constraint/)
    // The pool is healthy afterwards.
    const r = await sql<{ one: number }>`select 1 as one`.execute(db)
    expect(r.rows).toEqual([{ one: 1 }])
  })

  it("spreads the pool's sessions over the 3 nodes", async () => {
    // 9 transactions held open at once: the pool opens 9 sessions through the balancer.
    let inside = 0
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const all = Array.from({ length: 9 }, () =>
      db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx)
        if (++inside === 9) release()
        await gate
        await sql`select pg_sleep(0.01)`.execute(trx)
      }),
    )
    await gate
    const client = inOrder(pool.balanced.hostConnections(), nodes)
    expect(client).toEqual([3, 3, 3])
    expect(await serverCountsEventually(nodes, f.app, [3, 3, 3])).toEqual([3, 3, 3])
    await Promise.all(all)
    expect(pool.totalCount).toBe(9)
    expect(pool.waitingCount).toBe(0)
  })
})
