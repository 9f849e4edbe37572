// What query events cost (src/observe): the same queries through
//   base        a build without the event hooks (BENCH_BASE=<its dist/index.js>),
//   base again  a second session of that build: the noise floor (an A/A pair),
//   off         this build, no subscriber (the default: must stay within 2% of base),
//   observe     this build with one observe() subscriber that does nothing,
//   channel     this build with a diagnostics_channel subscriber on pgfleet:query:end,
//   otel        this build traced by pgfleet/otel into the OTel SDK (in-memory exporter).
// Each variant keeps one session open; rounds of BATCH queries run variant
// after variant (order shuffled per round), and each round gives every
// variant's ratio to base from CPU time of this process (process.cpuUsage)
// measured back to back, so slow drifts of a shared machine cancel out. The
// median ratio over the rounds is printed with its interquartile range.
// Run through scripts/bench-observe.sh (throwaway server, pinned like npm run bench).
// Env: BENCH_HOST, BENCH_PORT, BENCH_USER, BENCH_ROUNDS, BENCH_BASE, BENCH_DIST, BENCH_VARIANTS.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
// BENCH_DIST: where this build is (default ../dist; the script passes a copy).
const dist = process.env.BENCH_DIST ?? new URL('../dist', import.meta.url).pathname
const current = await import(`${dist}/index.js`)
const { instrument } = await import(`${dist}/otel.js`)

const host = process.env.BENCH_HOST ?? '127.0.0.1'
const port = Number(process.env.BENCH_PORT ?? 5490)
const user = process.env.BENCH_USER ?? 'postgres'
const rounds = Number(process.env.BENCH_ROUNDS ?? 60)
const BATCH = 1000
const base = process.env.BENCH_BASE ? await import(process.env.BENCH_BASE) : undefined
const options = { host, port, user, database: 'postgres', sslmode: 'disable' }

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const tracer = provider.getTracer('bench')
const noop = () => {}

/** Variant → [module, switch on (returns a handle), switch off]. */
const all = {
  ...(base ? { base: [base, noop, noop], 'base again': [base, noop, noop] } : {}),
  off: [current, noop, noop],
  observe: [current, () => current.observe(noop), (off) => off()],
  channel: [current, () => subscribe('pgfleet:query:end', noop), () => unsubscribe('pgfleet:query:end', noop)],
  otel: [current, () => instrument(tracer, { connect: false, acquire: false }), (stop) => (stop(), exporter.reset())],
}
const picked = process.env.BENCH_VARIANTS?.split(',')
const names = Object.keys(all).filter((n) => !picked || picked.includes(n) || n === 'base')
const reference = names.includes('base') ? 'base' : 'off'

const scenarios = {
  'select $1::int (sequential)': async (db) => { for (let i = 0; i < BATCH; i++) await db.query('select $1::int as x', [i]) },
  'select 1 (sequential, simple protocol)': async (db) => { for (let i = 0; i < BATCH; i++) await db.query('select 1') },
  [`${BATCH} concurrent select $1::int (pipelined)`]: async (db) => { await Promise.all(Array.from({ length: BATCH }, (_, i) => db.query('select $1::int as x', [i]))) },
}

const shuffled = (xs) => xs.map((x) => [Math.random(), x]).sort((a, b) => a[0] - b[0]).map(([, x]) => x)
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]
const pct = (r) => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`

const sessions = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await all[n][0].connect(options)])))
console.log(`\nclient CPU per query (µs, median over ${rounds} rounds of ${BATCH}) and the median per-round ratio to ${reference} [interquartile range]\n`)
console.log(`| scenario | ${names.join(' | ')} |\n|---|${names.map(() => '---:|').join('')}`)
for (const [scenario, run] of Object.entries(scenarios)) {
  for (const n of names) await run(sessions[n]) // warm-up: statement caches, JIT
  const cpu = Object.fromEntries(names.map((n) => [n, []]))
  for (let round = 0; round < rounds; round++) {
    for (const n of shuffled(names)) {
      const [, on, off] = all[n]
      const handle = on()
      const before = process.cpuUsage()
      await run(sessions[n])
      const used = process.cpuUsage(before)
      off(handle)
      cpu[n].push((used.user + used.system) / BATCH)
    }
  }
  const cells = names.map((n) => {
    const perQuery = quantile(cpu[n], 0.5).toFixed(2)
    if (n === reference) return perQuery
    const ratios = cpu[n].map((c, i) => c / cpu[reference][i])
    return `${perQuery} (${pct(quantile(ratios, 0.5))} [${pct(quantile(ratios, 0.25))}, ${pct(quantile(ratios, 0.75))}])`
  })
  console.log(`| ${scenario} | ${cells.join(' | ')} |`)
}
await Promise.all(Object.values(sessions).map((db) => db.close()))
await provider.shutdown()
