/**
 * Drizzle (drizzle-orm/node-postgres) on pgfleet/pg, load balancing on over
 * the 3 harness nodes: with pgfleet/pg's Pool (transactions check a client
 * out, as with pg.Pool) and with a single pgfleet/pg Client. Table, insert,
 * join, transaction (commit and rollback), unique violation (23505),
 * timestamps through Drizzle's per-query type parsers, and the spread.
 */
import { eq, sql } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { bigint, date, integer, numeric, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, Pool } from '../../src/pg.js'
import { inOrder, serverCountsEventually } from '../support/balancing.js'
import { nodes, onEveryNode, ormFixture, schemaSql } from './helpers/orm.js'

const f = ormFixture('drizzle')

const users = pgTable(f.users, {
  id: serial('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  born: date('born', { mode: 'date' }),
  karma: bigint('karma', { mode: 'bigint' }).notNull().default(0n),
})
const posts = pgTable(f.posts, {
  id: serial('id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id),
  title: text('title').notNull(),
  score: numeric('score', { precision: 10, scale: 2 }).notNull().default('0'),
})

let pool: Pool
let db: NodePgDatabase

beforeAll(async () => {
  await onEveryNode(schemaSql(f.users, f.posts), f.topology)
  pool = new Pool({ connectionString: f.url, max: 9 })
  db = drizzle({ client: pool as never })
})

afterAll(async () => {
  await pool?.end()
  await onEveryNode(`drop table if exists ${f.posts}; drop table if exists ${f.users}`, f.topology)
})

describe('Drizzle with pgfleet/pg Pool (load_balance=true)', () => {
  it('inserts, selects with a join and maps Drizzle types (timestamptz, date, bigint, numeric)', async () => {
    const created = new Date('2024-02-29T13:45:06.789Z')
    await db.transaction(async (tx) => {
      const [ada] = await tx
        .insert(users)
        .values({ email: 'ada@example.com', name: 'Ada', createdAt: created, born: new Date('1815-12-10'), karma: 9007199254740993n })
        .returning()
      expect(ada!.createdAt).toEqual(created)
      expect(ada!.born).toEqual(new Date('1815-12-10'))
      expect(ada!.karma).toBe(9007199254740993n)
      await tx.insert(posts).values([
        { userId: ada!.id, title: 'Notes', score: '12.50' },
        { userId: ada!.id, title: 'Engine', score: '99.99' },
      ])
      const rows = await tx
        .select({ name: users.name, title: posts.title, score: posts.score })
        .from(posts)
        .innerJoin(users, eq(users.id, posts.userId))
        .where(eq(users.email, 'ada@example.com'))
        .orderBy(posts.title)
      expect(rows).toEqual([
        { name: 'Ada', title: 'Engine', score: '99.99' },
        { name: 'Ada', title: 'Notes', score: '12.50' },
      ])
      const counted = await tx.execute<{ n: string }>(sql`select count(*) as n from ${posts}`)
      expect(counted.rows).toEqual([{ n: '2' }])
    })
  })

  it('rolls a transaction back, nested savepoints included', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(users).values({ email: 'rolled@example.com' })
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    const kept = await db.transaction(async (tx) => {
      await tx.insert(users).values({ email: 'outer@example.com' })
      await tx
        .transaction(async (inner) => {
          await inner.insert(users).values({ email: 'inner@example.com' })
          throw new Error('inner abort')
        })
        .catch(() => undefined)
      return tx.select({ email: users.email }).from(users).where(sql`${users.email} in ('outer@example.com', 'inner@example.com', 'rolled@example.com')`)
    })
    expect(kept).toEqual([{ email: 'outer@example.com' }])
  })

  it('surfaces a unique violation with SQLSTATE 23505', async () => {
    const error = await db
      .transaction(async (tx) => {
        await tx.insert(users).values({ email: 'dup@example.com' })
        await tx.insert(users).values({ email: 'dup@example.com' })
      })
      .catch((e: unknown) => e)
    // Drizzle 0.45 wraps driver errors (DrizzleQueryError) with the pg error as `cause`.
    const pgError = (error as { cause?: unknown }).cause ?? error
    expect(pgError).toMatchObject({ code: '23505', constraint: `${f.users}_email_key` })
    const [one] = await db.execute<{ one: number }>(sql`select 1 as one`).then((r) => r.rows)
    expect(one).toEqual({ one: 1 })
  })

  it("spreads the pool's sessions over the 3 nodes", async () => {
    let inside = 0
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const all = Array.from({ length: 9 }, () =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select 1`)
        if (++inside === 9) release()
        await gate
      }),
    )
    await gate
    const client = inOrder(pool.balanced.hostConnections(), nodes)
    expect(client).toEqual([3, 3, 3])
    expect(await serverCountsEventually(nodes, f.app, [3, 3, 3])).toEqual([3, 3, 3])
    await Promise.all(all)
  })
})

describe('Drizzle with a pgfleet/pg Client (one balanced session)', () => {
  it('runs queries, a transaction and an error on one session', async () => {
    const client = new Client(f.url)
    await client.connect()
    try {
      const cdb = drizzle({ client: client as never })
      const [grace] = await cdb.insert(users).values({ email: 'grace@example.com', name: 'Grace' }).returning({ id: users.id })
      await cdb.transaction(async (tx) => {
        await tx.insert(posts).values({ userId: grace!.id, title: 'COBOL' })
      })
      const rows = await cdb.select({ title: posts.title }).from(posts).innerJoin(users, eq(users.id, posts.userId)).where(eq(users.name, 'Grace'))
      expect(rows).toEqual([{ title: 'COBOL' }])
      const error = await cdb.insert(users).values({ email: 'grace@example.com' }).catch((e: unknown) => e)
      expect(((error as { cause?: unknown }).cause ?? error) as object).toMatchObject({ code: '23505' })
      expect(nodes.map((n) => n.host)).toContain(client.host)
    } finally {
      await client.end()
    }
  })
})
