/**
 * ORMs on Cloudflare Workers: Kysely (PostgresDialect on pgfleet/pg), Drizzle
 * (node-postgres driver, `pg` aliased to pgfleet/pg) and Prisma Client
 * (generated for workerd, on pgfleet/prisma) each run a small CRUD +
 * transaction scenario (test/runtimes/orm-scenarios.ts) inside workerd
 * through Miniflare, against a real server, over pgfleet's cloudflare:sockets
 * transport. One workerd run, bounded at 2 minutes. Its own database, so the
 * Prisma tables do not meet orm-prisma-native.test.ts's.
 */
import { execFile, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OrmEnv, OrmOutcome } from '../runtimes/orm-scenarios.js'
import { lbUrl } from '../support/balancing.js'
import { adminQuery, harness, SUPERUSER } from '../support/harness.js'
import { generatePrismaClient, NATIVE_DDL, root } from './helpers/prisma.js'

const RUN_TIMEOUT_MS = 120_000
const node = harness().nodes[0]!
const database = `orm_workers_${process.pid}`

const tables = (orm: string) => `
  create table ${orm}_users (id serial primary key, email text not null unique, name text);
  create table ${orm}_posts (id serial primary key, user_id int not null references ${orm}_users(id), title text not null);`

beforeAll(async () => {
  // `npm test` builds first (scripts/test.sh); build here when run alone.
  if (!['pg.workerd.js', 'prisma.workerd.js'].every((e) => existsSync(`${root}/dist/${e}`))) {
    const built = spawnSync(`${root}/node_modules/.bin/tsup`, ['--silent'], { cwd: root, encoding: 'utf8', timeout: 180_000 })
    if (built.status !== 0) throw new Error(`tsup failed:\n${built.stderr}${built.stdout}`)
  }
  await generatePrismaClient('test/integration/prisma/native.prisma', 'workerd')
  // One statement per call: DROP / CREATE DATABASE cannot run inside a transaction block.
  await adminQuery(node.host, node.port, `drop database if exists ${database}`)
  await adminQuery(node.host, node.port, `create database ${database}`)
  await adminQuery(node.host, node.port, `${NATIVE_DDL}; ${tables('kysely')} ${tables('drizzle')}`, { database })
}, 120_000)

afterAll(async () => {
  await adminQuery(node.host, node.port, `drop database if exists ${database} with (force)`)
})

function runInWorkerd(env: OrmEnv): Promise<Record<string, OrmOutcome>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['test/runtimes/orm-run-workerd.mjs', '.tmp/prisma-workerd-client', JSON.stringify(env)],
      { cwd: root, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`workerd failed (${error.message}):\n${stderr}\n${stdout}`))
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, OrmOutcome>)
        } catch {
          reject(new Error(`no JSON answer from workerd:\n${stdout}\n${stderr}`))
        }
      },
    )
  })
}

describe('ORMs inside workerd through pgfleet', () => {
  it(
    'Kysely, Drizzle and Prisma each create, join, update, delete, commit and roll back',
    async () => {
      const url = lbUrl([node], { application_name: 'pgfleet-orm-workers' }, { user: SUPERUSER, database })
      const results = await runInWorkerd({ url, kysely: { users: 'kysely_users', posts: 'kysely_posts' }, drizzle: { users: 'drizzle_users', posts: 'drizzle_posts' } })
      expect(Object.keys(results)).toEqual(['kysely', 'drizzle', 'prisma'])
      for (const orm of ['kysely', 'drizzle'] as const) {
        const email = `${orm}-ada@example.com`
        expect(results[orm], results[orm]?.error).toEqual({
          ok: true,
          data: {
            ada: email,
            joined: [
              { email, title: 'Engine' },
              { email, title: 'Notes' },
            ],
            updated: { name: 'Ada L.' },
            committed: 3,
            rolledBack: 'rolled back',
            deleted: 1,
            left: ['COBOL', 'Engine'],
          },
        })
      }
      expect(results.prisma, results.prisma?.error).toEqual({
        ok: true,
        data: {
          created: { email: 'prisma-grace@example.com', visits: '1', balance: '10.5', orders: 1, createdAt: '2024-02-29T13:45:06.789Z' },
          found: { profile: { langs: ['COBOL'] }, tags: ['navy'], born: '1906-12-09T00:00:00.000Z', wakeUp: '1970-01-01T07:00:00.000Z', total: '12.5' },
          updated: { visits: '3', balance: '10' },
          committed: 2,
          rolledBack: 'rolled back',
          unique: 'P2002',
          deleted: 1,
          left: 1,
        },
      })
      // The rows are on the server, written from workerd.
      const rows = await adminQuery(node.host, node.port, `select (select count(*) from kysely_posts), (select count(*) from drizzle_posts), (select count(*) from native_orders)`, { database })
      expect(rows).toEqual([['2', '2', '1']])
    },
    RUN_TIMEOUT_MS + 10_000,
  )
})
