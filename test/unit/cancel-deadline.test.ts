/**
 * A CancelRequest to a server that accepts TCP but never answers the
 * SSLRequest gives up within the connect timeout and closes its socket.
 */
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.js'
import { sendCancelRequest } from '../../src/connection/cancel.js'
import { nodeRuntime } from '../../src/transport/node-runtime.js'

describe('sendCancelRequest', () => {
  const sockets: Socket[] = []
  const closed: Promise<void>[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on('data', () => undefined) // read the SSLRequest, never answer
    closed.push(new Promise((resolve) => socket.on('close', () => resolve())))
  })
  let port = 0
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as { port: number }).port
  })
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  it('gives up on a silent SSL negotiation after connectTimeout (one deadline for the whole cancel) and closes the socket', async () => {
    const config = parseConfig({ host: '127.0.0.1', port, user: 'u', sslmode: 'require', connectTimeout: 300 })
    const started = Date.now()
    const error = await sendCancelRequest(config, { host: '127.0.0.1', port }, nodeRuntime, 1, 2).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PGFLEET_CANCEL_TIMEOUT' })
    expect(Date.now() - started).toBeLessThan(2_000)
    await expect(Promise.race([closed[0], new Promise((r) => setTimeout(() => r('open'), 2_000))])).resolves.toBeUndefined()
  })
})
