// Memory, measured (run from `npm run bench`; not a timed test):
//
// 1. stream(): 10M rows through pgfleet's client.stream() (and, for
//    reference, postgres.js's cursor(2000)), RSS sampled over time. Prints start/peak/end RSS and the slope of RSS against rows read
//    (a least-squares line over the samples after the first 10% of rows, so
//    the JIT and the first buffers are not counted as growth): flat means the
//    memory does not grow with the result.
// 2. query(): the peak heap of one 100k-row query() per driver (pgfleet, pg,
//    postgres.js), each driver in its own child process (node --expose-gc) so
//    the heaps do not mix, runs alternating, medians printed. Sampled once per
//    event-loop turn (a setImmediate loop, i.e. after every batch of socket
//    reads): heapUsed and arrayBuffers (Buffer/Uint8Array memory lives outside
//    the JS heap; a driver keeping frame buffers alive shows there), both above
//    the level after a full GC before the query; "retained" is what is still
//    live after a full GC with the result held.
//
// Env: BENCH_HOST/BENCH_PORT/BENCH_USER (as bench/run.mjs); MEMORY_STREAM_ROWS
// (10,000,000), MEMORY_QUERY_ROWS (100,000), MEMORY_ROUNDS (3), MEMORY_ONLY
// ('stream' or 'query'). Writes bench/memory.json (BENCH_OUT prefix).
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { median } from './rounds.mjs'

const MiB = 1024 * 1024
const mib = (n) => (n / MiB).toFixed(1)
const here = fileURLToPath(import.meta.url)
const child = process.argv[2]

/** The query every driver runs: 100k rows of int4, text (32 chars) and timestamptz. */
const QUERY_SQL =
  "select g::int4 as id, md5(g::text) as name, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' as at " +
  'from generate_series(1, $1::int) g'

async function target() {
  const { target } = await import('./drivers.mjs')
  return target
}

/** Stream MEMORY_STREAM_ROWS rows through one driver (pgfleet's stream(), or postgres.js's cursor as the reference), RSS sampled every 100 ms. */
async function streamChild(driver) {
  const total = Number(process.env.MEMORY_STREAM_ROWS ?? 10_000_000)
  const t = await target()
  const sql = 'select x, x::text as label from generate_series(1, $1::int) x'
  let batches, close
  if (driver === 'pgfleet') {
    const { connect } = await import('../dist/index.js')
    const db = await connect({ ...t, sslmode: 'disable' })
    batches = async function* () {
      for await (const row of db.stream(sql, [total], { batchSize: 2000 })) yield [row]
    }
    close = () => db.close()
  } else if (driver === 'postgres.js') {
    const postgres = (await import('postgres')).default
    const db = postgres({ ...t, max: 1, ssl: false, onnotice: () => {} })
    batches = () => db.unsafe(sql, [total]).cursor(2000)
    close = () => db.end()
  } else throw new Error(`unknown driver ${driver}`)
  globalThis.gc?.()
  const samples = []
  let rows = 0
  const sample = () => samples.push({ t: performance.now(), rows, rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed })
  sample()
  const timer = setInterval(sample, 100)
  const started = performance.now()
  let sum = 0
  for await (const batch of batches()) {
    for (const row of batch) {
      rows++
      sum += row.x
    }
  }
  const seconds = (performance.now() - started) / 1000
  clearInterval(timer)
  sample()
  await close()
  if (rows !== total || sum !== (total * (total + 1)) / 2) throw new Error(`${driver}: wrong result: ${rows} rows, sum ${sum}`)
  process.stdout.write(JSON.stringify({ rows, seconds, samples }))
}

/** One driver, one 100k-row query, peak heap sampled each event-loop turn. */
async function queryChild(driver) {
  const n = Number(process.env.MEMORY_QUERY_ROWS ?? 100_000)
  const t = await target()
  let run, close
  if (driver === 'pgfleet') {
    const { connect } = await import('../dist/index.js')
    const db = await connect({ ...t, sslmode: 'disable' })
    run = async () => (await db.query(QUERY_SQL, [n])).rows
    close = () => db.close()
  } else if (driver === 'pg') {
    const pg = (await import('pg')).default
    const client = new pg.Client({ ...t, ssl: false })
    await client.connect()
    run = async () => (await client.query(QUERY_SQL, [n])).rows
    close = () => client.end()
  } else if (driver === 'postgres.js') {
    const postgres = (await import('postgres')).default
    const sql = postgres({ ...t, max: 1, ssl: false, onnotice: () => {} })
    run = () => sql.unsafe(QUERY_SQL, [n])
    close = () => sql.end()
  } else throw new Error(`unknown driver ${driver}`)
  // Warm up with the same query: connection, statement cache, JIT of the row path.
  // (In a function of its own: a stale register of this async frame would keep the last result alive.)
  await warmUp(run)
  const gc = globalThis.gc
  gc(); gc()
  const base = process.memoryUsage()
  let peakHeap = base.heapUsed
  let peakBuffers = base.arrayBuffers
  let done = false
  const tick = () => {
    const m = process.memoryUsage()
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed
    if (m.arrayBuffers > peakBuffers) peakBuffers = m.arrayBuffers
    if (!done) setImmediate(tick)
  }
  // Garbage made along the way shows as collections: count them (kind 1 = scavenge, 2/4 = mark-compact).
  const gcs = { minor: 0, major: 0 }
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) e.detail?.kind === 1 ? gcs.minor++ : gcs.major++
  })
  observer.observe({ entryTypes: ['gc'] })
  setImmediate(tick)
  // The child runs with --trace-gc: the heap's size right before each collection (its true peaks) is read from those lines between the marks.
  process.stdout.write('\nMEMORY-START\n')
  const t0 = performance.now()
  // Held on the global object: a local would be dead to V8 after its last read, and collected.
  globalThis.heldResult = await run()
  const ms = performance.now() - t0
  done = true
  tick()
  process.stdout.write('\nMEMORY-END\n')
  await new Promise((resolve) => setTimeout(resolve, 10)) // let the observer see the last entries
  observer.disconnect()
  const got = globalThis.heldResult.length
  if (got !== n) throw new Error(`${driver}: expected ${n} rows, got ${got}`)
  gc(); gc()
  const held = process.memoryUsage()
  if (process.env.MEMORY_DEBUG) console.error(driver, base.heapUsed, held.heapUsed)
  const out = {
    driver,
    ms,
    baseHeap: base.heapUsed,
    peakHeap: peakHeap - base.heapUsed,
    peakBuffers: peakBuffers - base.arrayBuffers,
    retainedHeap: held.heapUsed - base.heapUsed,
    retainedBuffers: held.arrayBuffers - base.arrayBuffers,
    scavenges: gcs.minor,
    markCompacts: gcs.major,
  }
  globalThis.heldResult = undefined
  await close()
  process.stdout.write(`\nMEMORY-RESULT ${JSON.stringify(out)}\n`)
}

async function warmUp(run) {
  for (let i = 0; i < 3; i++) await run()
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    const flags = args[0] === 'query' ? ['--expose-gc', '--trace-gc'] : ['--expose-gc']
    const p = spawn(process.execPath, [...flags, here, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env })
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    p.on('error', reject)
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`memory bench child ${args.join(' ')} exited with ${code}`))
      if (args[0] !== 'query') return resolve(JSON.parse(out))
      resolve(withGcPeaks(out))
    })
  })
}

/**
 * A query child's result with its peak heap raised to the largest heap size
 * V8 reported right before a collection during the query (--trace-gc lines
 * such as `Scavenge 35.6 (53.0) -> 28.9 (56.8) MB`; V8's MB is MiB): the
 * per-turn samples miss the moment just before a scavenge.
 */
function withGcPeaks(out) {
  const result = JSON.parse(out.match(/^MEMORY-RESULT (.*)$/m)[1])
  const during = out.slice(out.indexOf('MEMORY-START'), out.indexOf('MEMORY-END'))
  for (const m of during.matchAll(/: (?:Scavenge|Mark-Compact|Mark-Sweep|Minor Mark-Sweep)\S* ([\d.]+) \(/g)) {
    result.peakHeap = Math.max(result.peakHeap, Number(m[1]) * MiB - result.baseHeap)
  }
  return result
}

/** Least-squares slope of y against x. */
function slope(points) {
  const n = points.length
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0)
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}


async function main() {
  const only = process.env.MEMORY_ONLY
  const load = [loadavg()[0]]
  const report = { date: new Date().toISOString(), runtime: `Node ${process.versions.node}` }
  const lines = []
  if (only !== 'query') {
    report.stream = {}
    for (const driver of ['pgfleet', 'postgres.js']) {
      const { rows, seconds, samples } = await runChild(['stream', driver])
      const start = samples[0].rss
      const peak = Math.max(...samples.map((s) => s.rss))
      const end = samples[samples.length - 1].rss
      const steady = samples.filter((s) => s.rows >= rows / 10)
      // MiB of RSS per million rows, over the steady part.
      const perMillion = slope(steady.map((s) => ({ x: s.rows / 1e6, y: s.rss / MiB })))
      const heapPeak = Math.max(...samples.map((s) => s.heap))
      // RSS when each tenth of the rows had been read (the first sample at or past it).
      const tenths = Array.from({ length: 10 }, (_, i) => samples.find((s) => s.rows >= ((i + 1) * rows) / 10) ?? samples[samples.length - 1])
      report.stream[driver] = {
        rows, seconds, startRss: start, peakRss: peak, endRss: end, rssMiBPerMillionRows: perMillion, peakHeap: heapPeak,
        series: samples.map((s) => [s.rows, s.rss, s.heap]),
      }
      const how = driver === 'pgfleet' ? 'stream()' : 'cursor(2000), for reference'
      lines.push(
        `${driver} ${how}: ${rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s (${Math.round(rows / seconds).toLocaleString('en-US')} rows/s); ` +
          `RSS start ${mib(start)} MiB, peak ${mib(peak)} MiB, end ${mib(end)} MiB; slope ${perMillion.toFixed(2)} MiB per million rows ` +
          `(${steady.length} samples after the first 10%); peak heap ${mib(heapPeak)} MiB`,
        `  RSS (MiB) after each tenth of the rows: ${tenths.map((s) => mib(s.rss)).join(', ')}`,
      )
    }
  }
  if (only !== 'stream') {
    const drivers = ['pgfleet', 'pg', 'postgres.js']
    const rounds = Number(process.env.MEMORY_ROUNDS ?? 3)
    const runs = Object.fromEntries(drivers.map((d) => [d, []]))
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < drivers.length; i++) {
        const d = drivers[(i + round) % drivers.length]
        runs[d].push(await runChild(['query', d]))
      }
    }
    const n = Number(process.env.MEMORY_QUERY_ROWS ?? 100_000)
    const keys = ['peakHeap', 'peakBuffers', 'retainedHeap', 'retainedBuffers', 'scavenges', 'markCompacts', 'ms']
    report.query = { rows: n, rounds, medians: {}, runs }
    lines.push(
      '',
      `query() of ${n.toLocaleString('en-US')} rows (int4, text, timestamptz), one child process per run, median of ${rounds}, MiB above the level after a full GC before the query:`,
      '',
      '| driver | peak heap | peak ArrayBuffer memory | retained heap (result held, after GC) | retained ArrayBuffer memory | scavenges / mark-compacts | query ms |',
      '|---|---:|---:|---:|---:|---:|---:|',
    )
    for (const d of drivers) {
      const m = Object.fromEntries(keys.map((k) => [k, median(runs[d].map((r) => r[k]))]))
      report.query.medians[d] = m
      lines.push(`| ${d} | ${mib(m.peakHeap)} | ${mib(m.peakBuffers)} | ${mib(m.retainedHeap)} | ${mib(m.retainedBuffers)} | ${m.scavenges} / ${m.markCompacts} | ${m.ms.toFixed(0)} |`)
    }
    const p = report.query.medians
    lines.push('', `pgfleet's peak heap = ${(p.pgfleet.peakHeap / p['postgres.js'].peakHeap).toFixed(2)}× postgres.js's, ${(p.pgfleet.peakHeap / p.pg.peakHeap).toFixed(2)}× pg's`)
  }
  load.push(loadavg()[0])
  report.load = load.map((l) => l.toFixed(1))
  console.log(`\nMemory (${report.runtime}, load average ${report.load[0]} → ${report.load[1]}):\n\n${lines.join('\n')}`)
  const out = process.env.BENCH_OUT ?? new URL('./', import.meta.url).pathname
  writeFileSync(`${out}memory.json`, JSON.stringify(report, null, 2) + '\n')
}

if (child === 'stream') await streamChild(process.argv[3])
else if (child === 'query') await queryChild(process.argv[3])
else await main()
