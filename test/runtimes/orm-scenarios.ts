/**
 * A small CRUD + transaction scenario per ORM (Kysely, Drizzle, Prisma),
 * runtime-neutral: the runner of each runtime passes in the libraries and
 * pgfleet's built entries for that runtime (test/runtimes/orm-worker.mjs on
 * workerd; test/integration/orm-workers.test.ts runs the same on Node), and
 * every scenario returns plain JSON, so the two runtimes' answers can be
 * compared as they are.
 *
 * Tables (created empty by the test): users (id serial, email unique, name)
 * and posts (id serial, user_id references users, title), a pair each for
 * Kysely and Drizzle; Prisma uses its own model
 * (test/integration/prisma/native.prisma).
 */

/** One ORM's two tables. */
export interface OrmTables {
  users: string
  posts: string
}

/** Where the scenarios run: the URL and each ORM's own tables (empty at the start). */
export interface OrmEnv {
  url: string
  kysely: OrmTables
  drizzle: OrmTables
}

/** What a scenario returns: its results or its error. */
export interface OrmOutcome {
  ok: boolean
  data?: unknown
  error?: string
}

/* The libraries are passed in by shape; their own types stay in their runners. */
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface OrmLibraries {
  /** pgfleet/pg for this runtime. */
  pg: { Pool: new (config: { connectionString: string; max?: number }) => any }
  kysely: { Kysely: new (config: any) => any; PostgresDialect: new (config: any) => any; sql: any }
  drizzle: { drizzle: (client: any) => any; pgTable: any; serial: any; text: any; integer: any; eq: any; count: any }
  prisma?: { PrismaClient: new (options: { adapter: unknown }) => any; PrismaPgfleet: new (source: string) => unknown }
}

async function outcome(run: () => Promise<unknown>): Promise<OrmOutcome> {
  try {
    return { ok: true, data: await run() }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error) }
  }
}

/** Rolls back a transaction by throwing; resolves with the message. */
class Rollback extends Error {}

async function kysely(lib: OrmLibraries, url: string, env: OrmTables): Promise<unknown> {
  const { Kysely, PostgresDialect, sql } = lib.kysely
  const pool = new lib.pg.Pool({ connectionString: url, max: 2 })
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) })
  try {
    const ada = await db.insertInto(env.users).values({ email: 'kysely-ada@example.com', name: 'Ada' }).returning(['id', 'email']).executeTakeFirstOrThrow()
    await db.insertInto(env.posts).values([{ user_id: ada.id, title: 'Notes' }, { user_id: ada.id, title: 'Engine' }]).execute()
    const joined = await db
      .selectFrom(env.posts)
      .innerJoin(env.users, `${env.users}.id`, `${env.posts}.user_id`)
      .select([`${env.users}.email as email`, `${env.posts}.title as title`])
      .where(`${env.users}.email`, '=', 'kysely-ada@example.com')
      .orderBy(`${env.posts}.title`)
      .execute()
    const updated = await db.updateTable(env.users).set({ name: 'Ada L.' }).where('id', '=', ada.id).returning('name').executeTakeFirstOrThrow()
    const committed = await db.transaction().execute(async (trx: any) => {
      const u = await trx.insertInto(env.users).values({ email: 'kysely-grace@example.com', name: 'Grace' }).returning('id').executeTakeFirstOrThrow()
      await trx.insertInto(env.posts).values({ user_id: u.id, title: 'COBOL' }).execute()
      return (await sql`select count(*)::int as n from ${sql.table(env.posts)}`.execute(trx)).rows[0].n
    })
    const rolledBack = await db
      .transaction()
      .execute(async (trx: any) => {
        await trx.deleteFrom(env.posts).execute()
        throw new Rollback('rolled back')
      })
      .catch((e: Error) => e.message)
    const deleted = await db.deleteFrom(env.posts).where('title', '=', 'Notes').executeTakeFirst()
    const left = await db.selectFrom(env.posts).select('title').orderBy('title').execute()
    return { ada: ada.email, joined, updated, committed, rolledBack, deleted: Number(deleted.numDeletedRows), left: left.map((r: { title: string }) => r.title) }
  } finally {
    await db.destroy()
  }
}

async function drizzle(lib: OrmLibraries, url: string, env: OrmTables): Promise<unknown> {
  const { drizzle: connect, pgTable, serial, text, integer, eq, count } = lib.drizzle
  const users = pgTable(env.users, { id: serial('id').primaryKey(), email: text('email').notNull(), name: text('name') })
  const posts = pgTable(env.posts, { id: serial('id').primaryKey(), userId: integer('user_id').notNull(), title: text('title').notNull() })
  const pool = new lib.pg.Pool({ connectionString: url, max: 2 })
  const db = connect(pool)
  try {
    const [ada] = await db.insert(users).values({ email: 'drizzle-ada@example.com', name: 'Ada' }).returning({ id: users.id, email: users.email })
    await db.insert(posts).values([{ userId: ada.id, title: 'Notes' }, { userId: ada.id, title: 'Engine' }])
    const joined = await db
      .select({ email: users.email, title: posts.title })
      .from(posts)
      .innerJoin(users, eq(users.id, posts.userId))
      .where(eq(users.email, 'drizzle-ada@example.com'))
      .orderBy(posts.title)
    const [updated] = await db.update(users).set({ name: 'Ada L.' }).where(eq(users.id, ada.id)).returning({ name: users.name })
    const committed = await db.transaction(async (tx: any) => {
      const [u] = await tx.insert(users).values({ email: 'drizzle-grace@example.com', name: 'Grace' }).returning({ id: users.id })
      await tx.insert(posts).values({ userId: u.id, title: 'COBOL' })
      const [{ n }] = await tx.select({ n: count() }).from(posts)
      return n
    })
    const rolledBack = await db
      .transaction(async (tx: any) => {
        await tx.delete(posts)
        throw new Rollback('rolled back')
      })
      .catch((e: Error) => e.message)
    const deleted = await db.delete(posts).where(eq(posts.title, 'Notes')).returning({ id: posts.id })
    const left = await db.select({ title: posts.title }).from(posts).orderBy(posts.title)
    return { ada: ada.email, joined, updated, committed, rolledBack, deleted: deleted.length, left: left.map((r: { title: string }) => r.title) }
  } finally {
    await pool.end()
  }
}

async function prisma(lib: OrmLibraries, url: string): Promise<unknown> {
  const { PrismaClient, PrismaPgfleet } = lib.prisma!
  const db = new PrismaClient({ adapter: new PrismaPgfleet(url) })
  try {
    const base = {
      balance: '10.50',
      visits: 1n,
      ratio: 0.5,
      small: 1.5,
      active: true,
      born: new Date('1906-12-09T00:00:00Z'),
      wakeUp: new Date('1970-01-01T07:00:00Z'),
      createdAt: new Date('2024-02-29T13:45:06.789Z'),
      seenAt: new Date('2024-03-01T00:00:00Z'),
      profile: { langs: ['COBOL'] },
      mood: 'happy',
      tags: ['navy'],
      lucky: [7],
      uid: '6f1c2b7e-3d4a-4c5b-9e8f-0a1b2c3d4e5f',
    }
    const grace = await db.account.create({
      data: { ...base, email: 'prisma-grace@example.com', name: 'Grace', orders: { create: [{ total: '12.50', placedAt: new Date('2024-01-02T03:04:05Z') }] } },
      include: { orders: true },
    })
    const found = await db.account.findUnique({ where: { email: 'prisma-grace@example.com' }, include: { orders: true } })
    const updated = await db.account.update({ where: { id: grace.id }, data: { visits: { increment: 2 }, balance: { decrement: '0.5' } } })
    const committed = await db.$transaction(
      async (tx: any) => {
        await tx.order.create({ data: { accountId: grace.id, total: '1.00', placedAt: new Date('2024-06-01T00:00:00Z') } })
        return tx.order.count()
      },
      { isolationLevel: 'Serializable' },
    )
    const rolledBack = await db
      .$transaction(async (tx: any) => {
        await tx.order.deleteMany({})
        throw new Rollback('rolled back')
      })
      .catch((e: Error) => e.message)
    const unique = await db.account.create({ data: { ...base, email: 'prisma-grace@example.com' } }).catch((e: { code?: string }) => e.code)
    const deleted = await db.order.deleteMany({ where: { total: '1.00' } })
    return {
      created: { email: grace.email, visits: String(grace.visits), balance: String(grace.balance), orders: grace.orders.length, createdAt: grace.createdAt.toISOString() },
      found: { profile: found.profile, tags: found.tags, born: found.born.toISOString(), wakeUp: found.wakeUp.toISOString(), total: String(found.orders[0].total) },
      updated: { visits: String(updated.visits), balance: String(updated.balance) },
      committed,
      rolledBack,
      unique,
      deleted: deleted.count,
      left: await db.order.count(),
    }
  } finally {
    await db.$disconnect()
  }
}

/** Run every scenario (Prisma when given); one outcome each. */
export async function runOrmScenarios(lib: OrmLibraries, env: OrmEnv): Promise<Record<string, OrmOutcome>> {
  const results: Record<string, OrmOutcome> = {}
  results.kysely = await outcome(() => kysely(lib, env.url, env.kysely))
  results.drizzle = await outcome(() => drizzle(lib, env.url, env.drizzle))
  if (lib.prisma) results.prisma = await outcome(() => prisma(lib, env.url))
  return results
}
