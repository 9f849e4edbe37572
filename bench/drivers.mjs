// Every driver behind one small interface, so a scenario runs the same calls
// on each: pgfleet (the built dist/), pg, postgres.js, and Bun.sql when the
// bench runs under Bun. All use the extended protocol with bound parameters
// where the scenario has any (pg with unnamed statements, as its users call it;
// postgres.js and pgfleet cache prepared statements by default).
import pg from 'pg'
import postgres from 'postgres'

/** Connection settings from the environment (scripts/bench.sh sets them). */
export const target = {
  host: process.env.BENCH_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_PORT ?? 5490),
  user: process.env.BENCH_USER ?? 'postgres',
  database: 'postgres',
}

const isBun = typeof globalThis.Bun !== 'undefined'
/**
 * The entry a user of this runtime gets from package.json's export conditions:
 * under Bun that is the Bun build (Bun.connect sockets, src/transport/bun.ts),
 * not the Node one running on Bun's node:net compatibility layer.
 */
export const pgfleetEntry = isBun ? '../dist/index.bun.js' : '../dist/index.js'
const pgfleet = await import(pgfleetEntry)

/**
 * name → { open(): Session, connectQueryClose(), pool(size) }. A Session has
 * rows(sql, n, array), simple(), param(i), pipeline(n), transaction(i), close().
 */
export const drivers = { pgfleet: pgfleetDriver(pgfleet.connect, async () => pgfleet) }

/** pgfleet from a given build (BENCH_BASELINE: another build's dist/index.js, to compare before and after in one run). */
function pgfleetDriver(connect, load) {
  return {
    async open() {
      const db = await connect({ ...target, sslmode: 'disable' })
      return {
        rows: async (sql, n, array) => (await db.query(sql, [n], array ? { rowMode: 'array' } : undefined)).rows,
        simple: () => db.query('select 1'),
        param: (i) => db.query('select $1::int as x', [i]),
        pipeline: (n) => Promise.all(Array.from({ length: n }, (_, i) => db.query('select $1::int as x', [i]))),
        transaction: (i) =>
          db.transaction(async (tx) => {
            await tx.query('select $1::int as x', [i])
            await tx.query('select $1::int as y', [i])
            await tx.query('select $1::int as z', [i])
          }),
        close: () => db.close(),
      }
    },
    async connectQueryClose() {
      const db = await connect({ ...target, sslmode: 'disable' })
      await db.query('select 1')
      await db.close()
    },
    async pool(max) {
      const { createPool } = await load()
      const pool = createPool({ ...target, sslmode: 'disable', max })
      return { param: (i) => pool.query('select $1::int as x', [i]), close: () => pool.end() }
    },
  }
}

if (process.env.BENCH_BASELINE) {
  const baseline = await import(process.env.BENCH_BASELINE)
  drivers['pgfleet (baseline)'] = pgfleetDriver(baseline.connect, async () => baseline)
}

Object.assign(drivers, {
  pg: {
    async open() {
      const client = new pg.Client({ ...target, ssl: false })
      await client.connect()
      return {
        rows: async (sql, n, array) => (await client.query(array ? { text: sql, values: [n], rowMode: 'array' } : { text: sql, values: [n] })).rows,
        simple: () => client.query('select 1'),
        param: (i) => client.query('select $1::int as x', [i]),
        pipeline: (n) => Promise.all(Array.from({ length: n }, (_, i) => client.query('select $1::int as x', [i]))),
        transaction: async (i) => {
          await client.query('begin')
          try {
            await client.query('select $1::int as x', [i])
            await client.query('select $1::int as y', [i])
            await client.query('select $1::int as z', [i])
            await client.query('commit')
          } catch (error) {
            await client.query('rollback')
            throw error
          }
        },
        close: () => client.end(),
      }
    },
    async connectQueryClose() {
      const client = new pg.Client({ ...target, ssl: false })
      await client.connect()
      await client.query('select 1')
      await client.end()
    },
    async pool(max) {
      const pool = new pg.Pool({ ...target, ssl: false, max })
      return { param: (i) => pool.query('select $1::int as x', [i]), close: () => pool.end() }
    },
  },
  'postgres.js': {
    async open() {
      const sql = postgres({ ...target, max: 1, ssl: false, onnotice: () => {} })
      await sql`select 1`
      return postgresSession(sql)
    },
    async connectQueryClose() {
      const sql = postgres({ ...target, max: 1, ssl: false, onnotice: () => {} })
      await sql`select 1`
      await sql.end()
    },
    async pool(max) {
      const sql = postgres({ ...target, max, ssl: false, onnotice: () => {} })
      return { param: (i) => sql`select ${i}::int as x`, close: () => sql.end() }
    },
  },
})

function postgresSession(sql) {
  return {
    rows: (text, n, array) => (array ? sql.unsafe(text, [n]).values() : sql.unsafe(text, [n])),
    simple: () => sql`select 1`,
    param: (i) => sql`select ${i}::int as x`,
    pipeline: (n) => Promise.all(Array.from({ length: n }, (_, i) => sql`select ${i}::int as x`)),
    transaction: (i) =>
      sql.begin(async (tx) => {
        await tx`select ${i}::int as x`
        await tx`select ${i}::int as y`
        await tx`select ${i}::int as z`
      }),
    close: () => sql.end(),
  }
}

if (isBun) {
  const { SQL } = await import('bun')
  const options = () => ({ hostname: target.host, port: target.port, username: target.user, database: target.database, tls: false })
  drivers['Bun.sql'] = {
    async open() {
      const sql = new SQL({ ...options(), max: 1 })
      await sql`select 1`
      return postgresSession(sql)
    },
    async connectQueryClose() {
      const sql = new SQL({ ...options(), max: 1 })
      await sql`select 1`
      await sql.close()
    },
    async pool(max) {
      const sql = new SQL({ ...options(), max })
      return { param: (i) => sql`select ${i}::int as x`, close: () => sql.close() }
    },
  }
}
