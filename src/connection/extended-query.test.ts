/**
 * The extended query protocol (extended-query.ts, protocol docs 55.2.3)
 * through a Connection on a fake socket: Parse / Bind / Describe / Execute /
 * Sync on the first run, Bind / Execute / Sync with binary results from the
 * statement cache after, pipelined queries where an error fails only its own
 * query, re-preparing a statement the server lost, and answers out of order.
 */
import { describe, expect, it } from 'vitest'
import type { ConnectOptions } from '../config/types.js'
import { PgError, ProtocolError } from '../errors.js'
import type { BackendMessage } from '../protocol/messages.js'
import { dataRow, decodeFrontendMessages } from '../protocol/testing/index.js'
import { backend as b, INT4, openSession, type FakeSession } from './testing/fake-server.js'

const outcome = <T>(promise: Promise<T>): Promise<T | Error> => promise.catch((error: Error) => error)
const types = (messages: { type: string }[]) => messages.map((m) => m.type)
const decoder = new TextDecoder()

/** The answer to a first run (Parse, Bind, Describe, Execute, Sync) of a one-int4-column query. */
const firstRun = (...values: string[]): BackendMessage[] => [
  b.parseComplete(),
  b.bindComplete(),
  b.rowDescription({ name: 'n', oid: INT4 }),
  ...values.map((v) => b.dataRow(v)),
  b.commandComplete(`SELECT ${values.length}`),
  b.ready(),
]

/** A session on which `select n` ran once, so its statement is cached as pgfleet_1. */
async function warmed(options: ConnectOptions = {}): Promise<FakeSession> {
  const session = await openSession(options)
  const warm = session.connection.query('select n', [])
  await session.backend.answer(...firstRun('1'))
  await warm
  return session
}

describe('extended query', () => {
  it('first run: Parse (named), Bind, Describe portal, Execute, Sync; the second run of the same SQL: Bind and Execute only, with binary results', async () => {
    const { connection, backend } = await openSession()
    const first = connection.query('select $1::int4 as n', [1])
    const written = await backend.read()
    expect(types(written)).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    expect(written[0]).toMatchObject({ name: 'pgfleet_1', sql: 'select $1::int4 as n' })
    expect(written[1]).toMatchObject({ portal: '', statement: 'pgfleet_1', resultFormats: [] })
    expect(decoder.decode((written[1] as { params: Uint8Array[] }).params[0])).toBe('1')
    expect(written[2]).toEqual({ type: 'Describe', kind: 'P', name: '' })
    expect(written[3]).toEqual({ type: 'Execute', portal: '', maxRows: 0 })
    backend.send(...firstRun('1'))
    expect(await first).toMatchObject({ command: 'SELECT', rowCount: 1, rows: [{ n: 1 }] })

    const second = connection.query('select $1::int4 as n', [2])
    const again = await backend.read()
    expect(types(again)).toEqual(['Bind', 'Execute', 'Sync'])
    expect(again[0]).toMatchObject({ statement: 'pgfleet_1', resultFormats: [1] }) // int4 decodes faster in binary
    backend.send(b.bindComplete(), dataRow([new Uint8Array([0, 0, 0, 2])]), b.commandComplete('SELECT 1'), b.ready())
    expect((await second).rows).toEqual([{ n: 2 }])
  })

  it('prepare: false uses the unnamed statement every time', async () => {
    const { connection, backend } = await openSession()
    for (let i = 0; i < 2; i++) {
      const query = connection.query('select 1 as n', [], { prepare: false })
      const written = await backend.read()
      expect(types(written)).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
      expect(written[0]).toMatchObject({ name: '' })
      backend.send(...firstRun('1'))
      await query
    }
  })

  it('a statement without rows (NoData) and the empty query (EmptyQueryResponse)', async () => {
    const { connection, backend } = await openSession()
    const insert = connection.query('insert into t values ($1)', ['x'])
    await backend.read()
    backend.send(b.parseComplete(), b.bindComplete(), b.noData(), b.commandComplete('INSERT 0 1'), b.ready())
    expect(await insert).toEqual({ command: 'INSERT', rowCount: 1, rows: [], fields: [] })
    const empty = connection.query('', [])
    await backend.read()
    backend.send(b.parseComplete(), b.bindComplete(), b.noData(), b.emptyQuery(), b.ready())
    expect(await empty).toEqual({ command: '', rowCount: null, rows: [], fields: [] })
  })

  it('an ErrorResponse after CommandComplete (a deferred constraint at the implicit commit) rejects the query', async () => {
    const { connection, backend } = await openSession()
    const query = outcome(connection.query('insert into t values ($1)', [1]))
    await backend.read()
    backend.send(b.parseComplete(), b.bindComplete(), b.noData(), b.commandComplete('INSERT 0 1'), b.error('23503', 'violates foreign key constraint'), b.ready())
    expect(await query).toMatchObject({ code: '23503', query: 'insert into t values ($1)' })
  })
})

describe('pipelining', () => {
  it('three queries in one tick go out in one write; an error in the middle one fails only that query', async () => {
    const { connection, backend } = await openSession()
    const queries = ['select 1 as n', 'select bad', 'select 3 as n'].map((sql) => outcome(connection.query(sql, [])))
    expect(backend.socket.takeWrites()).toHaveLength(0) // nothing before the end of the tick
    await backend.socket.nextWrite()
    const writes = backend.socket.takeWrites()
    expect(writes).toHaveLength(1)
    const perQuery = ['Parse', 'Bind', 'Describe', 'Execute', 'Sync']
    expect(types(decodeFrontendMessages(writes[0]!))).toEqual([...perQuery, ...perQuery, ...perQuery])
    backend.send(...firstRun('1'), b.error('42703', 'column "bad" does not exist'), b.ready(), ...firstRun('3'))
    const [one, two, three] = await Promise.all(queries)
    expect(one).toMatchObject({ rows: [{ n: 1 }] })
    expect(two).toBeInstanceOf(PgError)
    expect(two).toMatchObject({ code: '42703', query: 'select bad' })
    expect(three).toMatchObject({ rows: [{ n: 3 }] })
    expect(connection.isReady).toBe(true)
    expect(connection.pending).toBe(0)
  })

  it('a statement whose Parse failed is forgotten: the next run of its SQL closes it and parses a new one', async () => {
    const { connection, backend } = await openSession()
    const failing = outcome(connection.query('select oops', []))
    await backend.read()
    backend.send(b.error('42601', 'syntax error'), b.ready())
    expect(await failing).toBeInstanceOf(PgError)
    const retry = connection.query('select oops', [])
    const written = await backend.read()
    expect(types(written)).toEqual(['Close', 'Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    expect(written[0]).toEqual({ type: 'Close', kind: 'S', name: 'pgfleet_1' })
    expect(written[1]).toMatchObject({ name: 'pgfleet_2' })
    backend.send(b.closeComplete(), ...firstRun('5'))
    expect((await retry).rows).toEqual([{ n: 5 }])
  })

  it('a cached statement the server lost (26000 at Bind) is re-prepared and the query retried once, unseen by the caller', async () => {
    const { connection, backend } = await warmed()
    const query = connection.query('select n', [])
    expect(types(await backend.read())).toEqual(['Bind', 'Execute', 'Sync'])
    backend.send(b.error('26000', 'prepared statement "pgfleet_1" does not exist'), b.ready())
    const retried = await backend.read()
    expect(types(retried)).toEqual(['Close', 'Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    backend.send(b.closeComplete(), ...firstRun('7'))
    expect((await query).rows).toEqual([{ n: 7 }])
  })
})

describe('statement cache', () => {
  it('statementCacheSize=1: a second SQL text closes the evicted statement before parsing its own (CloseComplete comes first)', async () => {
    const { connection, backend } = await warmed({ statementCacheSize: 1 })
    const second = connection.query('select 2 as n', [])
    const written = await backend.read()
    expect(types(written)).toEqual(['Close', 'Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    expect(written.slice(0, 2)).toMatchObject([{ kind: 'S', name: 'pgfleet_1' }, { name: 'pgfleet_2' }])
    backend.send(b.closeComplete(), ...firstRun('2'))
    expect((await second).rows).toEqual([{ n: 2 }])
  })

  it('SQL that cannot be encoded (a NUL) changes nothing: no statement evicted or cached, the Close still goes with the next query', async () => {
    const { connection, backend } = await warmed({ statementCacheSize: 1 })
    await expect(connection.query('select 2\0 as n', [])).rejects.toThrow(/NUL/)
    // pgfleet_1 was neither evicted nor replaced by a statement the server never parsed.
    const same = connection.query('select n', [])
    expect(types(await backend.read())).toEqual(['Bind', 'Execute', 'Sync'])
    backend.send(b.bindComplete(), dataRow([new Uint8Array([0, 0, 0, 1])]), b.commandComplete('SELECT 1'), b.ready())
    expect((await same).rows).toEqual([{ n: 1 }])
    const second = connection.query('select 2 as n', [])
    const written = await backend.read()
    expect(written.slice(0, 2)).toMatchObject([{ type: 'Close', kind: 'S', name: 'pgfleet_1' }, { type: 'Parse', name: 'pgfleet_2' }])
    backend.send(b.closeComplete(), ...firstRun('2'))
    expect((await second).rows).toEqual([{ n: 2 }])
  })

  it('DEALLOCATE ALL through the extended protocol empties the cache: the next run parses again', async () => {
    const { connection, backend } = await warmed()
    const deallocate = connection.query('deallocate all', [])
    await backend.answer(b.parseComplete(), b.bindComplete(), b.noData(), b.commandComplete('DEALLOCATE ALL'), b.ready())
    await deallocate
    const again = connection.query('select n', [])
    expect(types(await backend.read())).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    backend.send(...firstRun('1'))
    await again
  })

  // DEFECT (simple-query.ts): only ExtendedQuery clears the statement cache on a DEALLOCATE ALL /
  // DISCARD ALL tag; query('deallocate all') without values runs the simple protocol and leaves the
  // cache naming statements the server dropped. Outside a transaction the 26000 retry hides it;
  // inside one, the next cached query fails with 26000 and aborts the user's transaction (checked
  // against PostgreSQL 15: begin; deallocate all; a cached query → 26000, status E).
  it('DEALLOCATE ALL through the simple protocol also empties the cache (inside a transaction a stale statement aborts it)', async () => {
    const { connection, backend } = await warmed()
    for (const [sql, tag] of [['begin', 'BEGIN'], ['deallocate all', 'DEALLOCATE ALL']]) {
      const step = connection.query(sql!)
      await backend.answer(b.commandComplete(tag!), b.ready('T'))
      await step
    }
    void outcome(connection.query('select n', []))
    expect(types(await backend.read())).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
  })
})

describe('answers out of order end the session with a ProtocolError', () => {
  it.each([
    ['ReadyForQuery before the query completed', [b.parseComplete(), b.bindComplete(), b.ready()], /ReadyForQuery before the query completed/],
    ['DataRow before BindComplete', [b.parseComplete(), b.dataRow('1')], /DataRow out of order/],
    ['BindComplete before ParseComplete', [b.bindComplete()], /BindComplete before ParseComplete/],
    ['a CloseComplete the query did not ask for', [b.closeComplete()], /CloseComplete the query did not ask for/],
    ['PortalSuspended (no row limit was asked)', [b.parseComplete(), b.bindComplete(), b.rowDescription('x'), b.portalSuspended()], /PortalSuspended during an extended query/],
  ])('%s', async (_name, answer, message) => {
    const { connection, backend } = await openSession()
    const query = outcome(connection.query('select x', []))
    const behind = outcome(connection.query('select y', []))
    await backend.read()
    backend.send(...answer)
    const error = await query
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as Error).message).toMatch(message)
    expect(await behind).toBe(error)
  })
})
