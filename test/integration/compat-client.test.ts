/**
 * pgfleet/pg's Client and Pool behave as pg's where pg users depend on it,
 * against a real server: config keys pg ignores, connect() resolving to the
 * client, queries queued before connect(), named statements reused by name,
 * getTransactionStatus(), setTypeParser, pg.defaults, query_timeout with pg's
 * error, pg's texts for closed and broken clients, 'drain', Buffer
 * parameters, fractional timeouts, pipeline mode, the Promise option, a bad
 * pool configuration failing at connect, secrets hidden from inspect / JSON,
 * and async stack traces that reach the caller.
 */
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect as pgfleetConnect } from '../../src/index.js'
import pg, { Client, Pool } from '../../src/pg.js'
import { appName, lbUrl } from '../support/balancing.js'
import { harness, terminateBackends } from '../support/harness.js'

const h = harness()
const node = h.nodes[0]!
const url = lbUrl([node], { application_name: appName('compat-client') })
const base = { connectionString: url }

let client: Client

beforeAll(async () => {
  client = new Client(base)
  await client.connect()
})

afterAll(async () => {
  await client?.end()
})

describe('configuration as pg takes it', () => {
  it("ignores keys pg ignores on the facade (native, a pool's max, unknown), while pgfleet's own API stays strict", async () => {
    const lenient = new Client({ ...base, native: false, max: 10, someOtherLibraryKey: 'x' } as never)
    expect(await lenient.connect()).toBe(lenient) // resolves to the client, as pg's
    expect((await lenient.query('select 1 as one')).rows).toEqual([{ one: 1 }])
    await lenient.end()
    await expect(pgfleetConnect({ connectionString: url, native: false } as never)).rejects.toThrow(/native/)
  })

  it('fractional server timeouts are sent as pg sends them (whole milliseconds, truncated)', async () => {
    const c = new Client({ ...base, statement_timeout: 3000.7, idle_in_transaction_session_timeout: 2000.9 })
    await c.connect()
    const { rows } = await c.query('show statement_timeout')
    expect(rows).toEqual([{ statement_timeout: '3s' }])
    expect((await c.query('show idle_in_transaction_session_timeout')).rows).toEqual([{ idle_in_transaction_session_timeout: '2s' }])
    await c.end()
  })

  it('pg.defaults fill what the config leaves out; parseInt8 switches int8 parsing', async () => {
    const saved = { application_name: pg.defaults.application_name, user: pg.defaults.user }
    try {
      pg.defaults.application_name = 'from-pg-defaults'
      const c = new Client({ host: node.host, port: node.port, user: 'pgfleet_trust', database: 'pgfleet' })
      await c.connect()
      expect((await c.query('show application_name')).rows).toEqual([{ application_name: 'from-pg-defaults' }])
      pg.defaults.parseInt8 = true
      expect((await c.query('select 5::int8 as n, array[6]::int8[] as a')).rows).toEqual([{ n: 5, a: [6] }])
      pg.defaults.parseInt8 = false
      expect((await c.query('select 5::int8 as n')).rows).toEqual([{ n: '5' }])
      await c.end()
      pg.defaults.user = 'someone'
      const fresh = new Client()
      expect([fresh.user, fresh.database]).toEqual(['someone', 'someone']) // pg: database defaults to the user
    } finally {
      pg.defaults.application_name = saved.application_name
      pg.defaults.user = saved.user
      pg.defaults.parseInt8 = false
    }
  })

  it("new Pool('pg://…') does not throw: connect() and query() reject, as in pg", async () => {
    const pool = new Pool('pg://user:pw@localhost/db?sslmode=nonsense')
    await expect(pool.connect()).rejects.toThrow(/sslmode|pg:/)
    const viaCallback = await new Promise<unknown[]>((resolve) => pool.connect((...args: unknown[]) => resolve(args)))
    expect(viaCallback[0]).toBeInstanceOf(Error)
    expect(typeof viaCallback[2]).toBe('function') // pg-pool hands a release function with the error
    await expect(pool.query('select 1')).rejects.toThrow(/sslmode|pg:/)
    await pool.end()
  })

  it('pool.options is there; the password and TLS key are hidden from util.inspect and JSON.stringify', () => {
    const secret = 'very-secret-pw'
    const pool = new Pool({ ...base, password: secret, ssl: { rejectUnauthorized: false, key: 'KEY-SECRET' } })
    const c = new Client({ ...base, password: secret })
    expect(pool.options.password).toBe(secret)
    expect((pool.options.ssl as { key: string }).key).toBe('KEY-SECRET')
    expect((c as unknown as { password: string }).password).toBe(secret)
    for (const text of [inspect(pool, { depth: 20 }), JSON.stringify(pool), inspect(c, { depth: 20 }), JSON.stringify(c)]) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain('KEY-SECRET')
    }
  })
})

describe('queries as pg runs them', () => {
  it('queries issued before connect() wait for it; end() before connect fails them with pg\'s text', async () => {
    const c = new Client(base)
    const early = c.query('select 1 as early')
    await c.connect()
    expect((await early).rows).toEqual([{ early: 1 }])
    await c.end()

    const never = new Client(base)
    const queued = never.query('select 1')
    await never.end()
    await expect(queued).rejects.toThrow('Client was closed and is not queryable')
    await expect(never.query('select 1')).rejects.toThrow('Client was closed and is not queryable')
  })

  it('a named statement runs again by name alone; one name never stands for two texts; a failed one is forgotten', async () => {
    const first = await client.query({ name: 'compat_n1', text: 'select $1::int * 2 as x', values: [2] })
    expect(first.rows).toEqual([{ x: 4 }])
    expect((await client.query({ name: 'compat_n1', values: [5] } as unknown as { text: string })).rows).toEqual([{ x: 10 }])
    await expect(client.query({ name: 'compat_n1', text: 'select 2', values: [] })).rejects.toThrow(
      "Prepared statements must be unique - 'compat_n1' was used for a different statement",
    )
    await expect(client.query({ name: 'compat_bad', text: 'select $1::no_such_type', values: [1] })).rejects.toMatchObject({ code: '42704' })
    expect((await client.query({ name: 'compat_bad', text: 'select $1::int as n', values: [3] })).rows).toEqual([{ n: 3 }])
  })

  it('getTransactionStatus() follows the session: null before connect, then I, T, E', async () => {
    const c = new Client(base)
    expect(c.getTransactionStatus()).toBeNull()
    await c.connect()
    expect(c.getTransactionStatus()).toBe('I')
    await c.query('begin')
    expect(c.getTransactionStatus()).toBe('T')
    await c.query('select 1/0').catch(() => undefined)
    expect(c.getTransactionStatus()).toBe('E')
    await c.query('rollback')
    expect(c.getTransactionStatus()).toBe('I')
    await c.end()
  })

  it('client.setTypeParser changes that client only', async () => {
    const c = new Client(base)
    await c.connect()
    c.setTypeParser(23, (v: string) => `int4:${v}`)
    expect((await c.query('select 7::int4 as n')).rows).toEqual([{ n: 'int4:7' }])
    expect((await client.query('select 7::int4 as n')).rows).toEqual([{ n: 7 }])
    expect(c.getTypeParser(23)('8')).toBe('int4:8')
    await c.end()
  })

  it("query_timeout (client and per query) fails with pg's 'Query read timeout'; the session stays usable", async () => {
    const c = new Client({ ...base, query_timeout: 200 })
    await c.connect()
    const started = Date.now()
    await expect(c.query('select pg_sleep(5)')).rejects.toThrow('Query read timeout')
    expect(Date.now() - started).toBeLessThan(3000)
    expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
    await expect(client.query({ text: 'select pg_sleep(5)', query_timeout: 150 })).rejects.toThrow('Query read timeout')
    expect((await client.query({ text: 'select 2 as ok', query_timeout: 1000 })).rows).toEqual([{ ok: 2 }])
    await c.end()
  })

  it("'drain' fires once the queued queries are done", async () => {
    const c = new Client(base)
    await c.connect()
    const order: string[] = []
    const drained = new Promise<void>((resolve) => c.once('drain', () => (order.push('drain'), resolve())))
    c.query('select pg_sleep(0.05)').then(() => order.push('q1'))
    c.query('select 2').then(() => order.push('q2'))
    await drained
    expect(order.filter((e) => e !== 'drain')).toEqual(['q1', 'q2'])
    await c.end()
  })

  it('a Buffer parameter is read as the statement needs: text for $1::text, bytes for bytea', async () => {
    const { rows } = await client.query('select $1::text as t, $2::bytea as b, length($3::bytea) as n', [
      Buffer.from('foo'),
      Buffer.from([0, 255]),
      Buffer.from([]),
    ])
    expect(rows[0].t).toBe('foo')
    expect(Buffer.isBuffer(rows[0].b)).toBe(true) // bytea as pg gives it
    expect([...rows[0].b]).toEqual([0, 255])
    expect(rows[0].n).toBe(0)
    await client.query('create temp table compat_posts (body text)')
    const inserted = await client.query('insert into compat_posts (body) values ($1) returning *', [Buffer.from([])])
    expect(inserted.rows).toEqual([{ body: '' }])
  })

  it("the Promise option: connect() and query() return that kind of promise", async () => {
    class MyPromise<T> extends Promise<T> {}
    const c = new Client({ ...base, Promise: MyPromise } as never)
    const connecting = c.connect()
    expect(connecting).toBeInstanceOf(MyPromise)
    await connecting
    const q = c.query('select 1')
    expect(q).toBeInstanceOf(MyPromise)
    await q
    await c.end()
  })

  it('error stacks reach the caller through its awaits (pg re-captures them)', async () => {
    async function innerCompatCaller() {
      await client.query('select * from compat_no_such_table')
    }
    async function outerCompatCaller() {
      await innerCompatCaller()
    }
    const error = (await outerCompatCaller().catch((e: Error) => e)) as Error
    expect(error.stack).toContain('innerCompatCaller')
    expect(error.stack).toContain('outerCompatCaller')
    const pool = new Pool(base)
    async function poolCaller() {
      await pool.query('select * from compat_no_such_table')
    }
    const pooled = (await poolCaller().catch((e: Error) => e)) as Error
    expect(pooled.stack).toContain('poolCaller')
    await pool.end()
  })
})

describe("pg's texts for closed and broken clients", () => {
  it("end() with queries running fails them with 'Connection terminated' (pg destroys the socket); pipeline mode lets them finish", async () => {
    const c = new Client(base)
    await c.connect()
    const running = c.query('select pg_sleep(5)')
    const queued = c.query('select 1')
    await new Promise((r) => setTimeout(r, 50))
    const ended = c.end()
    await expect(running).rejects.toThrow('Connection terminated')
    await expect(queued).rejects.toThrow('Connection terminated')
    await ended

    const piped = new Client({ ...base, pipeline: true })
    const p1 = piped.query('select 1 as n')
    const p2 = piped.query('select 2 as n')
    void piped.connect()
    const endPiped = piped.end()
    expect((await Promise.all([p1, p2])).map((r) => r.rows[0].n)).toEqual([1, 2])
    await endPiped
  })

  it("a server kill: the running query gets the server's error, the ones behind 'Connection terminated unexpectedly', later ones pg's not-queryable text", async () => {
    const app = appName('compat-client-kill')
    const c = new Client(lbUrl([node], { application_name: app }))
    const events: string[] = []
    c.on('error', (e: Error) => events.push(e.message))
    await c.connect()
    const running = c.query('select pg_sleep(5)').catch((e: { code?: string }) => e)
    const behind = c.query('select 1').catch((e: Error) => e)
    await new Promise((r) => setTimeout(r, 100))
    await terminateBackends(node.host, node.port, app)
    expect(((await running) as { code: string }).code).toBe('57P01')
    expect(((await behind) as Error).message).toBe('Connection terminated unexpectedly')
    await expect(c.query('select 1')).rejects.toThrow('Client has encountered a connection error and is not queryable')
    expect(events.length).toBe(1)
  })
})
