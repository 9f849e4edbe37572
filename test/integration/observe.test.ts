/**
 * Query events (src/observe) and the OpenTelemetry integration (pgfleet/otel)
 * against the real servers: what every query, connect, pool acquire and
 * balancer decision reports, the same events on Node's diagnostics_channel,
 * and the spans the OTel SDK records (InMemorySpanExporter) with the database
 * semantic conventions. One span is printed (PGFLEET_PRINT_SPAN=1) for the
 * README and the issue note.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createPool, observe, PgError, type PgfleetEvent } from '../../src/index.js'
import { Pool as PgPool } from '../../src/pg.js'
import { instrument } from '../../src/otel.js'
import { appName, inOrder, lbUrl } from '../support/balancing.js'
import { DATABASE, TRUST_USER } from '../support/users.js'
import { harness, setTopology } from '../support/harness.js'

const TOPOLOGY = 'observe'
const pg = harness()
const nodes = pg.nodes
const node = nodes[0]!
const url = (params: Record<string, string | number | boolean> = {}) => lbUrl([node], { application_name: appName('observe'), ...params })

/** Collect events while `run` runs (only those of this test's sessions: matched by `keep`). */
async function recording<T>(run: () => Promise<T>, keep: (e: PgfleetEvent) => boolean = () => true): Promise<{ events: PgfleetEvent[]; value: T }> {
  const events: PgfleetEvent[] = []
  const off = observe((e) => {
    if (keep(e)) events.push(e)
  })
  try {
    const value = await run()
    // query:end is delivered in a reaction queued before the caller's own: give it a tick anyway.
    await Promise.resolve()
    return { events, value }
  } finally {
    off()
  }
}

beforeAll(async () => {
  await setTopology(TOPOLOGY, pg.defaultTopology)
})

describe('query events', () => {
  it('a query reports start and end: text, parameter count, node, session, duration, command and rows; values never', async () => {
    const db = await connect(url())
    try {
      const { events } = await recording(() => db.query('select g from generate_series(1, $1::int) g', [3]), (e) => 'processId' in e && e.processId === db.processId)
      expect(events.map((e) => e.type)).toEqual(['query:start', 'query:end'])
      const [start, end] = events as [Extract<PgfleetEvent, { type: 'query:start' }>, Extract<PgfleetEvent, { type: 'query:end' }>]
      expect(start).toMatchObject({
        text: 'select g from generate_series(1, $1::int) g',
        params: 1,
        node: { host: node.host, port: node.port },
        database: DATABASE,
        user: TRUST_USER,
        processId: db.processId,
      })
      expect(end).toMatchObject({ id: start.id, command: 'SELECT', rows: 3 })
      expect(end.durationMs).toBeGreaterThanOrEqual(0)
      expect(end.time).toBeGreaterThanOrEqual(start.time)
      expect(JSON.stringify(events)).not.toContain('"3"')
      expect(end.error).toBeUndefined()
    } finally {
      await db.close()
    }
  })

  it('a failed query reports its SQLSTATE and error; the session stays usable; a simple script, a stream and COPY report too', async () => {
    const db = await connect(url())
    try {
      const { events } = await recording(
        async () => {
          await expect(db.query('select 1/0')).rejects.toBeInstanceOf(PgError)
          await db.query('create temp table obs (x int); insert into obs values (1), (2)')
          let streamed = 0
          for await (const _ of db.stream('select x from obs', [])) streamed++
          expect(streamed).toBe(2)
          const copied = await db.copyFrom('copy obs from stdin', ['3\n4\n'])
          expect(copied.rowCount).toBe(2)
          return db.query('select count(*)::int as n from obs')
        },
        (e) => e.type === 'query:end' && e.processId === db.processId,
      )
      const ends = events as Extract<PgfleetEvent, { type: 'query:end' }>[]
      expect(ends.map((e) => [e.text, e.sqlstate ?? null, e.command ?? null, e.rows ?? null])).toEqual([
        ['select 1/0', '22012', null, null],
        ['create temp table obs (x int); insert into obs values (1), (2)', null, 'INSERT', 2],
        ['select x from obs', null, 'SELECT', 2],
        ['copy obs from stdin', null, null, 2],
        ['select count(*)::int as n from obs', null, 'SELECT', 1],
      ])
      expect(ends[0]!.error).toBeInstanceOf(PgError)
    } finally {
      await db.close()
    }
  })

  it('a pool reports each acquire (counts before, session handed out) and each new session (connect start/end with node and TLS)', async () => {
    const pool = createPool(lbUrl([node], { application_name: appName('observe-pool'), load_balance: true }, { topology: TOPOLOGY }), { max: 3 })
    try {
      const { events } = await recording(
        async () => {
          // Three held at once: three new sessions, one per node.
          const held = await Promise.all([pool.connect(), pool.connect(), pool.connect()])
          held.forEach((c) => c.release())
          await Promise.all(Array.from({ length: 3 }, (_, i) => pool.query('select $1::int as i', [i])))
        },
        (e) => e.type !== 'query:start' && e.type !== 'query:end',
      )
      const acquires = events.filter((e) => e.type === 'acquire:end') as Extract<PgfleetEvent, { type: 'acquire:end' }>[]
      expect(acquires).toHaveLength(6)
      expect(acquires.every((a) => a.error === undefined && a.session !== undefined && a.database === DATABASE)).toBe(true)
      const starts = events.filter((e) => e.type === 'acquire:start') as Extract<PgfleetEvent, { type: 'acquire:start' }>[]
      expect(starts[0]!.pool).toEqual({ total: 0, idle: 0, active: 0, waiting: 0, pending: 0 })
      const connects = events.filter((e) => e.type === 'connect:end') as Extract<PgfleetEvent, { type: 'connect:end' }>[]
      expect(connects).toHaveLength(3)
      expect(connects.every((c) => c.error === undefined && c.encrypted === false && typeof c.processId === 'number')).toBe(true)
      // Load balancing on: one decision per new session, each choosing among the three nodes.
      const picks = events.filter((e) => e.type === 'balancer:pick') as Extract<PgfleetEvent, { type: 'balancer:pick' }>[]
      expect(picks).toHaveLength(3)
      expect(picks.every((p) => p.balancer === 'any' && p.candidates.length === 3 && p.chosen !== undefined)).toBe(true)
      expect(inOrder(new Map(countBy(picks.map((p) => p.chosen!.host))), nodes)).toEqual([1, 1, 1])
      expect(new Set(connects.map((c) => c.node.host))).toEqual(new Set(nodes.map((n) => n.host)))
    } finally {
      await pool.end()
    }
  })

  it('a connect that fails reports its error', async () => {
    const { events } = await recording(
      () => connect(lbUrl([{ host: node.host, port: node.port }], {}, { database: 'no_such_db_observe' })).then(() => undefined, (e: unknown) => e),
      (e) => e.type === 'connect:end' && e.database === 'no_such_db_observe',
    )
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ type: 'connect:end', sqlstate: '3D000' })
  })

  it('with no subscriber nothing is reported; pgfleet/pg queries report through the same hub', async () => {
    const seen: PgfleetEvent[] = []
    const off = observe((e) => seen.push(e))
    off()
    const facade = new PgPool({ connectionString: url(), max: 1 })
    try {
      await facade.query('select 1')
      expect(seen).toEqual([])
      const { events } = await recording(() => facade.query('select $1::text as t', ['x']), (e) => e.type === 'query:end')
      expect(events).toMatchObject([{ type: 'query:end', text: 'select $1::text as t', params: 1, command: 'SELECT', rows: 1 }])
    } finally {
      await facade.end()
    }
  })
})

describe('diagnostics_channel (Node)', () => {
  it('publishes every event on pgfleet:<type> for channel subscribers, with no observe() subscriber', async () => {
    const got: [string, PgfleetEvent][] = []
    const onStart = (m: unknown) => void got.push(['start', m as PgfleetEvent])
    const onEnd = (m: unknown) => void got.push(['end', m as PgfleetEvent])
    const db = await connect(url())
    subscribe('pgfleet:query:start', onStart)
    subscribe('pgfleet:query:end', onEnd)
    try {
      await db.query('select 42 as answer')
    } finally {
      unsubscribe('pgfleet:query:start', onStart)
      unsubscribe('pgfleet:query:end', onEnd)
    }
    await db.query('select 43')
    await db.close()
    const mine = got.filter(([, e]) => 'processId' in e && e.processId === db.processId)
    expect(mine.map(([channel, e]) => [channel, e.type, 'text' in e ? e.text : ''])).toEqual([
      ['start', 'query:start', 'select 42 as answer'],
      ['end', 'query:end', 'select 42 as answer'],
    ])
  })
})

describe('OpenTelemetry (pgfleet/otel with the SDK’s in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  let stop: () => void

  beforeAll(() => {
    stop = instrument(provider.getTracer('pgfleet-test'))
  })
  afterAll(async () => {
    stop()
    await provider.shutdown()
  })

  it('a query span carries the database conventions; values are left out of db.query.text', async () => {
    exporter.reset()
    const db = await connect(url())
    try {
      await db.query('select $1::int + 1 as n', [41])
      await db.query("select 'ada@example.com' as email, 42 as n")
    } finally {
      await db.close()
    }
    const spans = queries(exporter.getFinishedSpans(), node.port)
    expect(spans).toHaveLength(2)
    const [bound, literal] = spans as [ReadableSpan, ReadableSpan]
    expect(bound.name).toBe(`SELECT ${DATABASE}`)
    expect(bound.kind).toBe(2) // CLIENT
    expect(bound.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.namespace': DATABASE,
      'db.query.text': 'select $1::int + 1 as n',
      'db.operation.name': 'SELECT',
      'server.address': node.host,
      'server.port': node.port,
      'db.response.returned_rows': 1,
    })
    expect(bound.status.code).toBe(0) // UNSET: success
    expect(literal.attributes['db.query.text']).toBe('select ? as email, ? as n')
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('ada@example.com')
    if (process.env.PGFLEET_PRINT_SPAN) console.log(JSON.stringify({ name: bound.name, kind: bound.kind, attributes: bound.attributes, status: bound.status, durationMs: bound.duration[0] * 1e3 + bound.duration[1] / 1e6 }, null, 2))
  })

  it('a failed query ends its span with error status, db.response.status_code and error.type = SQLSTATE, and the exception', async () => {
    exporter.reset()
    const db = await connect(url())
    try {
      await db.query('create temp table u (e text unique)')
      await db.query('insert into u values ($1)', ['x'])
      await expect(db.query('insert into u values ($1)', ['x'])).rejects.toMatchObject({ code: '23505' })
      await expect(db.query('select pg_sleep(5)', [], { timeoutMs: 50 })).rejects.toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT' })
    } finally {
      await db.close()
    }
    const spans = queries(exporter.getFinishedSpans(), node.port)
    const failed = spans.find((s) => s.attributes['db.response.status_code'] === '23505')!
    expect(failed.name).toBe(`INSERT ${DATABASE}`)
    expect(failed.status).toMatchObject({ code: 2 })
    expect(failed.status.message).toContain('duplicate key')
    expect(failed.attributes['error.type']).toBe('23505')
    expect(failed.events.map((e) => e.name)).toEqual(['exception'])
    // A client-side failure: no SQLSTATE of its own (the cancel's 57014 is not the call's outcome), the pgfleet code as error.type.
    const timedOut = spans.find((s) => s.attributes['db.query.text'] === 'select pg_sleep(?)')!
    expect(timedOut.attributes['error.type']).toBe('PGFLEET_QUERY_TIMEOUT')
    expect(timedOut.status.code).toBe(2)
  })

  it('connect and pool acquire spans; a failed connect has its SQLSTATE', async () => {
    exporter.reset()
    const pool = createPool(url(), { max: 1 })
    try {
      await pool.query('select 1')
    } finally {
      await pool.end()
    }
    await connect(lbUrl([node], {}, { database: 'no_such_db_otel' })).catch(() => undefined)
    const spans = exporter.getFinishedSpans()
    const acquire = spans.find((s) => s.name === 'pool acquire')!
    expect(acquire.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.namespace': DATABASE, 'server.address': node.host, 'server.port': node.port })
    const connects = spans.filter((s) => s.name === 'connect')
    expect(connects.map((s) => [s.attributes['db.namespace'], s.attributes['db.response.status_code'] ?? null])).toEqual([
      [DATABASE, null],
      ['no_such_db_otel', '3D000'],
    ])
  })
})

function queries(spans: readonly ReadableSpan[], port: number): ReadableSpan[] {
  return spans.filter((s) => s.attributes['server.port'] === port && s.attributes['db.query.text'] !== undefined)
}

function countBy(values: readonly string[]): [string, number][] {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts]
}
