// Self-test of the hostile fake server: a raw node:net client sees exactly the
// scripted bytes, and the server records what the client sent.
import * as net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type HostileServer,
  type Scenario,
  clientNonce,
  concat,
  cstring,
  frame,
  int32,
  messages,
  scenarios,
  startHostileServer,
  startupOk,
} from '../support/hostile-server.js'

const enc = new TextEncoder()
const dec = new TextDecoder()

const SSL_REQUEST = concat(int32(8), int32(80877103))
function startupMessage(user = 'alice'): Uint8Array {
  const body = concat(int32(196608), cstring('user'), cstring(user), cstring('database'), cstring('db'), new Uint8Array([0]))
  return concat(int32(body.length + 4), body)
}
function saslInitial(nonce: string): Uint8Array {
  const data = enc.encode(`n,,n=,r=${nonce}`)
  return frame('p', cstring('SCRAM-SHA-256'), int32(data.length), data)
}

let server: HostileServer | undefined
let client: net.Socket | undefined
afterEach(async () => {
  client?.destroy()
  await server?.close()
  server = undefined
  client = undefined
})

/** Connect a raw client and collect everything the server sends. */
async function rawClient(scenario: Scenario): Promise<{ write: (b: Uint8Array) => void; until: (n: number) => Promise<Uint8Array>; chunks: Uint8Array[] }> {
  server = await startHostileServer(scenario)
  const socket = net.connect({ host: '127.0.0.1', port: server.port })
  client = socket
  await new Promise((r) => socket.once('connect', r))
  const chunks: Uint8Array[] = []
  socket.on('data', (c: Buffer) => chunks.push(new Uint8Array(c)))
  return {
    chunks,
    write: (b) => socket.write(b),
    until: async (n) => {
      const end = Date.now() + 3000
      while (concat(...chunks).length < n) {
        if (Date.now() > end) throw new Error(`only ${concat(...chunks).length} of ${n} bytes arrived`)
        await new Promise((r) => setTimeout(r, 5))
      }
      return concat(...chunks)
    },
  }
}

function lengthAt(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at)
}

describe('hostile server', () => {
  it("answers SSLRequest with 'S' and unencrypted bytes in one packet", async () => {
    const c = await rawClient(scenarios.sslExtraBytes())
    c.write(SSL_REQUEST)
    const got = await c.until(1 + 9)
    expect(got).toEqual(concat(enc.encode('S'), messages.authOk()))
    expect(c.chunks[0]!.length).toBe(10)
  })

  it("answers SSLRequest with 'E' and an error text", async () => {
    const c = await rawClient(scenarios.sslError('do not show me'))
    c.write(SSL_REQUEST)
    const got = await c.until(2)
    expect(dec.decode(got.subarray(0, 1))).toBe('E')
    expect(dec.decode(got)).toContain('do not show me')
  })

  it("refuses an unexpected SSLRequest with 'N' and goes on with the script", async () => {
    const c = await rawClient(scenarios.badLength(3))
    c.write(SSL_REQUEST)
    await c.until(1)
    expect(dec.decode(c.chunks[0]!)).toBe('N')
    c.write(startupMessage())
    const ok = startupOk()
    await c.until(1 + ok.length)
    c.write(frame('Q', cstring('select 1')))
    const got = await c.until(1 + ok.length + 5)
    expect(got.subarray(1, 1 + ok.length)).toEqual(ok)
    expect(dec.decode(got.subarray(1 + ok.length, 2 + ok.length))).toBe('D')
    expect(lengthAt(got, 2 + ok.length)).toBe(3)
  })

  it.each([0, 3, 2 ** 31])('sends a message with length %d after startup', async (length) => {
    const c = await rawClient(scenarios.badLength(length))
    c.write(startupMessage())
    const ok = startupOk()
    await c.until(ok.length)
    c.write(frame('Q', cstring('select 1')))
    const got = await c.until(ok.length + 5)
    expect(lengthAt(got, ok.length + 1)).toBe(length)
  })

  it('sends an unknown message type and a DataRow that disagrees with RowDescription', async () => {
    const unknown = await rawClient(scenarios.unknownMessage('~'))
    unknown.write(startupMessage())
    unknown.write(frame('Q', cstring('select 1')))
    const got = await unknown.until(startupOk().length + 9)
    expect(dec.decode(got.subarray(startupOk().length, startupOk().length + 1))).toBe('~')
    client?.destroy()
    await server?.close()

    const rows = await rawClient(scenarios.dataRowMismatch())
    rows.write(startupMessage())
    rows.write(frame('Q', cstring('select 1')))
    const expected = concat(startupOk(), messages.rowDescription('a', 'b'), messages.dataRow('1', '2', '3'))
    const all = await rows.until(expected.length)
    expect(all.subarray(0, expected.length)).toEqual(expected)
  })

  it('forges SCRAM server-first messages from the client nonce', async () => {
    const good = await rawClient(scenarios.saslIterations(1_000_000_000))
    good.write(startupMessage())
    const sasl = messages.authSasl('SCRAM-SHA-256')
    await good.until(sasl.length)
    good.write(saslInitial('clientnonce123'))
    const got = await good.until(sasl.length + 10)
    const text = dec.decode(got.subarray(sasl.length + 9))
    expect(text).toMatch(/^r=clientnonce123\S+,s=[^,]+,i=1000000000$/)
    client?.destroy()
    await server?.close()

    const bad = await rawClient(scenarios.saslBadNonce())
    bad.write(startupMessage())
    await bad.until(sasl.length)
    bad.write(saslInitial('clientnonce123'))
    const forged = dec.decode((await bad.until(sasl.length + 10)).subarray(sasl.length + 9))
    expect(forged.startsWith('r=clientnonce123')).toBe(false)
  })

  it('skips SASLFinal or sends a wrong signature after the client-final-message', async () => {
    const skip = await rawClient(scenarios.saslSkipFinal())
    skip.write(startupMessage())
    skip.write(saslInitial('n1'))
    const sasl = messages.authSasl('SCRAM-SHA-256')
    const first = await skip.until(sasl.length + 10)
    const continueLength = lengthAt(first, sasl.length + 1) + 1
    skip.write(frame('p', enc.encode('c=biws,r=n1xyz,p=AAAA')))
    const all = await skip.until(sasl.length + continueLength + startupOk().length)
    expect(all.subarray(sasl.length + continueLength)).toEqual(startupOk())
    client?.destroy()
    await server?.close()

    const wrong = await rawClient(scenarios.saslBadSignature())
    wrong.write(startupMessage())
    wrong.write(saslInitial('n2'))
    const head = await wrong.until(sasl.length + 10)
    const cont = lengthAt(head, sasl.length + 1) + 1
    wrong.write(frame('p', enc.encode('c=biws,r=n2xyz,p=AAAA')))
    const final = messages.saslFinal(`v=${btoa('x'.repeat(32))}`)
    const bytes = await wrong.until(sasl.length + cont + final.length)
    expect(bytes.subarray(sasl.length + cont, sasl.length + cont + final.length)).toEqual(final)
  })

  it('records every byte the client sent', async () => {
    const c = await rawClient(scenarios.cleartextPassword())
    c.write(startupMessage('bob'))
    await c.until(messages.authCleartext().length)
    expect(c.chunks.length).toBeGreaterThan(0)
    c.write(frame('p', cstring('hunter2')))
    await c.until(messages.authCleartext().length + startupOk().length)
    const seen = dec.decode(server!.received())
    expect(seen).toContain('bob')
    expect(seen).toContain('hunter2')
    expect(server!.connections()).toBe(1)
  })

  it('exposes the client nonce parser used by its SCRAM scripts', () => {
    const body = saslInitial('abc').subarray(5)
    expect(clientNonce(body)).toBe('abc')
  })
})
