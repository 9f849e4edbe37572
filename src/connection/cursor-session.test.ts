/**
 * A cursor through a Connection on a fake socket (cursor.ts): batches of
 * Execute(n) + Flush over one portal, Sync once the rows are exhausted,
 * the session held for the cursor (a query queued meanwhile is written only
 * after the cursor's ReadyForQuery), and a short DataRow refused.
 * CursorOperation alone, against a recording host, is in power-ops.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors.js'
import { openCursor } from './cursor.js'
import { backend as b, INT4, openSession } from './testing/fake-server.js'

const types = (messages: { type: string }[]) => messages.map((m) => m.type)

describe('cursor', () => {
  it('reads in batches (Execute n + Flush, PortalSuspended between), sends Sync when exhausted, and holds the session until then', async () => {
    const { connection, backend } = await openSession()
    const cursor = openCursor<{ n: number }>(connection, 'select n from t', [], { batchSize: 2 })
    const first = cursor.read()
    const opened = await backend.read()
    // The portal is opened (and flushed) when the cursor is; the first read adds its Execute in the same write.
    expect(types(opened)).toEqual(['Parse', 'Bind', 'Describe', 'Flush', 'Execute', 'Flush'])
    expect(opened[4]).toEqual({ type: 'Execute', portal: '', maxRows: 2 })
    const behind = connection.query('select 1')
    backend.send(b.parseComplete(), b.bindComplete(), b.rowDescription({ name: 'n', oid: INT4 }), b.dataRow('1'), b.dataRow('2'), b.portalSuspended())
    expect(await first).toEqual([{ n: 1 }, { n: 2 }])

    const second = cursor.read()
    expect(await backend.read()).toEqual([{ type: 'Execute', portal: '', maxRows: 2 }, { type: 'Flush' }])
    backend.send(b.dataRow('3'), b.commandComplete('SELECT 3'))
    expect(await second).toEqual([{ n: 3 }])
    expect(await backend.read()).toEqual([{ type: 'Sync' }]) // exhausted: the portal ends without waiting for close()
    expect(await cursor.read()).toEqual([])

    backend.send(b.ready())
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'select 1' }]) // only now
    backend.send(b.commandComplete('SELECT 0'), b.ready())
    await behind
    await cursor.close()
  })

  it('close() before the rows are exhausted sends Sync and resolves at ReadyForQuery', async () => {
    const { connection, backend } = await openSession()
    const cursor = openCursor(connection, 'select n from t', [], { batchSize: 1 })
    const first = cursor.read()
    await backend.read()
    backend.send(b.parseComplete(), b.bindComplete(), b.rowDescription('n'), b.dataRow('1'), b.portalSuspended())
    await first
    const closing = cursor.close()
    expect(await backend.read()).toEqual([{ type: 'Sync' }])
    backend.send(b.ready())
    await closing
    expect(connection.pending).toBe(0)
  })

  it('a DataRow with fewer columns than its RowDescription ends the session with a ProtocolError', async () => {
    const { connection, backend } = await openSession()
    const cursor = openCursor(connection, 'select a, b from t', [])
    const read = cursor.read().catch((e: unknown) => e)
    await backend.read()
    backend.send(b.parseComplete(), b.bindComplete(), b.rowDescription('a', 'b'), b.dataRow('1'))
    const error = await read
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as Error).message).toMatch(/DataRow with 1 columns, but RowDescription has 2/)
    expect(await connection.closed).toBe(error)
  })
})
