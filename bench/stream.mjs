// Stream 10 million rows through pgfleet's client.stream() and report rows/s
// and peak RSS. Runs on its own against the built package (npx tsup first):
//
//   PGFLEET_BENCH_HOST=127.0.0.1 PGFLEET_BENCH_PORT=5433 node bench/stream.mjs
//
// Env: PGFLEET_BENCH_HOST (127.0.0.1), PGFLEET_BENCH_PORT (5433, BENCH_PORT
// also accepted), PGFLEET_BENCH_USER (postgres), PGFLEET_BENCH_ROWS (10000000).
import { connect } from '../dist/index.js'

const host = process.env.PGFLEET_BENCH_HOST ?? '127.0.0.1'
const port = Number(process.env.PGFLEET_BENCH_PORT ?? process.env.BENCH_PORT ?? 5433)
const user = process.env.PGFLEET_BENCH_USER ?? 'postgres'
const total = Number(process.env.PGFLEET_BENCH_ROWS ?? 10_000_000)

const db = await connect({ host, port, user, database: 'postgres', sslmode: 'disable' })
let peakRss = process.memoryUsage().rss
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 50)

const started = performance.now()
let rows = 0
let sum = 0
for await (const row of db.stream('select x, x::text as label from generate_series(1, $1::int) x', [total], { batchSize: 2000 })) {
  rows++
  sum += row.x
}
const seconds = (performance.now() - started) / 1000
clearInterval(sampler)
peakRss = Math.max(peakRss, process.memoryUsage().rss)
await db.close()

if (rows !== total || sum !== (total * (total + 1)) / 2) {
  console.error(`wrong result: ${rows} rows, sum ${sum}`)
  process.exit(1)
}
const mib = (n) => (n / 1024 / 1024).toFixed(1)
console.log(`pgfleet stream: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s, peak RSS ${mib(peakRss)} MiB`)
