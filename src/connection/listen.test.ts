/**
 * LISTEN / NOTIFY through a Connection on a fake socket (listen.ts): one
 * LISTEN per channel whatever the number of listeners, notifications routed
 * by channel (also mid-query), UNLISTEN when the last listener leaves, and
 * `onLost` once when the session ends.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../errors.js'
import { NotificationHub } from './listen.js'
import { backend as b, openSession } from './testing/fake-server.js'

describe('NotificationHub', () => {
  it('LISTEN once per channel (quoted), notifications to its listeners only, UNLISTEN after the last one leaves', async () => {
    const { connection, backend } = await openSession()
    const hub = new NotificationHub(connection)
    const got: string[] = []
    const first = hub.listen('Jobs', (payload) => got.push(`a:${payload}`))
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'LISTEN "Jobs"' }])
    const second = hub.listen('Jobs', (payload) => got.push(`b:${payload}`))
    backend.send(b.commandComplete('LISTEN'), b.ready())
    const [a, c] = await Promise.all([first, second])
    expect(backend.take()).toEqual([]) // the second listener shares the first LISTEN

    backend.send(b.notification('Jobs', '1'), b.notification('other', 'x'))
    expect(got).toEqual(['a:1', 'b:1'])

    await a.unlisten()
    expect(backend.take()).toEqual([])
    const leaving = c.unlisten()
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'UNLISTEN "Jobs"' }])
    backend.send(b.commandComplete('UNLISTEN'), b.ready())
    await leaving
    expect(hub.listening).toEqual([])
  })

  it('a notification between the rows of a running query reaches the listener at once', async () => {
    const { connection, backend } = await openSession()
    const hub = new NotificationHub(connection)
    const got: string[] = []
    const listening = hub.listen('jobs', (payload) => got.push(payload))
    await backend.read()
    backend.send(b.commandComplete('LISTEN'), b.ready())
    await listening
    const query = connection.query('select x')
    await backend.read()
    backend.send(b.rowDescription('x'), b.dataRow('1'), b.notification('jobs', 'mid-query'))
    expect(got).toEqual(['mid-query'])
    backend.send(b.commandComplete('SELECT 1'), b.ready())
    expect((await query).rows).toEqual([{ x: '1' }])
  })

  it('onLost is called once with the reason when the session ends', async () => {
    const { connection, backend } = await openSession()
    const hub = new NotificationHub(connection)
    const lost: unknown[] = []
    const listening = hub.listen('jobs', () => undefined, { onLost: (error) => lost.push(error) })
    await backend.read()
    backend.send(b.commandComplete('LISTEN'), b.ready())
    await listening
    backend.end()
    await connection.closed
    await Promise.resolve()
    expect(lost).toHaveLength(1)
    expect(lost[0]).toMatchObject({ code: ErrorCode.ConnectionClosed })
    await expect(hub.listen('jobs', () => undefined)).rejects.toBe(lost[0])
  })
})
