/**
 * A bank ledger under faults: concurrent transfers through a balanced pool
 * (two network paths to one real server, each behind a fault proxy) while the
 * paths are black-holed, reset, cut mid-stream and the server terminates the
 * sessions. Afterwards, read on a direct connection:
 *   - the total of the balances never changed (the invariant);
 *   - every acknowledged transfer is in the ledger exactly once, and the
 *     balances are exactly what the ledger says (nothing applied twice);
 *   - no transfer that was reported as failed is in the ledger (only
 *     PGFLEET_COMMIT_UNKNOWN ones may or may not be);
 *   - every call settled, none later than its bound.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createPool, type Client } from '../../src/index.js'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { DATABASE, harness, SUPERUSER, terminateBackends } from '../support/harness.js'
import { uniqueName } from './helpers/server.js'

const ACCOUNTS = 20
const OPENING_BALANCE = 1000
const WORKERS = 12
const RUN_MS = 9000
const APP = 'pgfleet-ledger'
/** A call's worst case: acquire (3 s) + a health check (1 s + 0.5 s) + one statement that hangs (1 s + 0.5 s), plus retries' backoff. */
const CALL_BOUND_MS = 12_000

const node = () => harness().nodes[0]!
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
let direct: Client
let accounts: string
let ledger: string

beforeAll(async () => {
  direct = await connect({ host: node().host, port: node().port, user: SUPERUSER, database: DATABASE, sslmode: 'disable' })
  accounts = uniqueName('accounts')
  ledger = uniqueName('transfers')
  await direct.query(`create table ${accounts} (id int primary key, balance bigint not null)`)
  await direct.query(`create table ${ledger} (id uuid primary key, src int not null, dst int not null, amount int not null)`)
  await direct.query(`insert into ${accounts} select g, ${OPENING_BALANCE} from generate_series(1, ${ACCOUNTS}) g`)
})

afterAll(async () => {
  await direct.query(`drop table if exists ${accounts}, ${ledger}`)
  await direct.close()
})

type Outcome = 'ok' | 'unknown' | 'failed'

describe('bank ledger under faults', () => {
  it(`${WORKERS} workers for ${RUN_MS / 1000} s through black holes, resets, cuts and pg_terminate_backend: invariant holds, nothing lost or doubled, every call settled`, async () => {
    const paths: FaultProxy[] = [
      await startFaultProxy({ target: { host: node().host, port: node().port } }),
      await startFaultProxy({ target: { host: node().host, port: node().port } }),
    ]
    const [a, b] = paths as [FaultProxy, FaultProxy]
    const pool = createPool({
      host: paths.map((p) => p.host).join(','),
      port: paths.map((p) => p.port).join(','),
      loadBalanceHosts: 'random',
      user: SUPERUSER,
      database: DATABASE,
      sslmode: 'disable',
      applicationName: APP,
      connectTimeout: 1000,
      queryTimeout: 1000,
      cancelTimeout: 500,
      max: 8,
      idleCheckMs: 200,
      acquireTimeoutMs: 3000,
      endTimeoutMs: 2000,
    })
    const outcomes = new Map<string, Outcome>()
    const codes = new Map<string, number>()
    let maxCallMs = 0
    let retried = 0
    let stop = false

    const transfer = async (): Promise<void> => {
      const id = randomUUID()
      const src = 1 + Math.floor(Math.random() * ACCOUNTS)
      const dst = 1 + ((src + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS)
      const amount = 1 + Math.floor(Math.random() * 50)
      let attempts = 0
      const started = performance.now()
      try {
        await pool.transaction(
          async (tx) => {
            if (++attempts > 1) retried++
            await tx.query(`update ${accounts} set balance = balance - $1 where id = $2`, [amount, src])
            await tx.query(`update ${accounts} set balance = balance + $1 where id = $2`, [amount, dst])
            await tx.query(`insert into ${ledger} (id, src, dst, amount) values ($1, $2, $3, $4)`, [id, src, dst, amount])
          },
          { isolation: 'serializable', retries: 5, backoff: { baseMs: 5, maxMs: 100 } },
        )
        outcomes.set(id, 'ok')
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'none'
        codes.set(code, (codes.get(code) ?? 0) + 1)
        outcomes.set(id, code === 'PGFLEET_COMMIT_UNKNOWN' ? 'unknown' : 'failed')
        await sleep(10)
      } finally {
        maxCallMs = Math.max(maxCallMs, performance.now() - started)
      }
    }
    const worker = async () => {
      while (!stop) await transfer()
    }

    const faults = async () => {
      await sleep(1000)
      a.setMode({ kind: 'blackhole' }) // a partition of path A
      await sleep(1500)
      a.setMode({ kind: 'pass' })
      await sleep(500)
      b.cutAll('reset') // a path that resets every connection at once
      await sleep(700)
      for (let i = 0; i < 5; i++) {
        await terminateBackends(node().host, node().port, APP) // the server kills the sessions
        await sleep(300)
      }
      a.setMode({ kind: 'cut', afterBytes: 3000, direction: 'to-client', how: 'end' }) // connections cut mid-message
      await sleep(1000)
      a.setMode({ kind: 'pass' })
      b.setMode({ kind: 'blackhole' })
      await sleep(1000)
      b.setMode({ kind: 'pass' })
    }

    const runStarted = performance.now()
    const workers = Array.from({ length: WORKERS }, worker)
    await Promise.all([faults(), sleep(RUN_MS)])
    stop = true
    await Promise.all(workers)
    const settledAfterStopMs = performance.now() - runStarted - RUN_MS
    await pool.end()
    // Sessions left half-open behind a black hole still hold their (uncommitted) transactions: break them.
    for (const p of paths) await p.close()
    await terminateBackends(node().host, node().port, APP)

    const balances = (await direct.query<{ id: number; balance: string }>(`select id, balance::text from ${accounts} order by id`)).rows
    const rows = (await direct.query<{ id: string; src: number; dst: number; amount: number }>(`select id::text, src, dst, amount from ${ledger}`)).rows
    const inLedger = new Set(rows.map((r) => r.id))
    const count = (o: Outcome) => [...outcomes.values()].filter((v) => v === o).length
    const byCode = [...codes].map(([c, n]) => `${c} ${n}`).join(', ')
    console.log(
      `ledger: ${outcomes.size} transfers: ${count('ok')} acknowledged, ${count('unknown')} COMMIT-unknown ` +
        `(${[...outcomes].filter(([id, o]) => o === 'unknown' && inLedger.has(id)).length} of them applied), ${count('failed')} failed ` +
        `(${byCode}); ${retried} retries after 40001/40P01; slowest call ${Math.round(maxCallMs)} ms; all settled ${Math.round(settledAfterStopMs)} ms after the stop`,
    )

    // The invariant.
    expect(balances.reduce((sum, r) => sum + Number(r.balance), 0)).toBe(ACCOUNTS * OPENING_BALANCE)
    // The balances are exactly what the ledger says: no transfer applied twice or half.
    const expected = new Map<number, number>(Array.from({ length: ACCOUNTS }, (_, i) => [i + 1, OPENING_BALANCE]))
    for (const r of rows) {
      expected.set(r.src, expected.get(r.src)! - r.amount)
      expected.set(r.dst, expected.get(r.dst)! + r.amount)
    }
    expect(balances.map((r) => Number(r.balance))).toEqual([...expected.values()])
    // Nothing acknowledged is lost; nothing reported failed was applied.
    for (const [id, outcome] of outcomes) {
      if (outcome === 'ok') expect(inLedger.has(id), `acknowledged transfer ${id} lost`).toBe(true)
      if (outcome === 'failed') expect(inLedger.has(id), `failed transfer ${id} applied`).toBe(false)
      inLedger.delete(id)
    }
    expect([...inLedger], 'ledger rows no call knows of').toEqual([])
    // Real work got done, the faults really hit, and every call settled by its bound.
    expect(count('ok')).toBeGreaterThan(100)
    expect(count('failed') + count('unknown')).toBeGreaterThan(0)
    expect(maxCallMs).toBeLessThan(CALL_BOUND_MS)
    expect(settledAfterStopMs).toBeLessThan(CALL_BOUND_MS)
  }, 60_000)
})
