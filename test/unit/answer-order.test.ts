/**
 * The byte sequences of the liveness report (issue 12), each against the
 * scripted fake backend: a message out of order ends the session with a
 * ProtocolError (never a result with rows missing), a malformed message in
 * the same chunk as the one before it does not hang connect(), a FATAL error
 * without a close, an ErrorResponse without ReadyForQuery and a silent peer
 * all settle by their deadlines, and a flood of ParameterStatus is refused.
 * The seeded fuzz (hostile-fuzz.test.ts) covers the same ground at random.
 */
import { describe, expect, it } from 'vitest'
import { connect, PgError, ProtocolError, type ClientOptions } from '../../src/index.js'
import { concat, frame, messages, servePerTest, startupOk, type HostileServer, type Scenario } from '../support/hostile-server.js'

const serve = servePerTest()

function options(server: HostileServer, extra: Partial<ClientOptions> = {}): ClientOptions {
  return { host: '127.0.0.1', port: server.port, user: 'u', database: 'db', sslmode: 'disable', connectTimeout: 2000, ...extra } as ClientOptions
}

const { rowDescription: T, dataRow: D, commandComplete: C, readyForQuery: Z } = messages
const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!.map((b) => parseInt(b, 16)))

/** Startup, then the simple queries' answers in one write each, then `end`. */
function answering(...answers: Uint8Array[]): Scenario {
  return [{ receive: 'startup' }, { send: startupOk() }, ...answers.flatMap((a) => [{ receive: 'Q' }, { send: a }]), { wait: 50 }, { close: 'end' }]
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => error,
  )
}

describe('answers out of order end the session with a ProtocolError', () => {
  it.each([
    ['a result without CommandComplete (T D D Z)', concat(T('x'), D('1'), D('2'), Z())],
    ['ReadyForQuery mid-result (T D Z D C Z)', concat(T('x'), D('1'), Z(), D('2'), C('SELECT 2'), Z())],
    ['a second RowDescription mid-result (T D T D C Z)', concat(T('x'), D('1'), T('y'), D('2'), C('SELECT 3'), Z())],
    ['DataRow before any RowDescription (D C Z)', concat(D('1'), C('SELECT 1'), Z())],
    ['ReadyForQuery with no answer at all (Z)', Z()],
  ])('%s', async (_name, answer) => {
    const db = await connect(options(await serve(answering(answer))))
    const error = await outcome(db.query('select x'))
    expect(error).toBeInstanceOf(ProtocolError)
    expect(await db.closed).toBeInstanceOf(ProtocolError)
  })

  it('an extra ReadyForQuery between two pipelined queries fails the second instead of resolving it with no rows', async () => {
    const server = await serve([
      { receive: 'startup' },
      { send: startupOk() },
      { receive: 'Q' },
      { receive: 'Q' },
      { send: concat(T('x'), D('1'), C('SELECT 1'), Z(), Z(), T('x'), D('2'), C('SELECT 1'), Z()) },
      { wait: 50 },
      { close: 'end' },
    ])
    const db = await connect(options(server))
    const [first, second] = await Promise.all([outcome(db.query('select 1')), outcome(db.query('select 2'))])
    expect(first).toMatchObject({ resolved: { rows: [{ x: '1' }] } })
    expect(second).toBeInstanceOf(ProtocolError)
  })

  it('an error mid-result (a cancelled query: T D E Z) rejects with the server error and keeps the session', async () => {
    const cancelled = frame('E', ...['SERROR', 'VERROR', 'C57014', 'Mcanceling statement due to user request'].map((f) => concat(new TextEncoder().encode(f), new Uint8Array([0]))), new Uint8Array([0]))
    const db = await connect(options(await serve(answering(concat(T('x'), D('1'), cancelled, Z()), concat(T('x'), D('2'), C('SELECT 1'), Z())))))
    expect(await outcome(db.query('select pg_sleep(10)'))).toMatchObject({ code: '57014' })
    expect((await db.query('select 2')).rows).toEqual([{ x: '2' }])
  })
})

describe('startup', () => {
  it('a malformed message in the same chunk as AuthenticationOk rejects connect() at once with the real cause', async () => {
    // AuthenticationOk, then a ParameterStatus missing its value; one write, then close.
    const server = await serve([{ receive: 'startup' }, { send: hex('52 00000008 00000000 53 00000006 6100') }, { wait: 50 }, { close: 'end' }])
    const started = performance.now()
    const error = await outcome(connect(options(server, { connectTimeout: 10_000 })))
    expect(performance.now() - started).toBeLessThan(1000)
    expect(error).toBeInstanceOf(ProtocolError)
    expect(error).toMatchObject({ code: 'PGFLEET_PROTOCOL_MALFORMED' })
  })

  it('more than 1000 distinct ParameterStatus names are refused', async () => {
    const flood = concat(...Array.from({ length: 1100 }, (_, i) => messages.parameterStatus(`p${i}`, 'x')))
    const error = await outcome(connect(options(await serve([{ receive: 'startup' }, { send: concat(messages.authOk(), flood) }]))))
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as Error).message).toMatch(/more than 1000 distinct parameters/)
  })
})

describe('a server that stops answering', () => {
  const silentAfter = (answer: Uint8Array): Scenario => [{ receive: 'startup' }, { send: startupOk() }, { receive: 'Q' }, { send: answer }, { wait: 60_000 }]

  it('a FATAL ErrorResponse without a close ends the session at once with that error', async () => {
    const db = await connect(options(await serve(silentAfter(messages.errorResponse('57P01', 'terminating connection due to administrator command')))))
    const started = performance.now()
    const error = await outcome(db.query('select 1'))
    expect(performance.now() - started).toBeLessThan(500)
    expect(error).toBeInstanceOf(PgError)
    expect(error).toMatchObject({ code: '57P01' })
    expect(db.connection.isReady).toBe(false)
  })

  it.each([
    ['an ErrorResponse without ReadyForQuery', messages.errorResponse('42P01', 'no such table', 'ERROR')],
    ['half a result, then silence', concat(T('x'), D('1'))],
    ['nothing at all', new Uint8Array(0)],
  ])('%s: the query settles by query_timeout 300 + cancel_timeout 200 ms (+ slack) and the session is closed', async (_name, answer) => {
    const db = await connect(options(await serve(silentAfter(answer)), { queryTimeout: 300, cancelTimeout: 200 }))
    const started = performance.now()
    const error = await outcome(db.query('select 1'))
    const ms = performance.now() - started
    expect(ms).toBeGreaterThanOrEqual(480)
    expect(ms).toBeLessThan(1000)
    expect(error).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT' })
    expect(await db.closed).toMatchObject({ code: 'PGFLEET_CANCEL_TIMEOUT' })
  })
})
