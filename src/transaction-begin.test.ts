/**
 * BEGIN sent with the transaction's first statement (transaction-begin.ts),
 * through runTransaction on a fake socket: the bytes each round trip carries,
 * a BEGIN the server refuses (the statement behind it is skipped, nothing else
 * goes out, the attempt fails with BEGIN's error), statements issued before
 * BEGIN is confirmed, a simple-protocol first statement and an empty body.
 */
import { describe, expect, it } from 'vitest'
import { PgError } from './errors.js'
import { backend as b, openSession } from './connection/testing/fake-server.js'
import { runTransaction } from './transaction.js'

const types = (messages: { type: string }[]) => messages.map((m) => m.type)
const outcome = <T>(promise: Promise<T>): Promise<T | Error> => promise.catch((error: Error) => error)

/** What the server answers to BEGIN sent as Parse, Bind, Execute of the unnamed statement. */
const beginOk = [b.parseComplete(), b.bindComplete(), b.commandComplete('BEGIN')]
/** The answer to a first run of a statement that returns no rows. */
const insertRun = (status: 'I' | 'T' | 'E' = 'T') => [b.parseComplete(), b.bindComplete(), b.noData(), b.commandComplete('INSERT 0 1'), b.ready(status)]

describe('transaction BEGIN with the first statement', () => {
  it('one round trip carries BEGIN and the first statement before a single Sync; COMMIT follows the body', async () => {
    const { connection, backend } = await openSession()
    const done = runTransaction(connection, async (tx) => {
      await tx.query('insert into t values ($1)', [1])
      await tx.query('insert into t values ($1, 2)', [2])
      return 'ok'
    })
    const first = await backend.read()
    expect(types(first)).toEqual(['Parse', 'Bind', 'Execute', 'Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    expect(first[0]).toMatchObject({ name: '', sql: 'begin' })
    expect(first[1]).toMatchObject({ portal: '', statement: '' })
    expect(first[3]).toMatchObject({ name: 'pgfleet_1', sql: 'insert into t values ($1)' })
    backend.send(...beginOk, ...insertRun())
    expect(types(await backend.read())).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    backend.send(...insertRun())
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'commit' }])
    backend.send(b.commandComplete('COMMIT'), b.ready('I'))
    expect(await done).toBe('ok')
    expect(connection.transactionStatus).toBe('I')
  })

  it('a BEGIN the server refuses skips the statement behind it; nothing else is sent and the attempt fails with BEGIN’s error', async () => {
    const { connection, backend } = await openSession()
    const seen: unknown[] = []
    const done = outcome(
      runTransaction(connection, async (tx) => {
        // Both issued at once; the body swallows their errors.
        const settled = await Promise.allSettled([tx.query('insert into t values ($1)', [1]), tx.query('insert into t values ($1)', [2])])
        for (const s of settled) seen.push(s.status === 'rejected' ? s.reason : s.value)
        return 'body finished'
      }),
    )
    const first = await backend.read()
    expect(types(first)).toEqual(['Parse', 'Bind', 'Execute', 'Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    // The server skips every message up to Sync after the error (protocol docs 55.2.3).
    backend.send(b.error('25P02', 'current transaction is aborted, commands ignored until end of transaction block'), b.ready('E'))
    const error = await done
    expect(error).toBeInstanceOf(PgError)
    expect(error).toMatchObject({ code: '25P02', query: 'begin' })
    expect(seen).toEqual([error, error])
    // No second statement, no COMMIT or ROLLBACK: nothing ran outside a transaction.
    expect(backend.take()).toEqual([])
    // The statement the skipped Parse would have created is not taken as cached.
    const again = connection.query('insert into t values ($1)', [3])
    expect(types(await backend.read())).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    backend.send(...insertRun('E'))
    await again
  })

  it('statements issued before BEGIN is confirmed wait for it, then go out in call order', async () => {
    const { connection, backend } = await openSession()
    const done = runTransaction(connection, (tx) =>
      Promise.all([tx.query('select $1::int as a', [1]), tx.query('select 2 as b'), tx.query('select $1::int as c', [3])]),
    )
    const first = await backend.read()
    expect(types(first)).toEqual(['Parse', 'Bind', 'Execute', 'Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    backend.send(...beginOk, ...insertRun())
    const rest = await backend.read()
    expect(types(rest)).toEqual(['Query', 'Parse', 'Bind', 'Describe', 'Execute', 'Sync'])
    expect(rest[0]).toEqual({ type: 'Query', sql: 'select 2 as b' })
    expect(rest[1]).toMatchObject({ sql: 'select $1::int as c' })
    backend.send(b.commandComplete('SELECT 0'), b.ready('T'), ...insertRun())
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'commit' }])
    backend.send(b.commandComplete('COMMIT'), b.ready('I'))
    expect(await done).toHaveLength(3)
  })

  it('a first statement without parameters (simple protocol) is sent once BEGIN has answered', async () => {
    const { connection, backend } = await openSession()
    const done = runTransaction(connection, (tx) => tx.query('update t set v = 1; update t set v = 2'), { isolation: 'serializable' })
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'begin isolation level serializable' }])
    backend.send(b.commandComplete('BEGIN'), b.ready('T'))
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'update t set v = 1; update t set v = 2' }])
    backend.send(b.commandComplete('UPDATE 1'), b.commandComplete('UPDATE 1'), b.ready('T'))
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'commit' }])
    backend.send(b.commandComplete('COMMIT'), b.ready('I'))
    expect(await done).toMatchObject({ command: 'UPDATE', rowCount: 1 })
  })

  it('a body that runs no statement sends nothing (no BEGIN, no COMMIT); one that throws first sends no ROLLBACK', async () => {
    const { connection, backend } = await openSession()
    expect(await runTransaction(connection, () => 42)).toBe(42)
    const thrown = new Error('before any statement')
    expect(await outcome(runTransaction(connection, () => Promise.reject(thrown)))).toBe(thrown)
    expect(backend.take()).toEqual([])
  })
})
