/**
 * Cancel and timeouts on a real server: client.cancel() during pg_sleep
 * (57014 from the server), AbortSignal before sending and while running
 * (PGFLEET_ABORTED), queryTimeout and per-query timeoutMs
 * (PGFLEET_QUERY_TIMEOUT, the server's 57014 as cause); the session stays
 * usable. And connectTimeout against a listener that accepts TCP and never
 * answers.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ConnectionError, PgError, connect, type Client } from '../../src/index.js'
import { openTestClient, tlsOptions } from './helpers/server.js'

// A fresh session per test: a CancelRequest that lands just as its query ends
// can stop the next statement of that session (the protocol gives no way to
// tie a cancel to one query), so tests must not inherit each other's cancels.
let db: Client

beforeEach(async () => {
  db = await openTestClient()
})
afterEach(async () => {
  await db?.close()
})

/**
 * The query ends cancelled by the server (57014): as such for client.cancel(),
 * or as the cause of the deadline's error (`code`) for a timeout or abort.
 */
async function expectCancelled(promise: Promise<unknown>, withinMs: number, code?: 'PGFLEET_QUERY_TIMEOUT' | 'PGFLEET_ABORTED'): Promise<void> {
  const started = Date.now()
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  const cancelled = code === undefined ? error : (error as Error).cause
  if (code !== undefined) {
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ code, safeToRetry: false })
  }
  expect(cancelled).toBeInstanceOf(PgError)
  expect((cancelled as PgError).code).toBe('57014') // query_canceled
  expect(Date.now() - started).toBeLessThan(withinMs)
}

async function stillUsable(client: Client): Promise<void> {
  expect((await client.query<{ x: number }>('select $1::int as x', [7])).rows).toEqual([{ x: 7 }])
  expect(client.connection.transactionStatus).toBe('I')
}

describe('cancel', () => {
  it('client.cancel() stops pg_sleep(10) quickly and the session stays usable', async () => {
    const running = db.query('select pg_sleep(10)')
    running.catch(() => undefined) // handled below; the rejection may arrive before cancel() resolves
    await new Promise((resolve) => setTimeout(resolve, 100))
    await db.cancel()
    await expectCancelled(running, 3000)
    await stillUsable(db)
  })

  it('over TLS the CancelRequest goes to the same node with the same TLS settings', async () => {
    const client = await openTestClient(tlsOptions())
    try {
      expect(client.encrypted).toBe(true)
      const running = client.query('select pg_sleep(10)')
      running.catch(() => undefined)
      await new Promise((resolve) => setTimeout(resolve, 100))
      await client.cancel()
      await expectCancelled(running, 3000)
      await stillUsable(client)
    } finally {
      await client.close()
    }
  })

  it('an AbortSignal that is already aborted rejects before sending', async () => {
    const controller = new AbortController()
    controller.abort(new Error('not needed'))
    const error = await db.query('select 1', [], { signal: controller.signal }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).code).toBe('PGFLEET_ABORTED')
    expect((error as ConnectionError).safeToRetry).toBe(true)
    await stillUsable(db)
  })

  it('aborting while the query runs cancels it on the server', async () => {
    const controller = new AbortController()
    const running = db.query('select pg_sleep(10)', [], { signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    await expectCancelled(running, 3000, 'PGFLEET_ABORTED')
    await stillUsable(db)
  })

  it('aborting a query sent behind another rejects it at once without cancelling the one running', async () => {
    const controller = new AbortController()
    const first = db.query<{ x: number }>('select pg_sleep(1), 1 as x', [])
    const second = db.query('select pg_sleep(10)', [], { signal: controller.signal })
    let firstSettled = false
    const settled = () => (firstSettled = true)
    void first.then(settled, settled)
    setTimeout(() => controller.abort(new Error('user gave up')), 50)
    const error = await second.catch((e: unknown) => e)
    // At once: before the first query's 1 s sleep ends (an order, not a tight wall-clock bound: the abort timer may run late under load).
    expect(firstSettled).toBe(false)
    expect(error).toMatchObject({ code: 'PGFLEET_ABORTED', safeToRetry: false })
    expect((error as Error).message).toMatch(/user gave up/)
    // Its cancel goes out only once it runs, so the first query finishes.
    expect((await first).rows[0]!.x).toBe(1)
    await stillUsable(db)
  })

  it('timeoutMs per query cancels it: PGFLEET_QUERY_TIMEOUT caused by the server\'s 57014', async () => {
    await expectCancelled(db.query('select pg_sleep(10)', [], { timeoutMs: 150 }), 3000, 'PGFLEET_QUERY_TIMEOUT')
    await stillUsable(db)
  })

  it('the queryTimeout option applies to every query', async () => {
    const client = await openTestClient({ queryTimeout: 150 })
    try {
      await expectCancelled(client.query('select pg_sleep(10)'), 3000, 'PGFLEET_QUERY_TIMEOUT')
      expect((await client.query<{ x: number }>('select 1 as x')).rows).toEqual([{ x: 1 }])
    } finally {
      await client.close()
    }
  })
})

/** The factory reports "no host" with each host's reason; with one host that reason is the timeout. */
function expectTimeout(error: ConnectionError): void {
  expect(['PGFLEET_CONNECT_TIMEOUT', 'PGFLEET_NO_HOST']).toContain(error.code)
  expect(error.message).toMatch(/timeout expired after 300 ms/)
  expect(error.safeToRetry).toBe(true)
}

describe('connectTimeout', () => {
  let server: Server
  const sockets: Socket[] = []
  /** Resolves when the client side has closed that server-side socket. */
  const closed = new Map<Socket, Promise<void>>()
  let port = 0

  beforeAll(async () => {
    // Accepts TCP, reads the startup packet and never answers.
    server = createServer((socket) => {
      sockets.push(socket)
      socket.on('error', () => undefined)
      // Read (and drop) what arrives, so the client's FIN is seen as 'end' then 'close'.
      socket.resume()
      closed.set(socket, new Promise((resolve) => socket.once('close', () => resolve())))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as { port: number }).port
  })
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  it('rejects with a timeout ConnectionError within bound', async () => {
    const started = Date.now()
    const error = await connect({ host: '127.0.0.1', port, user: 'postgres', sslmode: 'disable', connectTimeout: 300 }).catch((e: unknown) => e)
    const elapsed = Date.now() - started
    expect(error).toBeInstanceOf(ConnectionError)
    expectTimeout(error as ConnectionError)
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(2000)
    expect(sockets.length).toBeGreaterThanOrEqual(1)
  })

  it('also when TLS is requested (the SSLRequest is never answered)', async () => {
    const error = await connect({ host: '127.0.0.1', port, user: 'postgres', sslmode: 'require', connectTimeout: 300 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expectTimeout(error as ConnectionError)
  })

  it('the client closes the socket within the bound (the timeout covers the whole startup)', async () => {
    for (const sslmode of ['disable', 'require'] as const) {
      const before = sockets.length
      const started = Date.now()
      const error = await connect({ host: '127.0.0.1', port, user: 'postgres', sslmode, connectTimeout: 300 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectionError)
      expectTimeout(error as ConnectionError)
      expect(sockets.length).toBe(before + 1)
      // The server never answers and never closes: only the client can end it.
      await closed.get(sockets[before]!)
      expect(Date.now() - started).toBeLessThan(1000)
    }
  })
})
