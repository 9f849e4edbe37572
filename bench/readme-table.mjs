// The README's performance tables, printed from a run's files so that every
// figure there is one this run measured: `node bench/readme-table.mjs
// [bench/results.json ...]` prints, per results file, a Markdown table of
// wall-clock rates, pgfleet's ratio to each peer, and the same ratio by client
// CPU time; with bench/memory.json beside them, the memory figures too.
import { existsSync, readFileSync } from 'node:fs'

const here = new URL('./', import.meta.url).pathname
const files = process.argv.slice(2)
if (files.length === 0) for (const f of ['results.json', 'results.bun.json']) if (existsSync(here + f)) files.push(here + f)

function fmt(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`
  return x.toFixed(0)
}

for (const file of files) {
  const run = JSON.parse(readFileSync(file, 'utf8'))
  const names = Object.keys(run.results[0].medians)
  const peers = names.filter((n) => n !== 'pgfleet')
  console.log(`\n${run.runtime}, ${run.date.slice(0, 16).replace('T', ' ')} UTC, median of ${run.rounds} rounds, load average ${run.load?.join(' → ') ?? '?'}\n`)
  console.log(`| scenario | ${names.join(' | ')} | ${peers.map((p) => `× ${p}`).join(' | ')} | ${peers.map((p) => `× ${p} (CPU)`).join(' | ')} |`)
  console.log(`|---|${names.map(() => '---:|').join('')}${peers.map(() => '---:|').join('')}${peers.map(() => '---:|').join('')}`)
  for (const r of run.results) {
    const wall = peers.map((p) => `${(r.medians.pgfleet / r.medians[p]).toFixed(2)}×`)
    const cpu = peers.map((p) => `${(r.cpuMedians.pgfleet / r.cpuMedians[p]).toFixed(2)}×`)
    console.log(`| ${r.name} | ${names.map((n) => fmt(r.medians[n])).join(' | ')} | ${wall.join(' | ')} | ${cpu.join(' | ')} |`)
  }
  if (run.pgbench) {
    const seq = run.results.find((r) => r.name === 'select 1 (sequential)')
    console.log(`\npgbench select 1: ${fmt(run.pgbench.simple)}/s simple, ${fmt(run.pgbench.prepared)}/s prepared` +
      (seq ? `; pgfleet's select 1 = ${(seq.medians.pgfleet / run.pgbench.simple).toFixed(2)}× pgbench simple` : ''))
  }
}

const memory = here + 'memory.json'
if (existsSync(memory)) {
  const m = JSON.parse(readFileSync(memory, 'utf8'))
  const mib = (n) => (n / 1024 / 1024).toFixed(1)
  console.log(`\nMemory, ${m.runtime}, ${m.date.slice(0, 16).replace('T', ' ')} UTC, load average ${m.load.join(' → ')}`)
  for (const [driver, s] of Object.entries(m.stream ?? {})) {
    console.log(`\n${driver} ${driver === 'pgfleet' ? 'stream()' : 'cursor'} ${s.rows.toLocaleString('en-US')} rows: RSS start ${mib(s.startRss)} MiB, peak ${mib(s.peakRss)} MiB, end ${mib(s.endRss)} MiB, ` +
      `slope ${s.rssMiBPerMillionRows.toFixed(2)} MiB per million rows, ${Math.round(s.rows / s.seconds).toLocaleString('en-US')} rows/s`)
  }
  if (m.query) {
    console.log(`\n| ${m.query.rows.toLocaleString('en-US')}-row query() | peak heap | retained heap | peak ArrayBuffer memory | collections (scavenge / mark-compact) |`)
    console.log('|---|---:|---:|---:|---:|')
    for (const [d, v] of Object.entries(m.query.medians)) {
      console.log(`| ${d} | ${mib(v.peakHeap)} MiB | ${mib(v.retainedHeap)} MiB | ${mib(v.peakBuffers)} MiB | ${v.scavenges} / ${v.markCompacts} |`)
    }
  }
}
