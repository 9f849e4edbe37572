/**
 * Seeded fuzz of pgfleet's real connect() + query() against the scripted
 * hostile backend: a few thousand mutated conversations (test/support/hostile-fuzz.ts),
 * each checked against the README's contract ("Deadlines, silent peers and
 * hostile servers"):
 *
 * - connect() settles within connectTimeout + 250 ms, each query within
 *   queryTimeout + cancelTimeout + 500 ms, close() within 2 s, even when the
 *   server goes silent (half-open peer) or ignores the CancelRequest;
 * - a rejection is a PgfleetError with a stable code; nothing throws
 *   synchronously, no unhandled rejection or uncaught exception;
 * - a query resolves only when its answer is complete and valid, and then with
 *   exactly the rows the server sent (never rows missing);
 * - a fresh session to a well-behaved server still works every 200 cases.
 *
 * Cases run in lanes (one fake server per lane, cases in a lane one after
 * another) so silent servers cost wall time, not CPU. Environment:
 * PGFLEET_FUZZ_SEED (default below), PGFLEET_FUZZ_CASES (3000),
 * PGFLEET_FUZZ_ONLY=3,17 (replay those case indexes), PGFLEET_FUZZ_LANES (32),
 * PGFLEET_FUZZ_REPORT=path (write every failure as JSON).
 */
import { writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { connect, parseConfig, type Client, type ClientOptions, type Result } from '../../src/index.js'
import { PgfleetError } from '../../src/errors.js'
import {
  concat,
  messages,
  startHostileServer,
  startScriptedServer,
  startupOk,
  type HostileServer,
  type ScriptedServer,
} from '../support/hostile-server.js'
import {
  cancelScenario,
  describeStream,
  generateCase,
  hex,
  referenceQueries,
  referenceStartup,
  scenarioFor,
  type FuzzCase,
  type Outcome,
} from '../support/hostile-fuzz.js'

const env = process.env
const SEED = env.PGFLEET_FUZZ_SEED !== undefined ? Number(env.PGFLEET_FUZZ_SEED) >>> 0 : 0x5eed2026
const ONLY = env.PGFLEET_FUZZ_ONLY?.split(',').map((s) => Number(s.trim()))
const CASES = ONLY ? ONLY.length : Number(env.PGFLEET_FUZZ_CASES ?? 3000)
const LANES = Number(env.PGFLEET_FUZZ_LANES ?? 32)

const CONNECT_TIMEOUT = 500
const QUERY_TIMEOUT = 300
const CANCEL_TIMEOUT = 200
/**
 * `cancelTimeout` (grace after the CancelRequest before the socket is
 * destroyed) is new: 'auto' passes it only when parseConfig accepts it; set
 * true to require it.
 */
const CANCEL_TIMEOUT_OPTION: boolean | 'auto' = 'auto'

/** Slow answers: inside the cancel grace, and after it. */
const DELAYS = { slow: QUERY_TIMEOUT + 80, verySlow: QUERY_TIMEOUT + CANCEL_TIMEOUT + 150 }

const CONNECT_DEADLINE = CONNECT_TIMEOUT + 250
const QUERY_DEADLINE = QUERY_TIMEOUT + CANCEL_TIMEOUT + 500
const CLOSE_DEADLINE = 2000
/** Past these a call counts as hung: the fake server's sockets are dropped and the case moves on. */
const CONNECT_WATCHDOG = 3000
const QUERY_WATCHDOG = 3000
const HEALTH_EVERY = 200

const CODE = /^(PGFLEET_[A-Z_]+|[0-9A-Z]{5})$/

function baseOptions(port: number, withCancelTimeout: boolean): ClientOptions {
  const options: ClientOptions = {
    host: '127.0.0.1',
    port,
    user: 'u',
    password: 'pw',
    database: 'db',
    sslmode: 'disable',
    connectTimeout: CONNECT_TIMEOUT,
    queryTimeout: QUERY_TIMEOUT,
  }
  if (withCancelTimeout) (options as Record<string, unknown>).cancelTimeout = CANCEL_TIMEOUT
  return options
}

function cancelTimeoutAccepted(): boolean {
  if (CANCEL_TIMEOUT_OPTION !== 'auto') return CANCEL_TIMEOUT_OPTION
  try {
    parseConfig(baseOptions(5432, true) as Parameters<typeof parseConfig>[0])
    return true
  } catch {
    return false
  }
}

// ---- settling with a watchdog ----

type Settled<T> =
  | { state: 'resolved'; value: T; ms: number }
  | { state: 'rejected'; error: unknown; ms: number }
  | { state: 'hang'; ms: number }

/** How `promise` (started at `start`) settled, or 'hang' once `watchdogMs` have passed since `start`. */
function settle<T>(promise: Promise<T>, start: number, watchdogMs: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ state: 'hang', ms: performance.now() - start }), Math.max(0, start + watchdogMs - performance.now()))
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve({ state: 'resolved', value, ms: performance.now() - start })
      },
      (error: unknown) => {
        clearTimeout(timer)
        resolve({ state: 'rejected', error, ms: performance.now() - start })
      },
    )
  })
}

/** Why a rejection breaks the contract, if it does. */
function badRejection(error: unknown): string | undefined {
  if (!(error instanceof Error)) return `rejected with a non-Error: ${String(error)}`
  if (!(error instanceof PgfleetError)) return `${error.name} is not a PgfleetError: ${error.message}`
  if (typeof error.code !== 'string' || !CODE.test(error.code)) return `${error.name} with code ${JSON.stringify(error.code)}: ${error.message}`
  return undefined
}

/** Why resolving with `result` contradicts the reference outcome, if it does. */
function badResolve(ref: Outcome, result: Result<unknown>): string | undefined {
  if (ref.kind !== 'ok') return `resolved (${Array.isArray(result?.rows) ? result.rows.length : '?'} rows) but the answer is ${ref.kind}: ${'why' in ref ? ref.why : `SQLSTATE ${ref.code}`}`
  if (!Array.isArray(result?.rows)) return 'resolved without a rows array'
  if (result.rows.length !== ref.rows.length) return `resolved with ${result.rows.length} rows, the server sent ${ref.rows.length}`
  const names = ref.fields.map((f) => f.name)
  const comparable = ref.fields.flatMap((f, j) =>
    f.oid === 25 && f.format === 0 && names.indexOf(f.name) === names.lastIndexOf(f.name) && f.name !== '__proto__' ? [j] : [],
  )
  for (let i = 0; i < ref.rows.length; i++) {
    const row = result.rows[i] as Record<string, unknown>
    for (const j of comparable) {
      const name = ref.fields[j]!.name
      if (row?.[name] !== ref.rows[i]![j]) return `row ${i} column ${JSON.stringify(name)} is ${JSON.stringify(row?.[name])}, the server sent ${JSON.stringify(ref.rows[i]![j])}`
    }
  }
  return undefined
}

/** Failure kind of a resolve the reference forbids: wrong rows, or which way the answer was broken. */
function resolvedKind(ref: Outcome): string {
  if (ref.kind === 'ok') return 'resolved-wrong-rows'
  if (ref.kind === 'invalid') return `resolved-invalid-${ref.issue}`
  return `resolved-${ref.kind}`
}

// ---- bookkeeping ----

interface Failure {
  kind: string
  caseIndex: number
  category: string
  detail: string
}

class Report {
  /** Per category (pace suffix folded in): cases, failed cases, and of those with a slow answer. */
  readonly cases = new Map<string, { run: number; failed: number; slow: number; slowFailed: number }>()
  readonly failures: Failure[] = []
  readonly max = { connect: 0, query: 0, close: 0 }
  readonly outcomes = new Map<string, number>()
  cancelTimeoutUsed = false

  count(what: string): void {
    this.outcomes.set(what, (this.outcomes.get(what) ?? 0) + 1)
  }

  caseDone(c: FuzzCase, failed: boolean): void {
    const base = c.category.split('@')[0]!
    const row = this.cases.get(base) ?? { run: 0, failed: 0, slow: 0, slowFailed: 0 }
    row.run++
    if (failed) row.failed++
    if (c.pace !== 'prompt') {
      row.slow++
      if (failed) row.slowFailed++
    }
    this.cases.set(base, row)
  }

  render(elapsedMs: number, lag: { p99: number; max: number }): string {
    const lines: string[] = []
    const total = [...this.cases.values()].reduce((n, r) => n + r.run, 0)
    const failedCases = [...this.cases.values()].reduce((n, r) => n + r.failed, 0)
    lines.push(`hostile fuzz: seed ${SEED} (0x${SEED.toString(16)}), ${total} cases in ${(elapsedMs / 1000).toFixed(1)} s, ${LANES} lanes, ${failedCases} failed cases, ${this.failures.length} failures`)
    lines.push(`cancelTimeout option: ${this.cancelTimeoutUsed ? 'passed' : 'NOT passed (parseConfig rejects it)'}; event-loop lag p99 ${lag.p99.toFixed(0)} ms, max ${lag.max.toFixed(0)} ms`)
    lines.push(
      `max settle: connect ${this.max.connect.toFixed(0)} ms (deadline ${CONNECT_DEADLINE}), query ${this.max.query.toFixed(0)} ms (deadline ${QUERY_DEADLINE}), close ${this.max.close.toFixed(0)} ms (deadline ${CLOSE_DEADLINE}); hung calls count as the watchdog time`,
    )
    lines.push(`outcomes: ${[...this.outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}=${n}`).join(' ')}`)
    lines.push('', `${'category'.padEnd(40)} cases failed   slow-answer cases/failed`)
    for (const [category, r] of [...this.cases].sort(([a], [b]) => a.localeCompare(b)))
      lines.push(`${category.padEnd(40)} ${String(r.run).padStart(5)} ${String(r.failed).padStart(6)}   ${String(r.slow).padStart(5)}/${r.slowFailed}`)
    const byKind = new Map<string, Failure[]>()
    for (const f of this.failures) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f])
    if (byKind.size > 0) lines.push('', 'failures by kind (count, categories, first cases):')
    for (const [kind, list] of [...byKind].sort((a, b) => b[1].length - a[1].length)) {
      const cats = new Map<string, number>()
      for (const f of list) cats.set(f.category, (cats.get(f.category) ?? 0) + 1)
      const top = [...cats].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c, n]) => `${c}:${n}`).join(' ')
      lines.push(`- ${kind}: ${list.length}  [${top}${cats.size > 8 ? ' …' : ''}]`)
      // First failure of each of the (up to) three most frequent categories.
      const examples = [...cats].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c]) => list.find((f) => f.category === c)!)
      for (const f of examples) lines.push(`    ${f.detail.replaceAll('\n', '\n    ')}`)
    }
    const ids = [...new Set(this.failures.map((f) => f.caseIndex).filter((i) => i >= 0))]
    if (ids.length > 0)
      lines.push('', `replay: PGFLEET_FUZZ_SEED=${SEED} PGFLEET_FUZZ_ONLY=${ids.slice(0, 20).join(',')} npx vitest run --project unit test/unit/hostile-fuzz.test.ts`)
    return lines.join('\n')
  }
}

/** A case in a few lines: what was mutated and the exact bytes of the mutated segment. */
function describeCase(c: FuzzCase): string {
  const pause = c.pause ? ` pause=${c.pause.ms}ms-before-chunk-${c.pause.beforeChunk}/${c.responseChunks.length}` : ''
  const head = `#${c.index} ${c.category} chunks=${c.chunking}${pause} ending=${c.ending} cancel=${c.cancel} queries=[${c.queries.map((q) => q.kind).join(',')}]`
  const what = c.mutations.length > 0 ? `\n  ${c.mutations.join('\n  ')}` : ''
  const bytes = c.target === 'startup' ? c.startupBytes : c.responseBytes
  const label = c.target === 'startup' ? 'startup' : 'answer'
  return `${head}${what}\n  ${label}: ${describeStream(bytes)}\n  ${label} hex: ${hex(bytes)}`
}

// ---- one case ----

interface Lane {
  server: ScriptedServer
  current: FuzzCase | undefined
}

async function runCase(c: FuzzCase, lane: Lane, report: Report, withCancelTimeout: boolean): Promise<void> {
  const failures: Failure[] = []
  const fail = (kind: string, detail: string) => failures.push({ kind, caseIndex: c.index, category: c.category, detail: `${detail}\n${describeCase(c)}` })
  const connectRef = referenceStartup(c.startupBytes)
  const queryRefs = referenceQueries(c)
  if (c.target !== 'startup' && connectRef.kind !== 'ok') fail('harness', `valid startup judged ${connectRef.kind}`)
  if (c.target === 'valid' && queryRefs.some((r) => r.kind !== 'ok')) fail('harness', `valid answer judged ${queryRefs.map((r) => r.kind).join(',')}`)
  // The startup is valid unless the case attacks it: then connect() must resolve.
  const mustSucceed = c.target !== 'startup' || c.mutations.length === 0
  lane.current = c

  const t0 = performance.now()
  let connecting: Promise<Client>
  try {
    connecting = connect(baseOptions(lane.server.port, withCancelTimeout))
  } catch (error) {
    fail('sync-throw', `connect() threw synchronously: ${String(error)}`)
    return finish()
  }
  const connected = await settle(connecting, t0, CONNECT_WATCHDOG)
  report.max.connect = Math.max(report.max.connect, connected.ms)
  report.count(`connect:${connected.state}`)
  if (connected.state === 'hang') {
    fail('connect-hang', `connect() still pending after ${CONNECT_WATCHDOG} ms`)
    lane.server.dropConnections()
    const late = await settle(connecting, performance.now(), 1000)
    if (late.state === 'resolved') late.value.connection.destroy()
    return finish()
  }
  if (connected.ms > CONNECT_DEADLINE) fail('connect-late', `connect() settled (${connected.state}) after ${connected.ms.toFixed(0)} ms > ${CONNECT_DEADLINE}`)
  if (connected.state === 'rejected') {
    const bad = badRejection(connected.error)
    if (bad) fail('bad-rejection', `connect(): ${bad}`)
    report.count(`connect-code:${(connected.error as PgfleetError)?.code}`)
    if (mustSucceed && connected.ms >= CONNECT_TIMEOUT) report.count('valid-connect-timed-out-under-load')
    else if (mustSucceed) fail('valid-rejected', `connect() rejected a valid startup: ${(connected.error as Error)?.message}`)
    return finish()
  }
  const client = connected.value
  if (connectRef.kind !== 'ok') fail(`connect-${resolvedKind(connectRef)}`, `connect() resolved but the startup is ${connectRef.kind}: ${'why' in connectRef ? connectRef.why : connectRef.code}`)

  // All queries in one tick: the driver pipelines them.
  const running = c.queries.map((q) => {
    const start = performance.now()
    try {
      const p = q.kind === 'simple' ? client.query(q.sql) : client.query(q.sql, q.values)
      return settle(p as Promise<Result<unknown>>, start, QUERY_WATCHDOG)
    } catch (error) {
      fail('sync-throw', `query() threw synchronously: ${String(error)}`)
      return undefined
    }
  })
  let hung = false
  for (const [i, p] of running.entries()) {
    if (!p) continue
    const s = await p
    const ref = queryRefs[i]!
    report.max.query = Math.max(report.max.query, s.ms)
    report.count(`query:${s.state}`)
    const which = `query ${i + 1}/${c.queries.length} (${c.queries[i]!.kind})`
    if (s.state === 'hang') {
      hung = true
      fail('query-hang', `${which} still pending after ${QUERY_WATCHDOG} ms (answer: ${ref.kind}${'why' in ref ? `: ${ref.why}` : ''})`)
      continue
    }
    if (s.ms > QUERY_DEADLINE) fail('query-late', `${which} settled (${s.state}) after ${s.ms.toFixed(0)} ms > ${QUERY_DEADLINE}`)
    if (s.state === 'rejected') {
      const bad = badRejection(s.error)
      if (bad) fail('bad-rejection', `${which}: ${bad}`)
      report.count(`query-code:${(s.error as PgfleetError)?.code}`)
      // A slow answer may time out and a destroyed socket may lose the last bytes. On a
      // loaded machine even a prompt answer can come after the timeout: counted, not failed.
      if (c.target === 'valid' && c.pace === 'prompt' && c.ending !== 'destroy') {
        const code = (s.error as PgfleetError)?.code
        if (s.ms >= QUERY_TIMEOUT && (code === 'PGFLEET_QUERY_TIMEOUT' || code === 'PGFLEET_CANCEL_TIMEOUT')) report.count('valid-query-timed-out-under-load')
        else fail('valid-rejected', `${which} rejected a valid answer: ${(s.error as Error)?.message}`)
      }
    } else {
      const bad = badResolve(ref, s.value)
      if (bad) fail(resolvedKind(ref), `${which}: ${bad}`)
    }
  }
  if (hung) {
    client.connection.destroy()
    lane.server.dropConnections()
    await Promise.all(running.map((p) => p && settle(p, performance.now(), 1000)))
  }

  const tc = performance.now()
  let closing: Promise<void>
  try {
    closing = client.close()
  } catch (error) {
    fail('sync-throw', `close() threw synchronously: ${String(error)}`)
    closing = Promise.resolve()
  }
  const closed = await settle(closing, tc, CLOSE_DEADLINE)
  report.max.close = Math.max(report.max.close, closed.ms)
  report.count(`close:${closed.state}`)
  if (closed.state === 'hang') {
    fail('close-hang', `close() still pending after ${CLOSE_DEADLINE} ms`)
    client.connection.destroy()
    lane.server.dropConnections()
  }
  return finish()

  function finish(): void {
    report.failures.push(...failures)
    report.caseDone(c, failures.length > 0)
  }
}

// ---- health: a fresh session to a well-behaved server ----

async function healthCheck(server: HostileServer, label: string, report: Report, withCancelTimeout: boolean): Promise<void> {
  const fail = (detail: string): void => {
    report.failures.push({ kind: 'health', caseIndex: -1, category: 'health', detail: `${label}: ${detail}` })
  }
  const t0 = performance.now()
  const connected = await settle(connect(baseOptions(server.port, withCancelTimeout)), t0, CONNECT_WATCHDOG)
  if (connected.state !== 'resolved') return fail(`connect ${connected.state}: ${connected.state === 'rejected' ? String(connected.error) : ''}`)
  const client = connected.value
  const queried = await settle(client.query('select 1'), performance.now(), QUERY_WATCHDOG)
  if (queried.state !== 'resolved') fail(`query ${queried.state}: ${queried.state === 'rejected' ? String(queried.error) : ''}`)
  else if ((queried.value.rows[0] as Record<string, unknown> | undefined)?.x !== 'ok') fail(`query returned ${JSON.stringify(queried.value.rows)}`)
  const closed = await settle(client.close(), performance.now(), CLOSE_DEADLINE)
  if (closed.state === 'hang') {
    fail('close hung')
    client.connection.destroy()
  }
  report.count('health:run')
}

// ---- the test ----

describe('hostile server fuzz', () => {
  it(`${CASES} seeded cases settle within their deadlines and never resolve a broken answer (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const report = new Report()
    const withCancelTimeout = cancelTimeoutAccepted()
    report.cancelTimeoutUsed = withCancelTimeout
    const processErrors: Failure[] = []
    const onUnhandled = (reason: unknown) =>
      processErrors.push({ kind: 'unhandled-rejection', caseIndex: -1, category: 'process', detail: String((reason as Error)?.stack ?? reason) })
    const onUncaught = (error: Error) => processErrors.push({ kind: 'uncaught-exception', caseIndex: -1, category: 'process', detail: String(error?.stack ?? error) })
    process.on('unhandledRejection', onUnhandled)
    process.on('uncaughtException', onUncaught)
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()

    const good = await startHostileServer([
      { receive: 'startup' },
      { send: startupOk() },
      { receive: 'Q' },
      { send: concat(messages.rowDescription('x'), messages.dataRow('ok'), messages.commandComplete('SELECT 1'), messages.readyForQuery('I')) },
    ])
    const lanes: Lane[] = []
    const started = performance.now()
    try {
      for (let i = 0; i < Math.min(LANES, CASES); i++) {
        const lane: Lane = { server: undefined as unknown as ScriptedServer, current: undefined }
        lane.server = await startScriptedServer(
          ({ kind }) => {
            if (kind !== 'cancel') return lane.current ? scenarioFor(lane.current) : []
            const policy = lane.current?.cancel ?? 'close'
            report.count(`cancel-request:${policy}`)
            return cancelScenario(policy)
          },
          { record: false },
        )
        lanes.push(lane)
      }
      // Warm up (lazy imports, JIT) so the first cases' timings are not the process's start-up.
      await healthCheck(good, 'warm-up health check', report, withCancelTimeout)
      const health: Promise<void>[] = []
      let next = 0
      let done = 0
      await Promise.all(
        lanes.map(async (lane, k) => {
          await new Promise((r) => setTimeout(r, k * 2)) // staggered start
          while (next < CASES) {
            const i = next++
            await runCase(generateCase(SEED, ONLY ? ONLY[i]! : i, DELAYS), lane, report, withCancelTimeout)
            if (++done % HEALTH_EVERY === 0) health.push(healthCheck(good, `health check after ${done} cases`, report, withCancelTimeout))
          }
          lane.current = undefined
        }),
      )
      await Promise.all(health)
      await healthCheck(good, 'final health check', report, withCancelTimeout)
    } finally {
      await Promise.all([good.close(), ...lanes.map((l) => l.server.close())])
      // Let late socket events and rejections surface before the listeners go.
      await new Promise((r) => setTimeout(r, 100))
      process.off('unhandledRejection', onUnhandled)
      process.off('uncaughtException', onUncaught)
      lag.disable()
    }
    report.failures.push(...processErrors)
    // Timeouts of valid conversations are tolerated as machine load, but not many of them.
    const tolerated = (report.outcomes.get('valid-query-timed-out-under-load') ?? 0) + (report.outcomes.get('valid-connect-timed-out-under-load') ?? 0)
    if (tolerated > Math.max(3, CASES * 0.01))
      report.failures.push({ kind: 'valid-timeouts', caseIndex: -1, category: 'load', detail: `${tolerated} valid conversations timed out (more than 1% of the cases): a slow driver, or a machine too loaded for these deadlines` })
    const text = report.render(performance.now() - started, { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 })
    console.log(text)
    if (env.PGFLEET_FUZZ_REPORT) writeFileSync(env.PGFLEET_FUZZ_REPORT, JSON.stringify({ seed: SEED, failures: report.failures }, null, 1))
    expect(report.failures.length, 'hostile fuzz failures (see the summary printed above)').toBe(0)
  })
})
