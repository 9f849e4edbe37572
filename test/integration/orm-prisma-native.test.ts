/**
 * pgfleet/prisma, Prisma 7's driver adapter on pgfleet's own pool, against
 * @prisma/adapter-pg on the real `pg` as the reference: one generated client
 * (test/integration/prisma/native.prisma: a column of every type Prisma
 * maps), the same scenario through each adapter (create with a relation,
 * filters, updates, aggregates, raw queries over every type, interactive
 * transactions with isolation levels, commit and rollback, batch
 * transactions, constraint and raw errors), and the two result lists compared
 * value for value. Then what only pgfleet's adapter does: balancing and TLS
 * options passed through, a pool of its own ended with Prisma.
 */
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPool } from '../../src/index.js'
import { PrismaPgfleet } from '../../src/prisma.js'
import { appName, inOrder, lbUrl } from '../support/balancing.js'
import { harness, serverConnectionCounts, setTopology } from '../support/harness.js'
import { generatePrismaClient, NATIVE_DDL, root } from './helpers/prisma.js'
import { plain, scenario, type Generated, type Row } from './helpers/prisma-scenario.js'

const cluster = harness()
const node = cluster.nodes[0]!
const app = appName('prisma-native')
const url = lbUrl([node], { application_name: app })

// Compile-time proof that the structural types are Prisma's contract.
const _contract: SqlDriverAdapterFactory = new PrismaPgfleet(url)
void _contract

let generated: Generated

async function runWith(adapter: SqlDriverAdapterFactory): Promise<[string, unknown][]> {
  const db = new generated.PrismaClient({ adapter })
  try {
    await db.$executeRawUnsafe('truncate native_orders, native_accounts restart identity')
    return (await scenario(db)).map(([label, value]) => [label, plain(value)])
  } finally {
    await db.$disconnect()
  }
}

beforeAll(async () => {
  await generatePrismaClient('test/integration/prisma/native.prisma', 'client')
  // A variable specifier: the generated client does not exist at type-check time.
  generated = (await import(/* @vite-ignore */ pathToFileURL(resolve(root, '.tmp/prisma-native-client/client.ts')).href)) as Generated
  const setup = new pg.Client({ connectionString: url })
  await setup.connect()
  await setup.query(NATIVE_DDL)
  await setup.end()
}, 90_000)

afterAll(async () => {
  const setup = new pg.Client({ connectionString: url })
  await setup.connect()
  await setup.query('drop table if exists native_orders; drop table if exists native_accounts; drop type if exists native_mood')
  await setup.end()
})

describe('pgfleet/prisma against @prisma/adapter-pg (real pg), same client and scenario', () => {
  it('gives the same results, value for value, for every step', async () => {
    const reference = new pg.Pool({ connectionString: url, max: 3 })
    let expected: [string, unknown][]
    try {
      expected = await runWith(new PrismaPg(reference))
    } finally {
      await reference.end()
    }
    const pool = createPool(url, { max: 3 })
    let actual: [string, unknown][]
    try {
      actual = await runWith(new PrismaPgfleet(pool))
      // Every query ran on pgfleet's sessions.
      expect(pool.stats().total).toBeGreaterThan(0)
    } finally {
      await pool.end()
    }
    expect(actual.map(([label]) => label)).toEqual(expected.map(([label]) => label))
    for (let i = 0; i < expected.length; i++) expect({ step: actual[i]![0], value: actual[i]![1] }).toEqual({ step: expected[i]![0], value: expected[i]![1] })
    // The scenario exercised what it claims (not two identical failures).
    const byLabel = new Map(actual)
    expect(byLabel.get('itx commit (serializable)')).toEqual([3, [{ level: 'serializable' }]])
    expect(byLabel.get('itx rollback')).toEqual(['abort with 0 orders inside', 3])
    expect((byLabel.get('unique') as { code: string }).code).toBe('P2002')
    expect((byLabel.get('foreign key') as { code: string }).code).toBe('P2003')
    expect((byLabel.get('not found') as { code: string }).code).toBe('P2025')
    expect((byLabel.get('raw error') as { code: string; message: string }).message).toContain('22012')
    expect((byLabel.get('raw types') as Row[])[0]).toMatchObject({ i8: { bigint: '9007199254740993' }, tstz: { date: '2024-02-29T08:15:06.789Z' }, by: { bytes: [1, 2, 255] }, a_i4: [1, 2, 3] })
  })
})

describe('pgfleet/prisma only', () => {
  it('passes balancing and TLS options through: three held transactions land on three nodes, all encrypted', async () => {
    await setTopology('prisma_native', cluster.defaultTopology)
    const lbApp = appName('prisma-lb')
    const pool = createPool(
      lbUrl([node], { load_balance: true, application_name: lbApp, sslmode: 'verify-full', sslrootcert: cluster.certs.ca.cert }, { topology: 'prisma_native' }),
      { max: 3 },
    )
    const db = new generated.PrismaClient({ adapter: new PrismaPgfleet(pool) })
    try {
      let arrived = 0
      let release!: () => void
      const all = new Promise<void>((r) => (release = r))
      const sessions = await Promise.all(
        [0, 1, 2].map(() =>
          db.$transaction(
            async (tx) => {
              const rows = await tx.$queryRawUnsafe<Row[]>(`select host(inet_server_addr()) as addr, (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl`)
              if (++arrived === 3) release()
              await all
              return rows[0]!
            },
            // Each start opens a TLS session (after discovery): generous on a loaded machine.
            { maxWait: 20_000, timeout: 30_000 },
          ),
        ),
      )
      expect(sessions.map((s) => s.ssl)).toEqual([true, true, true])
      expect(sessions.map((s) => s.addr).sort()).toEqual(cluster.nodes.map((n) => n.host).sort())
      expect(inOrder(pool.hostConnections(), cluster.nodes)).toEqual([1, 1, 1])
    } finally {
      await db.$disconnect()
      await pool.end()
    }
  })

  it('with a URL it opens its own pool and ends it when Prisma disconnects', async () => {
    const ownApp = appName('prisma-own')
    const db = new generated.PrismaClient({ adapter: new PrismaPgfleet(lbUrl([node], { application_name: ownApp }), { schema: 'public' }) })
    expect(await db.$queryRawUnsafe(`select current_setting('application_name') as app`)).toEqual([{ app: ownApp }])
    expect((await serverConnectionCounts([node], ownApp)).get(node.host)).toBe(1)
    await db.$disconnect()
    await expect.poll(async () => (await serverConnectionCounts([node], ownApp)).get(node.host) ?? 0).toBe(0)
  })
})
