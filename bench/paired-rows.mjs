// Paired row-cell comparison: for each selected row scenario (bench/scenarios.mjs),
// pgfleet and its peers (and optionally a baseline pgfleet build) each take one
// timed sample per round, in bench/rounds.mjs's order (rotated, every other
// round reversed), with its pause before every sample so one driver's garbage
// is collected outside the next one's sample. Per round the ratio pgfleet /
// peer is taken from that round's pair of samples; the median of those ratios
// is printed per cell (with the quartiles), so a drift of the machine's load
// moves both sides of a pair alike. For cells where bench/run.mjs's 3-5
// medians move ±15%.
//
// Usage (server and client pinned to CPU 0, as scripts/bench.sh does):
//   BENCH_PORT=5512 PAIRED_ONLY='^rows (numeric|jsonb)' PAIRED_ROUNDS=15 \
//     taskset -c 0 node_modules/.bin/bun bench/paired-rows.mjs
// Env: PAIRED_ONLY (regex on scenario names, default all row cells),
// PAIRED_ROUNDS (15), BENCH_DRIVERS (default pgfleet, postgres.js and, under
// Bun, Bun.sql), BENCH_BASELINE (another build's entry, as 'pgfleet (baseline)'),
// BENCH_SETTLE_MS (100), BENCH_ROWS / BENCH_ROW_REPEAT as in run.mjs;
// PAIRED_JSON (a file for every sample, in round order);
// each cell's ratios are printed by wall clock and by the client's CPU time.
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { median, roundOrder, settle, settleMs } from './rounds.mjs'

const isBun = typeof globalThis.Bun !== 'undefined'
process.env.BENCH_DRIVERS ??= ['pgfleet', ...(process.env.BENCH_BASELINE ? ['pgfleet (baseline)'] : []), 'postgres.js', ...(isBun ? ['Bun.sql'] : [])].join(',')
const { drivers } = await import('./drivers.mjs')
const { scenarios, ensureRowTable } = await import('./scenarios.mjs')

const names = process.env.BENCH_DRIVERS.split(',')
const only = new RegExp(process.env.PAIRED_ONLY ?? '^rows ')
const rounds = Number(process.env.PAIRED_ROUNDS ?? 15)
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b)
  const i = (s.length - 1) * q
  const lo = Math.floor(i)
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo)
}
const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`)

await ensureRowTable()

const sessions = {}
for (const name of names) sessions[name] = await drivers[name].open()
const selected = scenarios.filter((s) => s.group === 'rows' && only.test(s.name))
const peers = names.filter((n) => n !== 'pgfleet')
const load0 = loadavg()[0]
const started = performance.now()
const head = [
  `| cell | ${names.join(' | ')} | ${peers.map((p) => `× ${p} (q1–q3)`).join(' | ')} |`,
  `|---|${names.map(() => '---:|').join('')}${peers.map(() => '---:|').join('')}`,
]
const lines = { wall: [...head], cpu: [...head] }
const raw = []
for (const scenario of selected) {
  for (const name of names) await scenario.run(sessions[name]) // warm-up
  const rates = { wall: Object.fromEntries(names.map((n) => [n, []])), cpu: Object.fromEntries(names.map((n) => [n, []])) }
  for (let round = 0; round < rounds; round++) {
    for (const name of roundOrder(names, round)) {
      await settle()
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      await scenario.run(sessions[name])
      const wall = (performance.now() - t0) / 1000
      const c = process.cpuUsage(c0)
      rates.wall[name].push(scenario.ops / wall)
      rates.cpu[name].push(scenario.ops / ((c.user + c.system) / 1e6))
    }
  }
  raw.push({ name: scenario.name, rates })
  for (const clock of ['wall', 'cpu']) {
    const r = rates[clock]
    const cells = peers.map((p) => {
      const rs = r.pgfleet.map((x, i) => x / r[p][i])
      return `${median(rs).toFixed(2)}× (${quantile(rs, 0.25).toFixed(2)}–${quantile(rs, 0.75).toFixed(2)})`
    })
    const line = `| ${scenario.name} | ${names.map((n) => fmt(median(r[n]))).join(' | ')} | ${cells.join(' | ')} |`
    lines[clock].push(line)
    if (clock === 'wall') process.stderr.write(line + '\n')
  }
}
for (const name of names) await sessions[name].close()
if (process.env.PAIRED_JSON) writeFileSync(process.env.PAIRED_JSON, JSON.stringify(raw))
const runtime = isBun ? `Bun ${Bun.version}` : `Node ${process.versions.node}`
console.log(`\n${runtime}, ${rounds} paired rounds, settle ${settleMs} ms, ${((performance.now() - started) / 1000).toFixed(0)} s, ` +
  `load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}; medians of per-round ratios pgfleet / peer\n\n` +
  `Wall clock:\n\n${lines.wall.join('\n')}\n\nClient CPU time (same samples):\n\n${lines.cpu.join('\n')}`)
process.exit(0)
