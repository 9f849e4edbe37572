// Compares pgfleet with pg, postgres.js and @yugabytedb/pg on one server in
// one run. Drivers alternate in rounds; medians and ratios to pgfleet are
// printed. Run through `npm run bench` (scripts/bench.sh starts and pins the
// server). Env: BENCH_HOST, BENCH_PORT, BENCH_USER, BENCH_ROUNDS, BENCH_ONLY
// (comma list of scenarios).
import pg from 'pg'
import postgres from 'postgres'
import ybpg from '@yugabytedb/pg'
import Cursor from 'pg-cursor'
import { connect } from '../dist/index.js'

const host = process.env.BENCH_HOST ?? '127.0.0.1'
const port = Number(process.env.BENCH_PORT ?? 5490)
const user = process.env.BENCH_USER ?? 'postgres'
const database = 'postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const only = process.env.BENCH_ONLY?.split(',')

const FETCH_SQL = 'select g, md5(g::text) as m from generate_series(1, 100000) g'
const STREAM_SQL = 'select g, md5(g::text) as m from generate_series(1, 1000000) g'
const BATCH = 1000

/** Each driver behind the same small interface. */
const drivers = {
  pgfleet: async () => {
    const db = await connect({ host, port, user, database, sslmode: 'disable' })
    return {
      simple: () => db.query('select 1'),
      param: (i) => db.query('select $1::int as x', [i]),
      fetch: () => db.query(FETCH_SQL),
      pipeline: (n) => Promise.all(Array.from({ length: n }, (_, i) => db.query('select $1::int as x', [i]))),
      stream: async () => {
        let n = 0
        for await (const _ of db.stream(STREAM_SQL, [], { batchSize: BATCH })) n++
        return n
      },
      close: () => db.close(),
    }
  },
  pg: () => pgLike(pg.Client),
  'yugabytedb-pg': () => pgLike(ybpg.Client),
  'postgres.js': async () => {
    const sql = postgres({ host, port, user, database, max: 1, ssl: false, onnotice: () => {} })
    await sql`select 1`
    return {
      simple: () => sql`select 1`,
      param: (i) => sql`select ${i}::int as x`,
      fetch: () => sql.unsafe(FETCH_SQL),
      pipeline: (n) => Promise.all(Array.from({ length: n }, (_, i) => sql`select ${i}::int as x`)),
      stream: async () => {
        let n = 0
        for await (const rows of sql.unsafe(STREAM_SQL).cursor(BATCH)) n += rows.length
        return n
      },
      close: () => sql.end(),
    }
  },
}

async function pgLike(Client) {
  const client = new Client({ host, port, user, database, ssl: false })
  await client.connect()
  return {
    simple: () => client.query('select 1'),
    param: (i) => client.query('select $1::int as x', [i]),
    fetch: () => client.query(FETCH_SQL),
    pipeline: (n) => Promise.all(Array.from({ length: n }, (_, i) => client.query('select $1::int as x', [i]))),
    // pg streams through pg-cursor (batches of BATCH rows).
    stream: async () => {
      const cursor = client.query(new Cursor(STREAM_SQL))
      let n = 0
      for (;;) {
        const rows = await cursor.read(BATCH)
        if (rows.length === 0) break
        n += rows.length
      }
      await cursor.close()
      return n
    },
    close: () => client.end(),
  }
}

/** Scenario → [operations per run, run(db)]; result is operations per second. */
const scenarios = {
  'select 1 (sequential)': [5000, async (db) => { for (let i = 0; i < 5000; i++) await db.simple() }],
  'select $1::int (sequential)': [5000, async (db) => { for (let i = 0; i < 5000; i++) await db.param(i) }],
  '100k-row fetch (rows/s)': [300000, async (db) => { for (let i = 0; i < 3; i++) { const r = await db.fetch(); if (r.length ?? r.rows.length) {} } }],
  '10,000 concurrent select $1::int': [10000, async (db) => { await db.pipeline(10000) }],
  'stream 1M rows, batches of 1000 (rows/s)': [1000000, async (db) => { if ((await db.stream()) !== 1000000) throw new Error('lost rows') }],
}

const selected = Object.entries(scenarios).filter(([name]) => !only || only.some((o) => name.includes(o)))
const results = {}
for (const [name, [ops, run]] of selected) {
  results[name] = {}
  const names = Object.keys(drivers)
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no driver always runs first.
    const order = names.map((_, i) => names[(i + round) % names.length])
    for (const driver of order) {
      const db = await drivers[driver]()
      await run(db) // warm-up: statement caches, JIT
      const t0 = performance.now()
      await run(db)
      const seconds = (performance.now() - t0) / 1000
      await db.close()
      ;(results[name][driver] ??= []).push(ops / seconds)
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const lines = ['| scenario | ' + Object.keys(drivers).join(' | ') + ' |', '|---|' + Object.keys(drivers).map(() => '---:|').join('')]
for (const [name, byDriver] of Object.entries(results)) {
  const base = median(byDriver.pgfleet)
  const cells = Object.keys(drivers).map((d) => {
    const m = median(byDriver[d])
    return d === 'pgfleet' ? `${Math.round(m).toLocaleString('en')}/s` : `${Math.round(m).toLocaleString('en')}/s (${(base / m).toFixed(2)}x)`
  })
  lines.push(`| ${name} | ${cells.join(' | ')} |`)
}
console.log(`\nmedian of ${rounds} rounds; (Nx) = pgfleet is N times as fast as that driver\n`)
console.log(lines.join('\n'))
