/**
 * CancelRequest (cancel.ts) against a fake backend: what goes on the wire,
 * when the call resolves, and that a server silent during SSL negotiation is
 * given up within the connect timeout, its socket destroyed.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../errors.js'
import { sendCancelRequest } from './cancel.js'
import { FAKE_HOST, FakeRuntime, fakeConfig, keyBytes } from './testing/fake-server.js'

describe('sendCancelRequest', () => {
  it('writes one CancelRequest with the process id and secret key, and resolves when the server closes', async () => {
    const runtime = new FakeRuntime()
    let settled = false
    const cancel = sendCancelRequest(fakeConfig(), FAKE_HOST, runtime, 77, keyBytes(99)).finally(() => (settled = true))
    const server = await runtime.accept()
    expect(await server.read()).toEqual([{ type: 'CancelRequest', processId: 77, secretKey: keyBytes(99) }])
    await Promise.resolve()
    expect(settled).toBe(false) // the server closes the cancel connection without an answer
    server.end()
    await cancel
    expect(server.ended).toBe('peer-end')
  })

  it('with `background`, the socket does not keep the process alive', async () => {
    const runtime = new FakeRuntime()
    const cancel = sendCancelRequest(fakeConfig(), FAKE_HOST, runtime, 1, keyBytes(2), { background: true })
    const server = await runtime.accept()
    expect(runtime.dials[0]).toMatchObject({ background: true })
    expect(server.socket.unrefed).toBe(true)
    server.end()
    await cancel
  })

  it('gives up on a silent SSL negotiation after connectTimeout (one deadline for the whole cancel) and destroys the socket', async () => {
    const runtime = new FakeRuntime()
    const started = performance.now()
    const cancel = sendCancelRequest(fakeConfig({ sslmode: 'require', connectTimeout: 40 }), FAKE_HOST, runtime, 1, keyBytes(2)).catch((e: unknown) => e)
    const server = await runtime.accept()
    expect(await server.read()).toEqual([{ type: 'SSLRequest' }]) // and never an answer
    expect(await cancel).toMatchObject({ code: ErrorCode.CancelTimeout })
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(server.ended).toBe('destroy')
  })
})
