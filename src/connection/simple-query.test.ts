/**
 * The simple query protocol (simple-query.ts, protocol docs 55.2.2) through
 * a Connection on a fake socket: one Query message, one result per
 * statement, the empty query, an error ending the script, COPY refused or
 * drained, and the answers out of order that end the session.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, PgError, ProtocolError } from '../errors.js'
import { backend as b, INT4, openSession } from './testing/fake-server.js'

const outcome = <T>(promise: Promise<T>): Promise<T | Error> => promise.catch((error: Error) => error)

describe('simple query', () => {
  it('a script of several statements: one Query message, one result per statement; query() returns the last', async () => {
    const { connection, backend } = await openSession()
    const sql = 'select 1 as n; select $$a$$ as s; update t set x = 1'
    const script = connection.simple(sql)
    expect(await backend.read()).toEqual([{ type: 'Query', sql }])
    const answer = [
      b.rowDescription({ name: 'n', oid: INT4 }),
      b.dataRow('1'),
      b.commandComplete('SELECT 1'),
      b.rowDescription('s'),
      b.dataRow('a'),
      b.dataRow(null),
      b.commandComplete('SELECT 2'),
      b.commandComplete('UPDATE 3'),
      b.ready(),
    ]
    backend.send(...answer)
    expect(await script).toMatchObject([
      { command: 'SELECT', rowCount: 1, rows: [{ n: 1 }] },
      { command: 'SELECT', rowCount: 2, rows: [{ s: 'a' }, { s: null }] },
      { command: 'UPDATE', rowCount: 3, rows: [] },
    ])
    const last = connection.query(sql)
    await backend.read()
    backend.send(...answer)
    expect(await last).toMatchObject({ command: 'UPDATE', rowCount: 3 })
  })

  it("rowMode 'array' gives rows as arrays", async () => {
    const { connection, backend } = await openSession()
    const query = connection.query('select 1, 2', undefined, { rowMode: 'array' })
    // With options but no values and no `prepare`, the simple protocol still runs.
    expect((await backend.read()).map((m) => m.type)).toEqual(['Query'])
    backend.send(b.rowDescription({ name: 'a', oid: INT4 }, { name: 'b', oid: INT4 }), b.dataRow('1', '2'), b.commandComplete('SELECT 1'), b.ready())
    expect((await query).rows).toEqual([[1, 2]])
  })

  it('the empty query: EmptyQueryResponse gives an empty result', async () => {
    const { connection, backend } = await openSession()
    const query = connection.query('')
    expect(await backend.read()).toEqual([{ type: 'Query', sql: '' }])
    backend.send(b.emptyQuery(), b.ready())
    expect(await query).toEqual({ command: '', rowCount: null, rows: [], fields: [] })
  })

  it('an ErrorResponse ends the script: the call rejects with the PgError (its query attached); the session stays usable', async () => {
    const { connection, backend } = await openSession()
    const script = outcome(connection.simple('select 1; select 1/0; select 3'))
    await backend.read()
    backend.send(b.rowDescription('x'), b.dataRow('1'), b.commandComplete('SELECT 1'), b.error('22012', 'division by zero'), b.ready())
    const error = await script
    expect(error).toBeInstanceOf(PgError)
    expect(error).toMatchObject({ code: '22012', query: 'select 1; select 1/0; select 3' })
    const next = connection.query('select 4')
    await backend.read()
    backend.send(b.commandComplete('SELECT 0'), b.ready())
    expect(await next).toMatchObject({ command: 'SELECT' })
  })

  it('a query cancelled mid-result (T D E Z) rejects with the server error, not with the rows so far', async () => {
    const { connection, backend } = await openSession()
    const query = outcome(connection.query('select x'))
    await backend.read()
    backend.send(b.rowDescription('x'), b.dataRow('1'), b.error('57014', 'canceling statement due to user request'), b.ready())
    expect(await query).toMatchObject({ code: '57014' })
    expect(connection.isReady).toBe(true)
  })

  it('a result past max_result_bytes: the rows are dropped, a CancelRequest goes out, and the query fails with PGFLEET_RESULT_TOO_LARGE', async () => {
    const { connection, backend, runtime } = await openSession({ maxResultBytes: 10 })
    const query = outcome(connection.query('select x'))
    await backend.read()
    backend.send(b.rowDescription('x'), b.dataRow('aaaa'), b.dataRow('bbbb')) // 8 bytes each with their length words
    const cancel = await runtime.accept()
    expect((await cancel.read()).map((m) => m.type)).toEqual(['CancelRequest'])
    cancel.end()
    backend.send(b.dataRow('c'), b.error('57014', 'canceling statement due to user request'), b.ready())
    expect(await query).toMatchObject({ code: ErrorCode.ResultTooLarge })
    expect(connection.isReady).toBe(true)
  })

  it('COPY FROM STDIN inside query() is refused with CopyFail, and the server error rejects the call', async () => {
    const { connection, backend } = await openSession()
    const query = outcome(connection.query('copy t from stdin'))
    await backend.read()
    backend.send(b.copyIn())
    expect(await backend.read()).toEqual([{ type: 'CopyFail', message: 'COPY FROM STDIN is not supported by query(); use copyFrom()' }])
    backend.send(b.error('57014', 'COPY from stdin failed'), b.ready())
    expect(await query).toMatchObject({ code: '57014' })
  })

  it('COPY TO STDOUT inside query(): the data is read and dropped', async () => {
    const { connection, backend } = await openSession()
    const query = connection.query('copy t to stdout')
    await backend.read()
    backend.send(b.copyOut(), b.copyData('1\n'), b.copyDone(), b.commandComplete('COPY 1'), b.ready())
    expect(await query).toMatchObject({ command: 'COPY', rowCount: 1, rows: [] })
  })
})

describe('answers out of order end the session with a ProtocolError', () => {
  it.each([
    ['ReadyForQuery mid-result (T D Z)', [b.rowDescription('x'), b.dataRow('1'), b.ready()], /ReadyForQuery in the middle of a result/],
    ['ReadyForQuery with no answer at all (Z)', [b.ready()], /ReadyForQuery before any result/],
    ['DataRow before any RowDescription', [b.dataRow('1')], /DataRow without a RowDescription/],
    ['a DataRow with more columns than its RowDescription', [b.rowDescription('a'), b.dataRow('1', '2')], /DataRow with 2 columns, but RowDescription has 1/],
    ['a second ErrorResponse for one query', [b.error('22012', 'one'), b.error('22012', 'two')], /second ErrorResponse/],
    ['a row after the ErrorResponse', [b.error('22012', 'one'), b.rowDescription('x')], /RowDescription after the query's ErrorResponse/],
  ])('%s', async (_name, answer, message) => {
    const { connection, backend } = await openSession()
    const query = outcome(connection.query('select x'))
    await backend.read()
    backend.send(...answer)
    const error = await query
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as Error).message).toMatch(message)
    expect(await connection.closed).toBe(error)
  })
})
