/**
 * LISTEN/NOTIFY and notices against a real server: delivery between
 * sessions, channel names that need quoting (and cannot inject SQL), several
 * listeners per channel with one LISTEN, UNLISTEN on the last unlisten
 * (checked with pg_listening_channels()), hooks passed at connect still
 * called, RAISE NOTICE surfaced, and every listener told when the session is
 * killed with pg_terminate_backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PgError, type Client, type Notification, type ServerErrorFields } from '../../src/index.js'
import { openTestClient } from './helpers/server.js'

let listener: Client
let sender: Client
const hookNotifications: Notification[] = []
const hookNotices: ServerErrorFields[] = []

beforeAll(async () => {
  listener = await openTestClient({ onNotification: (n) => hookNotifications.push(n), onNotice: (n) => hookNotices.push(n) })
  sender = await openTestClient()
})
afterAll(async () => {
  await listener?.close()
  await sender?.close()
})

/** Wait until `check` holds (notifications arrive asynchronously from another session). */
async function eventually(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function listeningChannels(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ c: string }>('select pg_listening_channels() as c order by 1')
  return rows.map((r) => r.c)
}

describe('listen / notify', () => {
  it('delivers notifications from another session with payload and sender pid', async () => {
    const got: [string, Notification][] = []
    const sub = await listener.listen('jobs', (payload, n) => got.push([payload, n]))
    await sender.notify('jobs', 'job 1')
    await sender.query("notify jobs, 'job 2'")
    await eventually(() => got.length === 2)
    expect(got.map(([p]) => p)).toEqual(['job 1', 'job 2'])
    expect(got[0]![1]).toEqual({ channel: 'jobs', payload: 'job 1', processId: sender.processId })
    // Hooks passed at connect keep working alongside listeners.
    expect(hookNotifications.map((n) => n.payload)).toEqual(['job 1', 'job 2'])
    await sub.unlisten()
  })

  it('quotes channel names: case, quotes and SQL text are just a name', async () => {
    const nasty = `Mixed"Case; drop table pg_class; --`
    const got: string[] = []
    const sub = await listener.listen(nasty, (payload) => got.push(payload))
    expect(await listeningChannels(listener)).toEqual([nasty])
    await sender.notify(nasty, 'quoted ok')
    await sender.notify('mixed"case; drop table pg_class; --', 'other channel') // folded case is a different channel
    await eventually(() => got.length === 1)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(got).toEqual(['quoted ok'])
    await sub.unlisten()
    expect(await listeningChannels(listener)).toEqual([])
    await expect(listener.listen('', () => undefined)).rejects.toThrow(TypeError)
  })

  it('several listeners share one LISTEN; UNLISTEN is sent when the last one leaves', async () => {
    const a: string[] = []
    const b: string[] = []
    const [subA, subB] = await Promise.all([listener.listen('shared', (p) => a.push(p)), listener.listen('shared', (p) => b.push(p))])
    expect(await listeningChannels(listener)).toEqual(['shared'])
    await sender.notify('shared', 'one')
    await eventually(() => a.length === 1 && b.length === 1)
    await subA.unlisten()
    expect(await listeningChannels(listener)).toEqual(['shared'])
    await sender.notify('shared', 'two')
    await eventually(() => b.length === 2)
    expect(a).toEqual(['one'])
    await subB.unlisten()
    await subB.unlisten() // twice is harmless
    expect(await listeningChannels(listener)).toEqual([])
    await sender.notify('shared', 'three')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(b).toEqual(['one', 'two'])
  })

  it('a listener that throws does not break the session', async () => {
    const got: string[] = []
    const bad = await listener.listen('throwy', () => {
      throw new Error('listener bug')
    })
    const good = await listener.listen('throwy', (p) => got.push(p))
    await sender.notify('throwy', 'still here')
    await eventually(() => got.length === 1)
    expect((await listener.query('select 1 as one')).rows).toEqual([{ one: 1 }])
    await bad.unlisten()
    await good.unlisten()
  })
})

describe('notices', () => {
  it('onNotice surfaces RAISE NOTICE with its fields; the hook passed at connect sees it too', async () => {
    const notices: ServerErrorFields[] = []
    const off = listener.onNotice((n) => notices.push(n))
    await listener.query(`do $$ begin raise notice 'hello %', 42; end $$`)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ severity: 'NOTICE', code: '00000', message: 'hello 42' })
    expect(hookNotices.some((n) => n.message === 'hello 42')).toBe(true)
    off()
    await listener.query(`do $$ begin raise notice 'unheard'; end $$`)
    expect(notices).toHaveLength(1)
  })
})

describe('session loss', () => {
  it('every listener is told when the backend is terminated', async () => {
    const victim = await openTestClient()
    const lost: Error[] = []
    await victim.listen('a', () => undefined, { onLost: (e) => lost.push(e) })
    await victim.listen('b', () => undefined, { onLost: (e) => lost.push(e) })
    await victim.listen('b', () => undefined, { onLost: (e) => lost.push(e) })
    await sender.query('select pg_terminate_backend($1)', [victim.processId])
    await eventually(() => lost.length === 3)
    expect(lost[0]).toBeInstanceOf(PgError)
    expect((lost[0] as PgError).code).toBe('57P01') // admin_shutdown
    expect(await victim.closed).toBe(lost[0])
    await expect(victim.listen('c', () => undefined)).rejects.toThrow()
  })

  it('closing the session tells listeners too', async () => {
    const client = await openTestClient()
    const lost: Error[] = []
    await client.listen('bye', () => undefined, { onLost: (e) => lost.push(e) })
    await client.close()
    await eventually(() => lost.length === 1)
    expect((lost[0] as { code?: string }).code).toBe('PGFLEET_CLOSED')
  })
})
