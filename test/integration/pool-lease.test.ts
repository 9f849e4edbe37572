/**
 * A pool client is a lease: once released, every method and property refuses
 * with PGFLEET_RELEASED (the session may already serve another borrower), a
 * second release throws, and nothing of the last borrower (notice handlers,
 * LISTENs) reaches the next one.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { ConnectionError, createPool } from '../../src/index.js'
import { appName, lbUrl } from '../support/balancing.js'
import { harness } from '../support/harness.js'

const node = harness().nodes[0]!
// One session, so the next checkout gets the very session the last borrower released.
const pool = createPool({ connectionString: lbUrl([node], { application_name: appName('lease') }), max: 1 })
afterAll(() => pool.end())

function expectReleased(error: unknown): void {
  expect(error).toBeInstanceOf(ConnectionError)
  expect((error as ConnectionError).code).toBe('PGFLEET_RELEASED')
}

async function rejects(call: () => Promise<unknown>): Promise<void> {
  expectReleased(await call().then(() => 'resolved', (e: unknown) => e))
}

function throws(call: () => unknown): void {
  let caught: unknown = 'no error'
  try {
    call()
  } catch (e) {
    caught = e
  }
  expectReleased(caught)
}

describe('pool client lease', () => {
  it('after release, every method and property refuses with PGFLEET_RELEASED; release twice throws', async () => {
    const client = await pool.connect()
    const pid = client.processId
    client.release()
    expect(client.released).toBe(true)

    await rejects(() => client.query('select 1'))
    await rejects(() => client.sql`select ${1}::int`)
    await rejects(() => client.transaction(async (tx) => tx.query('select 1')))
    await rejects(() => client.copyFrom('copy t from stdin', ['1\n']))
    await rejects(() => client.listen('lease_channel', () => undefined))
    await rejects(() => client.notify('lease_channel', 'x'))
    await rejects(() => client.registerType('int4'))
    await rejects(() => client.cancel())
    throws(() => client.stream('select 1'))
    throws(() => client.cursor('select 1'))
    throws(() => client.copyTo('copy (select 1) to stdout'))
    throws(() => client.onNotice(() => undefined))
    throws(() => client.connection)
    throws(() => client.host)
    throws(() => client.processId)
    throws(() => client.types)
    throws(() => client.parameters)
    throws(() => client.closed)
    throws(() => client.release())
    // close() after release is a no-op, as is disposal.
    await expect(client.close()).resolves.toBeUndefined()

    // The session itself was fine and is lent again.
    const next = await pool.connect()
    expect(next.processId).toBe(pid)
    expect((await next.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }])
    next.release()
  })

  it("the last borrower's notice handler is gone; a session still LISTENing is not lent again", async () => {
    const first = await pool.connect()
    const firstNotices: string[] = []
    first.onNotice((n) => firstNotices.push(n.message))
    const pid = first.processId
    first.release()

    const second = await pool.connect()
    expect(second.processId).toBe(pid)
    const secondNotices: string[] = []
    second.onNotice((n) => secondNotices.push(n.message))
    await second.query("do $$ begin raise notice 'for the second borrower'; end $$")
    expect(secondNotices).toEqual(['for the second borrower'])
    expect(firstNotices).toEqual([])

    await second.listen('lease_channel', () => undefined)
    second.release()
    const third = await pool.connect()
    expect(third.processId).not.toBe(pid)
    const { rows } = await third.query<{ n: number }>('select count(*)::int as n from pg_listening_channels()')
    expect(rows).toEqual([{ n: 0 }])
    third.release()
  })
})
