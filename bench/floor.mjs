// The floor for `select 1` sequential: how close can ANY JavaScript client on
// this runtime get to pgbench (libpq, C)? Runs, alternating in rounds in one
// process, medians:
//   pgbench          /usr/bin/pgbench -n -c 1 -T <seconds> -f select1.sql (simple protocol)
//   raw net cb       node:net, a prebuilt Query('select 1') written from the data
//                    callback that saw ReadyForQuery: no promise, no parsing
//   raw net await    the same, but each round trip is an awaited promise (the
//                    least any promise API does per query)
//   raw bun cb/await the same two over Bun.connect (Bun only)
//   pgfleet          the entry this runtime gets (Bun: dist/index.bun.js)
//   pgfleet node:net under Bun also dist/index.js (node:net transport on Bun's compat layer)
//   pg, postgres.js  db.query('select 1') / sql`select 1`, as bench/drivers.mjs calls them
//   Bun.sql          under Bun
//
// Usage (server and client pinned to CPU 0, as scripts/bench.sh does):
//   npx tsup   # dist/
//   taskset -pc 0 <postmaster pid>
//   FLOOR_PORT=5503 taskset -c 0 node bench/floor.mjs
//   FLOOR_PORT=5503 taskset -c 0 node_modules/.bin/bun bench/floor.mjs
// Env: FLOOR_HOST (127.0.0.1), FLOOR_PORT (5490), FLOOR_USER (postgres);
// FLOOR_SECONDS per sample (10; pgbench's -T); FLOOR_ROUNDS (3); FLOOR_ONLY
// (comma list of subject names); FLOOR_PGBENCH (pgbench binary, /usr/bin/pgbench);
// FLOOR_BASELINE (another build's dist entry, run as 'pgfleet (baseline)').
// Prints wall queries/s, the ratio to pgbench, client CPU µs per query
// (pgbench's from the children's rusage, read in /proc/self/stat) and the
// server backend's CPU µs per query (/proc/<backend pid>/stat; not for
// pgbench, whose backend is gone when it exits). Pinned to one CPU, wall ≈
// client + server CPU: nothing else runs, nobody waits; the `other` column
// (wall − both) is time the CPU gave to other processes: a clean run has ~0.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as net from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import postgres from 'postgres'
import { median, roundOrder, settle } from './rounds.mjs'

const host = process.env.FLOOR_HOST ?? '127.0.0.1'
const port = Number(process.env.FLOOR_PORT ?? 5490)
const user = process.env.FLOOR_USER ?? 'postgres'
const database = 'postgres'
const seconds = Number(process.env.FLOOR_SECONDS ?? 10)
const rounds = Number(process.env.FLOOR_ROUNDS ?? 3)
const only = process.env.FLOOR_ONLY?.split(',')
const pgbenchBin = process.env.FLOOR_PGBENCH ?? '/usr/bin/pgbench'
const isBun = typeof globalThis.Bun !== 'undefined'
const runtime = isBun ? `Bun ${Bun.version}` : `Node ${process.versions.node}`

// --- the raw clients -------------------------------------------------------

function startupMessage() {
  const body = new TextEncoder().encode(`user\0${user}\0database\0${database}\0\0`)
  const out = new Uint8Array(8 + body.length)
  const view = new DataView(out.buffer)
  view.setInt32(0, out.length)
  view.setInt32(4, 196608) // protocol 3.0
  out.set(body, 8)
  return out
}
const QUERY = (() => {
  const sql = new TextEncoder().encode('select 1\0')
  const out = new Uint8Array(5 + sql.length)
  out[0] = 0x51 // 'Q'
  new DataView(out.buffer).setInt32(1, 4 + sql.length)
  out.set(sql, 5)
  return out
})()

/**
 * Whether a chunk ends with ReadyForQuery ('Z', length 5, status): the server
 * flushes after it and sends nothing more until the next query, so the end of
 * a response is the end of a chunk. (A minimal client; no message framing.)
 */
function endsWithReady(chunk) {
  const n = chunk.length
  return n >= 6 && chunk[n - 6] === 0x5a && chunk[n - 5] === 0 && chunk[n - 4] === 0 && chunk[n - 3] === 0 && chunk[n - 2] === 5
}

/** The backend's pid from the startup answer's BackendKeyData ('K'), for its CPU time. */
function backendPid(chunks) {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let p = 0
  for (const c of chunks) all.set(c, (p += c.length) - c.length)
  const view = new DataView(all.buffer)
  for (let i = 0; i + 5 <= all.length; i += 1 + view.getInt32(i + 1)) if (all[i] === 0x4b) return view.getInt32(i + 5)
  throw new Error('no BackendKeyData in the startup answer')
}

/** A raw connection over node:net: { roundTrip(): Promise, loop(n): Promise, close(), pid }. */
async function rawNet() {
  const socket = net.connect({ host, port })
  socket.setNoDelay(true)
  let onReady
  let startup = []
  socket.on('data', (chunk) => {
    if (startup !== undefined) startup.push(new Uint8Array(chunk))
    if (endsWithReady(chunk)) onReady()
  })
  await new Promise((resolve, reject) => {
    socket.once('error', reject)
    onReady = resolve
    socket.write(startupMessage())
  })
  const pid = backendPid(startup)
  startup = undefined
  return rawClient((bytes) => socket.write(bytes), (f) => (onReady = f), () => socket.destroy(), pid)
}

/** The same over Bun.connect. */
async function rawBun() {
  let onReady
  let startup = []
  const socket = await Bun.connect({
    hostname: host,
    port,
    socket: {
      data(_socket, chunk) {
        if (startup !== undefined) startup.push(new Uint8Array(chunk))
        if (endsWithReady(chunk)) onReady()
      },
      drain() {},
      close() {},
      error() {},
    },
  })
  await new Promise((resolve) => {
    onReady = resolve
    socket.write(startupMessage())
  })
  const pid = backendPid(startup)
  startup = undefined
  return rawClient((bytes) => socket.write(bytes), (f) => (onReady = f), () => socket.end(), pid)
}

function rawClient(write, setReady, close, pid) {
  return {
    pid,
    /** n round trips, the next query written from the callback that saw ReadyForQuery. */
    loop: (n) =>
      new Promise((resolve) => {
        let left = n
        setReady(() => {
          if (--left === 0) resolve()
          else write(QUERY)
        })
        write(QUERY)
      }),
    /** One awaited round trip. */
    roundTrip: () =>
      new Promise((resolve) => {
        setReady(resolve)
        write(QUERY)
      }),
    close,
  }
}

// --- subjects --------------------------------------------------------------

/** name → async () => { run(deadline): Promise<count>, close(), pid (the server backend's) } */
const subjects = {}
const untilDeadline = (roundTrip) => async (deadline) => {
  let n = 0
  // Check the clock every 100 queries: performance.now() is not free.
  while (performance.now() < deadline) for (let i = 0; i < 100; i++, n++) await roundTrip()
  return n
}
const callbackLoop = (client) => async (deadline) => {
  let n = 0
  while (performance.now() < deadline) {
    await client.loop(1000)
    n += 1000
  }
  return n
}

subjects['raw net cb'] = async () => {
  const c = await rawNet()
  return { run: callbackLoop(c), close: c.close, pid: c.pid }
}
subjects['raw net await'] = async () => {
  const c = await rawNet()
  return { run: untilDeadline(c.roundTrip), close: c.close, pid: c.pid }
}
if (isBun) {
  subjects['raw bun cb'] = async () => {
    const c = await rawBun()
    return { run: callbackLoop(c), close: c.close, pid: c.pid }
  }
  subjects['raw bun await'] = async () => {
    const c = await rawBun()
    return { run: untilDeadline(c.roundTrip), close: c.close, pid: c.pid }
  }
}
const pgfleetFrom = (entry) => async () => {
  const { connect } = await import(entry)
  const db = await connect({ host, port, user, database, sslmode: 'disable' })
  return { run: untilDeadline(() => db.query('select 1')), close: () => db.close(), pid: db.processId }
}
subjects.pgfleet = pgfleetFrom(isBun ? '../dist/index.bun.js' : '../dist/index.js')
if (isBun) subjects['pgfleet node:net'] = pgfleetFrom('../dist/index.js')
if (process.env.FLOOR_BASELINE) subjects['pgfleet (baseline)'] = pgfleetFrom(process.env.FLOOR_BASELINE)
subjects.pg = async () => {
  const client = new pg.Client({ host, port, user, database, ssl: false })
  await client.connect()
  return { run: untilDeadline(() => client.query('select 1')), close: () => client.end(), pid: client.processID }
}
subjects['postgres.js'] = async () => {
  const sql = postgres({ host, port, user, database, max: 1, ssl: false, onnotice: () => {} })
  const [{ pid }] = await sql`select pg_backend_pid() as pid`
  return { run: untilDeadline(() => sql`select 1`), close: () => sql.end(), pid }
}
if (isBun) {
  subjects['Bun.sql'] = async () => {
    const { SQL } = await import('bun')
    const sql = new SQL({ hostname: host, port, username: user, database, tls: false, max: 1 })
    const [{ pid }] = await sql`select pg_backend_pid() as pid`
    return { run: untilDeadline(() => sql`select 1`), close: () => sql.close(), pid }
  }
}

// pgbench: its own process (inheriting this one's CPU pinning); its CPU time is
// read from this process's children's rusage (utime+stime of reaped children).
const scriptDir = mkdtempSync(join(tmpdir(), 'floor-'))
const script = join(scriptDir, 'select1.sql')
writeFileSync(script, 'select 1;\n')
function childrenCpuSeconds() {
  // /proc/self/stat: fields after the ')' — cutime and cstime are the 16th and 17th fields overall.
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
  return (Number(fields[13]) + Number(fields[14])) / 100
}
/** CPU seconds (user + system) of a process, from /proc/<pid>/stat (utime, stime: fields 14 and 15). */
function processCpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}
function runPgbench() {
  const cpu0 = childrenCpuSeconds()
  const out = execFileSync(pgbenchBin, ['-h', host, '-p', String(port), '-U', user, '-n', '-c', '1', '-T', String(seconds), '-f', script, database], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const processed = Number(/number of transactions actually processed: (\d+)/.exec(out)[1])
  const tps = Number(/tps = ([0-9.]+)/.exec(out)[1])
  return { rate: tps, cpuPerQuery: ((childrenCpuSeconds() - cpu0) * 1e6) / processed }
}

// --- the rounds ------------------------------------------------------------

const names = ['pgbench', ...Object.keys(subjects)].filter((n) => !only || only.includes(n))
const open = {}
for (const name of names) if (name !== 'pgbench') open[name] = await subjects[name]()
// Warm-up (JIT, statement caches): a second each.
for (const name of names) if (name !== 'pgbench') await open[name].run(performance.now() + 1000)

const samples = Object.fromEntries(names.map((n) => [n, []]))
const load0 = loadavg()
for (let round = 0; round < rounds; round++) {
  for (const name of roundOrder(names, round)) {
    await settle() // the last subject's garbage stays out of this sample (bench/rounds.mjs)
    if (name === 'pgbench') {
      samples[name].push(runPgbench())
      continue
    }
    const pid = open[name].pid
    const s0 = processCpuSeconds(pid)
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const n = await open[name].run(t0 + seconds * 1000)
    const wall = (performance.now() - t0) / 1000
    const cpu = process.cpuUsage(c0)
    const server = ((processCpuSeconds(pid) - s0) * 1e6) / n
    samples[name].push({ rate: n / wall, cpuPerQuery: (cpu.user + cpu.system) / n, serverPerQuery: server })
  }
  process.stderr.write(`round ${round + 1}/${rounds} done\n`)
}
for (const name of names) if (name !== 'pgbench') await open[name].close()

const rate = Object.fromEntries(names.map((n) => [n, median(samples[n].map((s) => s.rate))]))
const cpu = Object.fromEntries(names.map((n) => [n, median(samples[n].map((s) => s.cpuPerQuery))]))
const server = Object.fromEntries(names.map((n) => [n, n === 'pgbench' ? undefined : median(samples[n].map((s) => s.serverPerQuery))]))
const base = rate.pgbench
const lines = [
  `${runtime}, select 1 sequential, ${seconds} s samples, median of ${rounds} rounds (alternating), load ${load0.map((l) => l.toFixed(2)).join(' ')} → ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  '',
  '| client | queries/s | × pgbench | wall µs/query | client CPU µs/query | server CPU µs/query | other µs/query | samples/s |',
  '|---|---:|---:|---:|---:|---:|---:|---|',
  ...names.map((n) =>
    `| ${n} | ${Math.round(rate[n])} | ${base ? (rate[n] / base).toFixed(2) + '×' : '–'} | ${(1e6 / rate[n]).toFixed(1)} | ${cpu[n].toFixed(1)} | ${server[n]?.toFixed(1) ?? '–'} | ${server[n] === undefined ? '–' : (1e6 / rate[n] - cpu[n] - server[n]).toFixed(1)} | ${samples[n].map((s) => Math.round(s.rate)).join(', ')} |`,
  ),
]
console.log(lines.join('\n'))
rmSync(scriptDir, { recursive: true, force: true })
process.exit(0)
