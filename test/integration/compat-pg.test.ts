/**
 * pgfleet/pg against real pg 8 on the same server: identical rows, fields,
 * command and rowCount for a spread of types; callbacks, multi-statement
 * results, rowMode 'array', per-query types; events (notice, notification,
 * error + end on a server kill, pool connect / acquire / release / remove /
 * error) and a killed idle pool client that never crashes the process.
 */
import pgReal from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg, { Client, Pool, type QueryResult } from '../../src/pg.js'
import { appName, eventually, lbUrl } from '../support/balancing.js'
import { harness, terminateBackends } from '../support/harness.js'

const h = harness()
const node = h.nodes[0]!
const app = appName('compat')
const url = lbUrl([node], { application_name: app })

let ours: Client
let theirs: pgReal.Client

beforeAll(async () => {
  ours = new Client(url)
  await ours.connect()
  theirs = new pgReal.Client({ connectionString: url })
  await theirs.connect()
})

afterAll(async () => {
  await ours?.end()
  await theirs?.end()
})

const TYPES_SQL = `select 1::int2 as i2, 2::int4 as i4, 9007199254740993::int8 as i8, 1.5::float4 as f4, 2.25::float8 as f8,
  12345678901234567890.5::numeric as num, true as b, 'x'::text as t, 'y'::varchar(3) as v, '2024-02-29'::date as d,
  '2024-02-29 13:45:06.789'::timestamp as ts, '2024-02-29 13:45:06.789+02'::timestamptz as tstz, '{"a":[1]}'::json as j,
  '{"b":2}'::jsonb as jb, '\\x00ff'::bytea as by, array[1,2]::int[] as ai, array['a','b c']::text[] as at,
  array[9007199254740993]::int8[] as a8, '1 day 02:00:00'::interval as iv, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u,
  null::int as n, '(1,2)'::point as p, 12.5::money as m, '12:34:56'::time as tm`

/** Replace Buffers by plain byte arrays, intervals by their fields. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value]
  if (Array.isArray(value)) return value.map(normalize)
  if (value instanceof Date || value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]))
}

describe('pgfleet/pg Client matches pg', () => {
  it('same rows, fields, command and rowCount for many types (simple and extended protocol)', async () => {
    for (const values of [undefined, [1]]) {
      const text = values ? `${TYPES_SQL}, $1::int as param` : TYPES_SQL
      const a = (await ours.query(text, values)) as QueryResult
      const b = await theirs.query(text, values)
      expect(normalize(a.rows)).toEqual(normalize(b.rows))
      expect(a.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeSize, f.dataTypeModifier])).toEqual(
        b.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeSize, f.dataTypeModifier]),
      )
      expect([a.command, a.rowCount, a.oid]).toEqual([b.command, b.rowCount, b.oid])
    }
  })

  it('DML results: command, rowCount and oid as pg', async () => {
    await ours.query('create temp table cmp (id int)')
    await theirs.query('create temp table cmp (id int)')
    for (const text of ['insert into cmp select generate_series(1, 3)', 'update cmp set id = id + 1 where id > 1', 'delete from cmp', 'drop table cmp']) {
      const a = (await ours.query(text)) as QueryResult
      const b = await theirs.query(text)
      expect([a.command, a.rowCount, a.oid, a.rows]).toEqual([b.command, b.rowCount, b.oid, b.rows])
    }
  })

  it('callbacks, rowMode array, multi-statement arrays, per-query types, errors as pg', async () => {
    const viaCallback = await new Promise<QueryResult>((resolve, reject) =>
      ours.query('select $1::int + 1 as x', [41], (err, res) => (err ? reject(err) : resolve(res!))),
    )
    expect(viaCallback.rows).toEqual([{ x: 42 }])
    const arrays = (await ours.query({ text: 'select 1 as a, $1::text as b', values: ['z'], rowMode: 'array' })) as QueryResult
    expect(arrays.rows).toEqual([[1, 'z']])
    const multi = (await ours.query('select 1 as a; select 2 as b')) as unknown as QueryResult[]
    const multiPg = (await theirs.query('select 1 as a; select 2 as b')) as unknown as pgReal.QueryResult[]
    expect(multi.map((r) => r.rows)).toEqual(multiPg.map((r) => r.rows))
    const raw = (await ours.query({ text: "select '2024-02-29'::date as d, 5::int8 as n", types: { getTypeParser: () => (v: string) => `raw:${v}` } })) as QueryResult
    expect(raw.rows).toEqual([{ d: 'raw:2024-02-29', n: 'raw:5' }])
    const ourError = await ours.query('select * from no_such_table').catch((e: unknown) => e)
    const theirError = await theirs.query('select * from no_such_table').catch((e: unknown) => e)
    for (const key of ['code', 'message', 'severity', 'routine'] as const)
      expect((ourError as Record<string, unknown>)[key]).toEqual((theirError as Record<string, unknown>)[key])
    expect(Number((ourError as { position: number }).position)).toBe(Number((theirError as { position: string }).position))
    expect(() => theirs.query(null as never)).toThrow(TypeError) // pg throws at once
    expect(() => ours.query(null as never)).toThrow(TypeError)
    expect(ours.escapeLiteral("it's")).toBe(theirs.escapeLiteral("it's"))
    expect(pg.escapeIdentifier('a"b')).toBe('"a""b"')
  })

  it("emits 'notice' and 'notification'", async () => {
    const notices: string[] = []
    const notifications: unknown[] = []
    ours.on('notice', (n: { message: string }) => notices.push(n.message))
    ours.on('notification', (n: unknown) => notifications.push(n))
    await ours.query("do $$ begin raise notice 'hello %', 42; end $$")
    await ours.query('listen compat_chan')
    await ours.query("select pg_notify('compat_chan', 'payload')")
    await eventually(() => notifications.length, (n) => n === 1)
    expect(notices).toEqual(['hello 42'])
    expect(notifications).toEqual([{ processId: expect.any(Number), channel: 'compat_chan', payload: 'payload' }])
  })

  it("a server kill gives 'error' then 'end' on the client (no crash)", async () => {
    const killedApp = appName('compat-kill')
    const c = new Client(lbUrl([node], { application_name: killedApp }))
    await c.connect()
    const events: string[] = []
    c.on('error', (e: { code?: string }) => events.push(`error:${e.code}`))
    c.on('end', () => events.push('end'))
    expect(await terminateBackends(node.host, node.port, killedApp)).toBe(1)
    await eventually(() => events.length, (n) => n === 2)
    expect(events).toEqual(['error:57P01', 'end'])
    await expect(c.query('select 1')).rejects.toThrow()
  })

  it('connect() twice is refused; a query on an ended client is refused', async () => {
    await expect(ours.connect()).rejects.toThrow(/already been connected/)
    // pg queues a query issued before connect() (compat-client.test.ts); after end() it is refused.
    const ended = new Client(url)
    await ended.end()
    await expect(ended.query('select 1')).rejects.toThrow('Client was closed and is not queryable')
  })
})

describe('pgfleet/pg Pool', () => {
  it('pg.Pool API: counts, events, callbacks, release(err), and an idle client killed emits pool error', async () => {
    const poolApp = appName('compat-pool')
    const pool = new Pool({ connectionString: lbUrl([node], { application_name: poolApp }), max: 2, idleTimeoutMillis: 30_000 })
    const events: string[] = []
    for (const e of ['connect', 'acquire', 'release', 'remove'] as const) pool.on(e, () => events.push(e))
    const errors: unknown[] = []
    pool.on('error', (err: unknown) => errors.push(err))
    const [a, b] = await Promise.all([pool.connect(), pool.connect()])
    expect([pool.totalCount, pool.idleCount, pool.waitingCount]).toEqual([2, 0, 0])
    const waiting = pool.connect()
    await eventually(() => pool.waitingCount, (n) => n === 1)
    a.release()
    const c = await waiting
    expect(c).toBe(a) // same client object for the same session, as in pg
    c.release()
    b.release(new Error('broken'))
    await eventually(() => events.filter((e) => e === 'remove').length, (n) => n === 1)
    expect(events.slice(0, 3)).toEqual(['connect', 'acquire', 'connect'])
    const viaCallback = await new Promise<QueryResult>((resolve, reject) =>
      pool.query('select $1::text as s', ['cb'], (err, res) => (err ? reject(err) : resolve(res!))),
    )
    expect(viaCallback.rows).toEqual([{ s: 'cb' }])
    // Kill the idle sessions: the pool emits 'error' with the client, never throws.
    await terminateBackends(node.host, node.port, poolApp)
    await eventually(() => errors.length, (n) => n >= 1)
    expect((errors[0] as { code: string }).code).toBe('57P01')
    expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }])
    await pool.end()
    expect(pool.totalCount).toBe(0)
    await expect(pool.end()).rejects.toThrow(/more than once/)
  })
})
