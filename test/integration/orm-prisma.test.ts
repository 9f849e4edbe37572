/**
 * Prisma 7 (driver adapters, no query engine binary) on pgfleet: the client
 * is generated offline from test/integration/prisma/schema.prisma into
 * .tmp/prisma-client (gitignored) and runs through @prisma/adapter-pg with
 * `pg` aliased to pgfleet/pg for this file. adapter-pg only accepts a pool
 * that is `instanceof pg.Pool` of the `pg` it imports (anything else it takes
 * as a config object and opens its own pg.Pool), so the alias is what lets it
 * take pgfleet's Pool. Applications alias it the same way: examples/prisma
 * (a Node resolve hook, run here in a child process) or a bundler alias.
 *
 * Covered: DDL through $executeRawUnsafe, create with a nested relation,
 * findMany with include (join), interactive and batch $transaction (commit and
 * rollback), the unique violation as P2002, and proof that every query ran on
 * pgfleet sessions (the pool's host counts, pg_stat_activity by
 * application_name, real pg never connecting).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PrismaPg } from '@prisma/adapter-pg'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import { Pool } from '../../src/pg.js'
import { adminQuery } from '../support/admin.js'
import { appName, lbUrl } from '../support/balancing.js'
import { harness } from '../support/harness.js'
import { generatePrismaClient } from './helpers/prisma.js'

// adapter-pg does `import pg from 'pg'`; the mock (with adapter-pg inlined by
// the integration project's server.deps.inline) swaps in pgfleet/pg.
vi.mock('pg', async () => {
  const facade = await import('../../src/pg.js')
  return { ...facade, default: facade.default }
})

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const output = resolve(root, '.tmp/prisma-client')

const node = harness().nodes[0]!
const app = appName('orm-prisma')
const url = lbUrl([node], { application_name: app })

/** The part of the generated client this file uses (the client itself exists only after `prisma generate`). */
interface UserRow {
  id: number
  email: string
  name: string | null
  createdAt: Date
  karma: bigint
}
interface PostRow {
  id: number
  title: string
  score: { toString(): string }
  userId: number
}
interface Delegate<Row> {
  create(args: object): Promise<Row & Record<string, unknown>>
  findMany(args?: object): Promise<Array<Row & Record<string, unknown>>>
  findUnique(args: object): Promise<(Row & Record<string, unknown>) | null>
  count(args?: object): Promise<number>
  update(args: object): Promise<Row>
}
interface Db {
  user: Delegate<UserRow>
  post: Delegate<PostRow>
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>
  $queryRawUnsafe<T>(sql: string, ...values: unknown[]): Promise<T>
  $transaction<T>(fn: (tx: Db) => Promise<T>, options?: object): Promise<T>
  $transaction<T extends readonly unknown[]>(batch: [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T>
  $disconnect(): Promise<void>
}
interface Generated {
  PrismaClient: new (options: { adapter: PrismaPg }) => Db
  Prisma: { PrismaClientKnownRequestError: new (...args: never[]) => Error & { code: string; meta?: Record<string, unknown> } }
}

/** Runs `node args` in the repository root; exit code and stdout + stderr. */
function runNode(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Uint8Array) => (out += String(d)))
    child.stderr.on('data', (d: Uint8Array) => (out += String(d)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', fail)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, out })
    })
  })
}

/** The hook resolves `pgfleet/pg` to dist/ (`npm test` builds first; build here when run alone). */
function buildOnce(): void {
  if (existsSync(resolve(root, 'dist/pg.js'))) return
  const built = spawnSync(resolve(root, 'node_modules/.bin/tsup'), ['--silent'], { cwd: root, encoding: 'utf8', timeout: 180_000 })
  if (built.status !== 0) throw new Error(`tsup failed:\n${built.stderr}${built.stdout}`)
}

let pool: Pool
let prisma: Db
let generated: Generated
let realConnect: MockInstance

beforeAll(async () => {
  await generatePrismaClient('test/integration/prisma/schema.prisma')
  // A variable specifier: the generated client does not exist at type-check time.
  const entry = pathToFileURL(resolve(output, 'client.ts')).href
  generated = (await import(/* @vite-ignore */ entry)) as Generated
  // Any connection through the real pg would show up here.
  const real = await vi.importActual<typeof import('pg')>('pg')
  realConnect = vi.spyOn(real.default.Client.prototype, 'connect')
  // No idle timeout: the last test counts the sessions after the slower subprocess tests ran.
  pool = new Pool({ connectionString: url, max: 4, idleTimeoutMillis: 0 })
  prisma = new generated.PrismaClient({ adapter: new PrismaPg(pool as never) })
  await prisma.$executeRawUnsafe('drop table if exists prisma_posts')
  await prisma.$executeRawUnsafe('drop table if exists prisma_users')
  await prisma.$executeRawUnsafe(
    `create table prisma_users (id serial primary key, email text not null unique, name text,
       created_at timestamptz(3) not null default now(), karma bigint not null default 0)`,
  )
  await prisma.$executeRawUnsafe(
    `create table prisma_posts (id serial primary key, title text not null,
       score numeric(10,2) not null default 0, user_id int not null references prisma_users(id))`,
  )
}, 90_000)

afterAll(async () => {
  await prisma?.$executeRawUnsafe('drop table if exists prisma_posts; drop table if exists prisma_users').catch(() => undefined)
  await prisma?.$disconnect()
  await pool?.end()
  vi.restoreAllMocks()
})

describe('Prisma Client over pgfleet/pg (adapter-pg with pg aliased)', () => {
  it('adapter-pg takes pgfleet’s Pool as its external pool', async () => {
    const adapter = await new PrismaPg(pool as never).connect()
    expect(adapter.underlyingDriver()).toBe(pool)
    await adapter.dispose()
  })

  it('creates with a nested relation and reads it back with include (join)', async () => {
    const created = new Date('2024-02-29T13:45:06.789Z')
    const ada = await prisma.user.create({
      data: {
        email: 'ada@example.com',
        name: 'Ada',
        createdAt: created,
        karma: 9007199254740993n,
        posts: { create: [{ title: 'Notes', score: '12.50' }, { title: 'Engine', score: '99.99' }] },
      },
    })
    expect(ada).toMatchObject({ email: 'ada@example.com', name: 'Ada', createdAt: created, karma: 9007199254740993n })
    const users = await prisma.user.findMany({
      where: { email: 'ada@example.com' },
      include: { posts: { orderBy: { title: 'asc' } } },
    })
    expect(users).toHaveLength(1)
    const posts = users[0]!.posts as PostRow[]
    expect(posts.map((p) => [p.title, p.score.toString(), p.userId])).toEqual([
      ['Engine', '99.99', ada.id],
      ['Notes', '12.5', ada.id],
    ])
    // Filter across the relation (a join / EXISTS in the compiled SQL).
    const byPost = await prisma.user.findMany({ where: { posts: { some: { title: 'Engine' } } }, select: { email: true } })
    expect(byPost).toEqual([{ email: 'ada@example.com' }])
    const [row] = await prisma.$queryRawUnsafe<Array<{ n: bigint }>>('select count(*) as n from prisma_posts where user_id = $1', ada.id)
    expect(row).toEqual({ n: 2n })
  })

  it('commits and rolls back interactive transactions; runs a batch transaction', async () => {
    const grace = await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: 'grace@example.com', name: 'Grace' } })
      await tx.post.create({ data: { title: 'COBOL', userId: user.id } })
      return user
    })
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.post.create({ data: { title: 'rolled back', userId: grace.id } })
        expect(await tx.post.count({ where: { userId: grace.id } })).toBe(2)
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    expect(await prisma.post.count({ where: { userId: grace.id } })).toBe(1)
    const [updated, count] = await prisma.$transaction([
      prisma.user.update({ where: { id: grace.id }, data: { karma: { increment: 5 } } }),
      prisma.post.count({ where: { user: { email: 'grace@example.com' } } }),
    ])
    expect(updated.karma).toBe(5n)
    expect(count).toBe(1)
  })

  it('maps a unique violation to P2002 and the session stays usable', async () => {
    await prisma.user.create({ data: { email: 'dup@example.com' } })
    const error = await prisma.user.create({ data: { email: 'dup@example.com' } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(generated.Prisma.PrismaClientKnownRequestError)
    expect(error).toMatchObject({ code: 'P2002' })
    // Inside a transaction the whole transaction fails with P2002 and rolls back.
    const inTx = await prisma
      .$transaction(async (tx) => {
        await tx.user.create({ data: { email: 'tx-only@example.com' } })
        await tx.user.create({ data: { email: 'dup@example.com' } })
      })
      .catch((e: unknown) => e)
    expect(inTx).toMatchObject({ code: 'P2002' })
    expect(await prisma.user.findUnique({ where: { email: 'tx-only@example.com' } })).toBeNull()
  })

  it('examples/prisma: a plain Node process wired by the resolve hook runs Prisma on pgfleet; without it adapter-pg opens real pg', async () => {
    buildOnce()
    // Its own application_name: its sessions stay out of the pg_stat_activity count below.
    const childUrl = lbUrl([node], { application_name: `${app}-child` })
    const args = [resolve(root, 'examples/prisma/app.ts'), pathToFileURL(resolve(output, 'client.ts')).href, childUrl]
    const hooked = await runNode(['--import', 'tsx', '--import', './examples/prisma/register-pg-alias.mjs', ...args])
    expect(hooked.code, hooked.out).toBe(0)
    const lines = hooked.out.trim().split('\n')
    expect(lines.slice(0, 3)).toEqual([
      "adapter-pg uses pgfleet's pool: true",
      'ada@example.com: Engine, Notes',
      'dup@example.com: ',
    ])
    expect(lines).toContain('grace@example.com: COBOL')
    expect(lines.at(-1)).toBe(`pgfleet sessions: ${JSON.stringify([[node.host, 1]])}`)
    const plain = await runNode(['--import', 'tsx', ...args])
    expect(plain.code).not.toBe(0)
    expect(plain.out).toContain("adapter-pg uses pgfleet's pool: false")
  })

  it('ran every query on pgfleet sessions', async () => {
    expect(realConnect).not.toHaveBeenCalled()
    const open = pool.totalCount
    expect(open).toBeGreaterThan(0)
    expect(pool.balanced.hostConnections().get(node.host) ?? pool.balanced.hostConnections().get(`${node.host}:${node.port}`)).toBe(open)
    const [[count]] = (await adminQuery(node.host, node.port, `select count(*) from pg_stat_activity where application_name = :'app'`, {
      vars: { app },
    })) as [[string]]
    expect(Number(count)).toBe(open)
  })
})
