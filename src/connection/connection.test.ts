/**
 * The Connection's own states (connection.ts) against a scripted backend on
 * a fake socket: ready with each ReadyForQuery status, a session that ends
 * by itself (FATAL error, a message valid in no state, a malformed frame,
 * the peer hanging up mid-result) failing everything pending, messages
 * outside any query (notices, notifications, ParameterStatus), a query's
 * deadline sending a CancelRequest, and close() / destroy().
 * Query protocols have their own files (simple-query, extended-query, copy,
 * cursor tests); all use src/connection/testing/fake-server.ts.
 */
import { describe, expect, it, vi } from 'vitest'
import { ConnectionError, ErrorCode, PgError, ProtocolError } from '../errors.js'
import { backend as b, BACKEND_KEY, openSession } from './testing/fake-server.js'

/** What a promise settled with: its value, or the error. */
const outcome = <T>(promise: Promise<T>): Promise<T | Error> => promise.catch((error: Error) => error)

describe('ready: the transaction status follows every ReadyForQuery', () => {
  it("'I' → 'T' (begin) → 'E' (an error in the block) → 'I' (rollback)", async () => {
    const { connection, backend } = await openSession()
    const statuses: string[] = [connection.transactionStatus]
    for (const [sql, answer] of [
      ['begin', [b.commandComplete('BEGIN'), b.ready('T')]],
      ['select 1/0', [b.error('22012', 'division by zero'), b.ready('E')]],
      ['rollback', [b.commandComplete('ROLLBACK'), b.ready('I')]],
    ] as const) {
      const query = outcome(connection.query(sql))
      expect(await backend.read()).toEqual([{ type: 'Query', sql }])
      backend.send(...answer)
      await query
      statuses.push(connection.transactionStatus)
    }
    expect(statuses).toEqual(['I', 'T', 'E', 'I'])
    expect(connection.isReady).toBe(true)
  })
})

describe('messages outside any query', () => {
  it('a notice and a notification mid-result reach the hooks, and the result is whole', async () => {
    const notices: string[] = []
    const notifications: string[] = []
    const { connection, backend } = await openSession({}, {
      onNotice: (n) => notices.push(n.message),
      onNotification: (n) => notifications.push(`${n.channel}:${n.payload}`),
    })
    const query = connection.query('select x')
    await backend.read()
    backend.send(b.rowDescription('x'), b.dataRow('1'), b.notice('careful'), b.notification('jobs', '42'), b.dataRow('2'), b.commandComplete('SELECT 2'), b.ready())
    expect((await query).rows).toEqual([{ x: '1' }, { x: '2' }])
    expect(notices).toEqual(['careful'])
    expect(notifications).toEqual(['jobs:42'])
  })

  it('a notification while idle is delivered; a ParameterStatus updates `parameters`', async () => {
    const { connection, backend } = await openSession()
    const got: string[] = []
    connection.events.on('notification', (n) => got.push(n.payload))
    backend.send(b.notification('jobs', 'idle'), b.parameterStatus('TimeZone', 'UTC'))
    expect(got).toEqual(['idle'])
    expect(connection.parameters.get('TimeZone')).toBe('UTC')
    expect(connection.isReady).toBe(true)
  })
})

describe('the session ends by itself: every pending operation fails, `closed` resolves once with the reason', () => {
  it('a FATAL ErrorResponse (57P01) without a close ends the session at once with that PgError', async () => {
    const onError = vi.fn()
    const { connection, backend } = await openSession({}, { onError })
    const first = outcome(connection.query('select 1'))
    const second = outcome(connection.query('select 2'))
    expect(await backend.read()).toHaveLength(2) // pipelined: both written before any answer
    backend.send(b.error('57P01', 'terminating connection due to administrator command', 'FATAL'))
    const [a, c] = await Promise.all([first, second])
    expect(a).toBeInstanceOf(PgError)
    expect(a).toMatchObject({ code: '57P01' })
    expect(c).toBe(a)
    expect(await connection.closed).toBe(a)
    expect(onError).toHaveBeenCalledWith(a)
    expect(connection.isReady).toBe(false)
    expect(connection.endError).toBe(a)
    expect(backend.ended).toBe('destroy')
    expect(await outcome(connection.query('select 3'))).toMatchObject({ code: ErrorCode.NotReady, cause: a })
  })

  it('a message the running query does not expect (ParseComplete in a simple query) fails it and everything queued', async () => {
    const { connection, backend } = await openSession()
    const pending = [connection.query('select 1'), connection.query('select 2'), connection.query('select 3')].map(outcome)
    await backend.read()
    backend.send(b.parseComplete())
    const errors = await Promise.all(pending)
    for (const error of errors) expect(error).toBeInstanceOf(ProtocolError)
    expect((errors[0] as Error).message).toMatch(/ParseComplete during a simple query/)
    expect(await connection.closed).toBeInstanceOf(ProtocolError)
    expect(backend.ended).toBe('destroy')
  })

  it('a DataRow while no query runs ends an idle session with a ProtocolError', async () => {
    const onError = vi.fn()
    const { connection, backend } = await openSession({}, { onError })
    backend.send(b.dataRow('1'))
    const reason = await connection.closed
    expect(reason).toBeInstanceOf(ProtocolError)
    expect(reason?.message).toMatch(/DataRow while no query was running/)
    expect(onError).toHaveBeenCalledOnce()
  })

  it('a frame with an unknown type byte fails the running query with a ProtocolError', async () => {
    const { connection, backend } = await openSession()
    const query = outcome(connection.query('select 1'))
    await backend.read()
    backend.sendBytes(new Uint8Array([0x7e, 0, 0, 0, 4])) // '~', length 4
    expect(await query).toBeInstanceOf(ProtocolError)
    expect(await connection.closed).toBeInstanceOf(ProtocolError)
  })

  it('the peer hanging up mid-result fails the query (never a result with rows missing) and the one queued behind it', async () => {
    const { connection, backend } = await openSession()
    const first = outcome(connection.query('select x'))
    const second = outcome(connection.query('select y'))
    await backend.read()
    backend.send(b.rowDescription('x'), b.dataRow('1'), b.dataRow('2'))
    backend.end(new Error('read ECONNRESET'))
    for (const error of await Promise.all([first, second])) {
      expect(error).toBeInstanceOf(ConnectionError)
      expect(error).toMatchObject({ code: ErrorCode.ConnectionClosed, message: expect.stringContaining('read ECONNRESET') })
    }
    expect(await connection.closed).toMatchObject({ code: ErrorCode.ConnectionClosed })
  })
})

describe('deadlines', () => {
  it('a query past its timeout sends a CancelRequest with the session key on a new connection; the 57014 rejects it and the session stays usable', async () => {
    const { connection, backend, runtime } = await openSession({ queryTimeout: 20 })
    const query = outcome(connection.query('select pg_sleep(10)'))
    await backend.read()
    const cancel = await runtime.accept()
    expect(await cancel.read()).toEqual([{ type: 'CancelRequest', ...BACKEND_KEY }])
    cancel.end()
    backend.send(b.error('57014', 'canceling statement due to user request'), b.ready())
    expect(await query).toMatchObject({ code: ErrorCode.QueryTimeout, cause: { code: '57014' } })
    const next = connection.query('select 1')
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'select 1' }])
    backend.send(b.commandComplete('SELECT 0'), b.ready())
    expect(await next).toMatchObject({ command: 'SELECT', rowCount: 0 })
  })

  it('a query timed out behind a running one is rejected at once; its CancelRequest waits until it runs alone, and holds later writes until its answer', async () => {
    const { connection, backend, runtime } = await openSession()
    const running = connection.query('select 1')
    const behind = outcome(connection.query('select 2', undefined, { timeoutMs: 10 }))
    await backend.read()
    expect(await behind).toMatchObject({ code: ErrorCode.QueryTimeout }) // the one ahead runs on, uncancelled
    expect(runtime.dials).toHaveLength(1)
    backend.send(b.commandComplete('SELECT 0'), b.ready())
    await running
    const cancel = await runtime.accept() // 'select 2' now runs alone: it is cancelled
    expect(await cancel.read()).toEqual([{ type: 'CancelRequest', ...BACKEND_KEY }])
    const later = connection.query('select 3')
    cancel.end()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(backend.take()).toEqual([]) // held: the cancel could still hit whatever is written now
    backend.send(b.error('57014', 'canceling statement due to user request'), b.ready())
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'select 3' }])
    backend.send(b.commandComplete('SELECT 0'), b.ready())
    await later
  })

  it('an aborted signal rejects before anything is written', async () => {
    const { connection, backend } = await openSession()
    const controller = new AbortController()
    controller.abort(new Error('user gave up'))
    expect(await outcome(connection.query('select 1', undefined, { signal: controller.signal }))).toMatchObject({ code: ErrorCode.Aborted })
    await Promise.resolve()
    expect(backend.take()).toEqual([])
  })
})

describe('the queue', () => {
  // DEFECT (connection.ts track/start): Connection.start() pushes the operation on `sent` before
  // op.send() encodes it; when encoding throws (a NUL in the SQL: Writer.cstring throws TypeError)
  // the call rejects but the operation stays first in `sent`. The next query's answer then goes to
  // it: a simple query never settles (checked against PostgreSQL 15: it hangs), an extended one
  // ends the session with "ParseComplete the query did not ask for". Same for copyFrom/copyTo/cursor.
  it('a query whose SQL cannot be encoded (a NUL) is rejected without staying queued, and the next query works', async () => {
    const { connection, backend } = await openSession()
    expect(await outcome(connection.query('select 1\0'))).toBeInstanceOf(TypeError)
    expect(connection.pending).toBe(0)
    const next = connection.query('select 2')
    await backend.read()
    backend.send(b.rowDescription('x'), b.dataRow('2'), b.commandComplete('SELECT 1'), b.ready())
    const settled = await Promise.race([next, new Promise((resolve) => setTimeout(() => resolve('still pending'), 50))])
    expect(settled).toMatchObject({ rows: [{ x: '2' }] })
  })
})

describe('closing', () => {
  it('close() waits for the running query, then sends Terminate and ends the socket; `closed` resolves with undefined', async () => {
    const { connection, backend } = await openSession()
    const query = connection.query('select 1')
    await backend.read()
    const closing = connection.close()
    expect(connection.isReady).toBe(false)
    expect(await outcome(connection.query('select 2'))).toMatchObject({ code: ErrorCode.NotReady })
    backend.send(b.commandComplete('SELECT 0'), b.ready())
    await query
    await closing
    expect(backend.take()).toEqual([{ type: 'Terminate' }])
    expect(backend.ended).toBe('close')
    expect(await connection.closed).toBeUndefined()
  })

  it('close() with a query that never finishes destroys the session after timeoutMs (PGFLEET_CLOSE_TIMEOUT)', async () => {
    const { connection, backend } = await openSession()
    const query = outcome(connection.query('select pg_sleep(10)'))
    await backend.read()
    await connection.close({ timeoutMs: 10 })
    expect(await query).toMatchObject({ code: ErrorCode.CloseTimeout })
    expect(backend.ended).toBe('destroy')
    expect(backend.take()).toEqual([]) // no Terminate on a session given up
  })

  it('destroy() rejects what is pending with PGFLEET_DESTROYED', async () => {
    const { connection, backend } = await openSession()
    const query = outcome(connection.query('select 1'))
    await backend.read()
    connection.destroy()
    expect(await query).toMatchObject({ code: ErrorCode.Destroyed })
    expect(await connection.closed).toBeUndefined()
    expect(backend.ended).toBe('destroy')
  })
})
