// A paired A/B of two pgfleet builds (or transports) on one round-trip scenario:
// A and B alternate in many short rounds (the order flipping every round), and
// the median of the per-round ratios B/A is printed with the medians of each,
// so a drift of the machine's load moves both sides of a pair alike. For
// effects of ~1% that bench/run.mjs's 2,000-query samples cannot show.
//
// Usage (server and client pinned to CPU 0, as scripts/bench.sh does):
//   AB_A=/tmp/base/dist/index.bun.js AB_B=dist/index.bun.js AB_PORT=5503 \
//     taskset -c 0 node_modules/.bin/bun bench/ab.mjs
// Env: AB_A, AB_B (a dist entry each; default: under Bun the Bun entry as A and
// the Node entry (node:net on Bun's compat layer) as B, under Node both
// dist/index.js); AB_SCENARIO select1 (default), param, cqc
// (connect + select 1 + close) or text (20,000 rows of a 32-byte text column
// from a temporary table each side creates, ab_text); AB_ROUNDS (20); AB_SECONDS per side per round
// (1); BENCH_SETTLE_MS (pause before each side's sample, 100); AB_HOST, AB_PORT (5490), AB_USER.
import { resolve } from 'node:path'
import { median, settle } from './rounds.mjs'

const isBun = typeof globalThis.Bun !== 'undefined'
const here = new URL('../', import.meta.url).pathname
const entry = (path, fallback) => (path ? resolve(path) : here + fallback)
const sides = {
  A: entry(process.env.AB_A, isBun ? 'dist/index.bun.js' : 'dist/index.js'),
  B: entry(process.env.AB_B, 'dist/index.js'),
}
const target = { host: process.env.AB_HOST ?? '127.0.0.1', port: Number(process.env.AB_PORT ?? 5490), user: process.env.AB_USER ?? 'postgres', database: 'postgres', sslmode: 'disable' }
const scenario = process.env.AB_SCENARIO ?? 'select1'
const rounds = Number(process.env.AB_ROUNDS ?? 20)
const seconds = Number(process.env.AB_SECONDS ?? 1)

/** A side: run(deadline) → operations done. */
async function open(path) {
  const { connect } = await import(path)
  if (scenario === 'cqc') {
    return async (deadline) => {
      let n = 0
      while (performance.now() < deadline) {
        const db = await connect(target)
        await db.query('select 1')
        await db.close()
        n++
      }
      return n
    }
  }
  const db = await connect(target)
  if (scenario === 'text') {
    await db.query('create temporary table ab_text as select md5(g::text) as v from generate_series(1, 20000) g')
    return async (deadline) => {
      let n = 0
      while (performance.now() < deadline) n += (await db.query('select v from ab_text', [])).rows.length
      return n
    }
  }
  const once = scenario === 'param' ? (i) => db.query('select $1::int as x', [i]) : () => db.query('select 1')
  return async (deadline) => {
    let n = 0
    while (performance.now() < deadline) for (let i = 0; i < 100; i++, n++) await once(i)
    return n
  }
}

const run = { A: await open(sides.A), B: await open(sides.B) }
for (const side of ['A', 'B']) await run[side](performance.now() + 1000) // warm-up
const rate = { A: [], B: [] }
const cpu = { A: [], B: [] }
const ratios = []
for (let r = 0; r < rounds; r++) {
  for (const side of r % 2 ? ['B', 'A'] : ['A', 'B']) {
    await settle() // the other side's garbage stays out of this sample (bench/rounds.mjs)
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const n = await run[side](t0 + seconds * 1000)
    const c = process.cpuUsage(c0)
    rate[side].push(n / ((performance.now() - t0) / 1000))
    cpu[side].push((c.user + c.system) / n)
  }
  ratios.push(rate.B[r] / rate.A[r])
}
const cpuRatios = cpu.A.map((a, i) => a / cpu.B[i])
const wins = ratios.filter((x) => x > 1).length
console.log(`${isBun ? `Bun ${Bun.version}` : `Node ${process.versions.node}`}, ${scenario}, ${rounds} rounds of ${seconds} s per side`)
for (const side of ['A', 'B']) console.log(`${side} ${sides[side]}: ${Math.round(median(rate[side]))}/s, ${median(cpu[side]).toFixed(2)} µs client CPU per operation`)
console.log(`B/A: median of paired ratios ${median(ratios).toFixed(3)} (B faster in ${wins}/${rounds} rounds); by CPU ${median(cpuRatios).toFixed(3)}`)
process.exit(0)
