// pgfleet against pg, postgres.js (and Bun.sql under Bun) in ONE run: every
// scenario runs each driver once per round, in a different order each round
// (bench/rounds.mjs) so no driver always goes first or follows the same one; medians and ratios are printed as a Markdown
// table and written to bench/results.json, and bench/chart.svg is drawn from
// them. Run through `npm run bench` (scripts/bench.sh starts a server and pins
// it and this process to one CPU).
//
// Env: BENCH_HOST, BENCH_PORT, BENCH_USER; BENCH_ROUNDS (5; 3 with
// BENCH_QUICK=1); BENCH_ROWS (rows per row scenario, 50000; 20000 quick);
// BENCH_ROW_REPEAT (fetches per timed row sample, ~200k rows' worth);
// BENCH_ONLY (comma list of substrings of scenario names); BENCH_DRIVERS
// (comma list); BENCH_BASELINE (another build's dist/index.js, run as
// 'pgfleet (baseline)'; a copy of the same build is an A/A check of the
// harness: every ratio should be ~1.00); BENCH_SETTLE_MS (pause before each
// timed sample, 100); BENCH_WARMUP_MS (untimed warm-up per driver for a
// round-trip scenario, 1000); BENCH_PGBENCH_SCRIPT (a pgbench script, `select 1;`,
// from scripts/bench.sh: pgbench then runs in the same rounds as the `select 1`
// scenario); BENCH_OUT (file prefix for results.json/chart.svg, default bench/;
// under Bun results.bun.json/chart.bun.svg).
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { drawChart } from './chart.mjs'
import { drivers, target } from './drivers.mjs'
import { median, roundOrder, settle } from './rounds.mjs'

// pg warns when queries are queued on one client (the pipelining scenario does it on purpose).
process.noDeprecation = true
const quick = process.env.BENCH_QUICK === '1'
if (quick) process.env.BENCH_ROWS ??= '20000'
const { scenarios, ensureRowTable } = await import('./scenarios.mjs')
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 5))
const only = process.env.BENCH_ONLY?.split(',')
const names = process.env.BENCH_DRIVERS?.split(',') ?? Object.keys(drivers)
const out = process.env.BENCH_OUT ?? new URL('./', import.meta.url).pathname
const runtime = typeof globalThis.Bun !== 'undefined' ? `Bun ${Bun.version}` : `Node ${process.versions.node}`

const selected = scenarios.filter((s) => !only || only.some((o) => s.name.includes(o)))
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 1000)

/** One open session per driver for the scenarios that run on a session. */
const sessions = {}
for (const name of names) sessions[name] = await drivers[name].open()
await ensureRowTable()

/** The scenario once, untimed and with no pause (the warm-up); the pool scenario on a pool of its own. */
async function untimed(scenario, name) {
  if (scenario.own === 'connect') return scenario.run(drivers[name])
  if (scenario.own !== 'pool') return scenario.run(sessions[name])
  const pool = await drivers[name].pool(10)
  try {
    await scenario.run(pool)
  } finally {
    await pool.close()
  }
}

async function timed(scenario, name) {
  const driver = drivers[name]
  let subject = sessions[name]
  if (scenario.own === 'connect') subject = driver
  else if (scenario.own === 'pool') subject = await driver.pool(10)
  try {
    if (scenario.own === 'pool') await scenario.run(subject) // open the pool's connections
    await settle()
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await scenario.run(subject)
    const wall = (performance.now() - t0) / 1000
    const cpu = process.cpuUsage(c0)
    return [scenario.ops / wall, scenario.ops / ((cpu.user + cpu.system) / 1e6)]
  } finally {
    if (scenario.own === 'pool') await subject.close()
  }
}

/**
 * pgbench (libpq, C) as the floor for `select 1`: run in the same rounds as the
 * drivers, so load on the machine moves it as it moves them. Returns tps
 * without the connection time; the process inherits this one's CPU pinning.
 */
const pgbenchScript = process.env.BENCH_PGBENCH_SCRIPT
const pgbenchSamples = { simple: [], prepared: [] }
async function pgbenchRound(transactions) {
  for (const mode of ['simple', 'prepared']) {
    await settle() // as before every driver's sample: the last driver's collector work stays out of it
    try {
      const out = execFileSync('pgbench', ['-h', target.host, '-p', String(target.port), '-U', target.user, '-n', '-c', '1',
        '-t', String(transactions), '-M', mode, '-f', pgbenchScript, target.database], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      pgbenchSamples[mode].push(Number(/tps = ([0-9.]+)/.exec(out)[1]))
    } catch (error) {
      // The floor is context, not a result: a failing pgbench is reported and the run goes on.
      process.stderr.write(`pgbench ${mode} failed, no floor this round: ${error.stderr || error.message}\n`)
    }
  }
}

const results = []
const started = performance.now()
// Other work on the machine moves wall-clock rates: the 1-minute load average at start and end goes with every figure.
const loadAtStart = loadavg()[0]
// Row cells share pgfleet's row code (and the peers' theirs): its first pass
// over the column types optimises, deoptimises and reoptimises it, which cost
// 20-30% of the cells timed first (all object cells ran before all array
// cells, so objects read ~1.3x slower than arrays, and arrays first flipped
// it: /tmp/strobj, 2026-12-08). One untimed pass over every row cell for every
// driver before any row cell is timed.
for (const scenario of selected.filter((s) => s.group === 'rows')) for (const name of names) await untimed(scenario, name)
for (const scenario of selected) {
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  const cpuSamples = Object.fromEntries(names.map((n) => [n, []]))
  // Warm-up, untimed: JIT and statement caches. A round-trip scenario runs
  // for BENCH_WARMUP_MS per driver: after one 2,000-query run Bun's JIT was
  // still at work (pgfleet's select 1 climbed ~30% over its first ~12k
  // queries, pg's less), so the first rounds timed the compiler. A row
  // sample (~200k rows) is warm after one run.
  for (const name of names) {
    const until = performance.now() + (scenario.group === 'rows' ? 0 : warmupMs)
    do await untimed(scenario, name)
    while (performance.now() < until)
  }
  for (let round = 0; round < rounds; round++) {
    for (const name of roundOrder(names, round)) {
      const [rate, cpuRate] = await timed(scenario, name)
      samples[name].push(rate)
      cpuSamples[name].push(cpuRate)
    }
    if (pgbenchScript && scenario.name === 'select 1 (sequential)') await pgbenchRound(scenario.ops)
  }
  const medians = Object.fromEntries(names.map((n) => [n, median(samples[n])]))
  const cpuMedians = Object.fromEntries(names.map((n) => [n, median(cpuSamples[n])]))
  results.push({ name: scenario.name, group: scenario.group, unit: scenario.unit, medians, cpuMedians, samples, cpuSamples })
  process.stderr.write(`${scenario.name}: ${names.map((n) => `${n} ${fmt(medians[n])}`).join(', ')}\n`)
}
for (const name of names) await sessions[name].close()

function fmt(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`
  return x.toFixed(0)
}

const peers = names.filter((n) => n !== 'pgfleet')
const pgbench = pgbenchSamples.simple.length && pgbenchSamples.prepared.length
  ? { simple: median(pgbenchSamples.simple), prepared: median(pgbenchSamples.prepared) }
  : undefined
const lines = [
  `| scenario | unit | ${names.join(' | ')} | ${peers.map((p) => `× ${p}`).join(' | ')} |`,
  `|---|---|${names.map(() => '---:|').join('')}${peers.map(() => '---:|').join('')}`,
]
for (const r of results) {
  const base = r.medians.pgfleet
  const ratios = peers.map((p) => `${(base / r.medians[p]).toFixed(2)}×`)
  lines.push(`| ${r.name} | ${r.unit} | ${names.map((n) => fmt(r.medians[n])).join(' | ')} | ${ratios.join(' | ')} |`)
}
// The same runs per second of the client's own CPU time: what the driver costs,
// with server time and other processes on the machine left out.
const cpuLines = [lines[0], lines[1]]
for (const r of results) {
  const base = r.cpuMedians.pgfleet
  const ratios = peers.map((p) => `${(base / r.cpuMedians[p]).toFixed(2)}×`)
  cpuLines.push(`| ${r.name} | ${r.unit.replace('/s', ' per CPU-s')} | ${names.map((n) => fmt(r.cpuMedians[n])).join(' | ')} | ${ratios.join(' | ')} |`)
}
const load = [loadAtStart, loadavg()[0]].map((l) => l.toFixed(1))
const header = `${runtime}, median of ${rounds} rounds (drivers alternating), ${((performance.now() - started) / 1000).toFixed(0)} s, load average ${load[0]} → ${load[1]}; × peer = pgfleet's rate / the peer's`
console.log(`\n${header}\n\nWall clock:\n\n${lines.join('\n')}\n\nClient CPU time (same runs):\n\n${cpuLines.join('\n')}`)
if (pgbench) {
  const seq = results.find((r) => r.name === 'select 1 (sequential)')
  console.log(`\npgbench select 1: ${fmt(pgbench.simple)}/s simple, ${fmt(pgbench.prepared)}/s prepared (medians, same rounds)` +
    (seq ? `; pgfleet select 1 = ${(seq.medians.pgfleet / pgbench.simple).toFixed(2)}× pgbench simple` : ''))
}
// Under Bun the files get a .bun suffix, so one Node run and one Bun run sit side by side.
const suffix = typeof globalThis.Bun !== 'undefined' ? '.bun' : ''
writeFileSync(`${out}results${suffix}.json`, JSON.stringify({ runtime, rounds, date: new Date().toISOString(), load, pgbench, results }, null, 2) + '\n')
writeFileSync(`${out}chart${suffix}.svg`, drawChart(results, names, `pgfleet vs peers — ${runtime}, pinned, median of ${rounds}, load ${load[0]}–${load[1]} (× = pgfleet's rate / peer's)`))
