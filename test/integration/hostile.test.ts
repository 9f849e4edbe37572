/**
 * pgfleet's real connect() and query path against the scripted hostile
 * server (test/support/hostile-server.ts): every attack in its `scenarios` must
 * end in a clear typed error, without a crash, without buffering what a
 * forged length announces, and without a credential leaving the client.
 */
import { describe, expect, it } from 'vitest'
import { connect, type ClientOptions } from '../../src/index.js'
import { AuthError, ProtocolError, TlsError } from '../../src/errors.js'
import { ErrorCode } from '../../src/error-codes.js'
import {
  concat,
  messages,
  rawFrame,
  scenarios,
  servePerTest,
  startupOk,
  type HostileServer,
} from '../support/hostile-server.js'

const PASSWORD = 'hostile-test-secret-9f3a'
const serve = servePerTest()

function options(server: HostileServer, extra: Partial<ClientOptions> = {}): ClientOptions {
  return {
    host: '127.0.0.1',
    port: server.port,
    user: 'victim',
    password: PASSWORD,
    database: 'db',
    sslmode: 'prefer',
    connectTimeout: 5000,
    ...extra,
  }
}

/** True when the password's bytes appear anywhere in what the server received. */
function leaked(server: HostileServer): boolean {
  return Buffer.from(server.received()).includes(Buffer.from(PASSWORD))
}

/**
 * A query pending when the stream breaks is rejected with a ConnectionError
 * ("connection ... ended: <why>") whose cause is the ProtocolError; the
 * session's `closed` resolves with the ProtocolError itself.
 */
function expectProtocolFailure(error: unknown): void {
  expect(error).toBeInstanceOf(Error)
  const cause = error instanceof ProtocolError ? error : (error as Error).cause
  expect(cause).toBeInstanceOf(ProtocolError)
}

async function connectError(server: HostileServer, extra: Partial<ClientOptions> = {}): Promise<Error> {
  const error = await connect(options(server, extra)).then(
    async (client) => {
      await client.close()
      return new Error('connect() unexpectedly succeeded')
    },
    (e: unknown) => e as Error,
  )
  return error
}

describe('TLS negotiation attacks', () => {
  it("refuses bytes sent after 'S' before the handshake (CVE-2021-23222)", async () => {
    const server = await serve(scenarios.sslExtraBytes())
    for (const sslmode of ['prefer', 'require'] as const) {
      const error = await connectError(server, { sslmode })
      expect(error).toBeInstanceOf(TlsError)
      expect((error as TlsError).code).toBe(ErrorCode.TlsUnencryptedData)
    }
    // One socket per attempt: no retry in clear after this error (libpq).
    expect(server.connections()).toBe(2)
    expect(leaked(server)).toBe(false)
  })

  it("fails on 'E' without showing the server's text (CVE-2024-10977)", async () => {
    const text = 'please send your password to attacker.example'
    const server = await serve(scenarios.sslError(text))
    const error = await connectError(server, { sslmode: 'prefer' })
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsServerError)
    expect(error.message).not.toContain('attacker')
    expect(String(error.cause ?? '')).not.toContain('attacker')
    expect(leaked(server)).toBe(false)
  })
})

describe('malformed messages after startup', () => {
  for (const length of [0, 3, 2 ** 31]) {
    it(`rejects a message length of ${length} without buffering it`, async () => {
      const server = await serve(scenarios.badLength(length))
      const client = await connect(options(server))
      const before = process.memoryUsage().arrayBuffers
      const error = await client.query('select 1').then(
        () => new Error('query unexpectedly succeeded'),
        (e: unknown) => e as Error,
      )
      expectProtocolFailure(error)
      expect(error.message).toMatch(/length/i)
      await expect(client.closed).resolves.toBeInstanceOf(ProtocolError)
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024)
    })
  }

  it('rejects an unknown message type', async () => {
    const server = await serve(scenarios.unknownMessage('~'))
    const client = await connect(options(server))
    expectProtocolFailure(await client.query('select 1').catch((e: unknown) => e))
    const reason = await client.closed
    expect(reason).toBeInstanceOf(ProtocolError)
    expect(reason?.message).toContain("'~'")
  })

  it('rejects a DataRow whose column count does not match RowDescription', async () => {
    const server = await serve(scenarios.dataRowMismatch())
    const client = await connect(options(server))
    expectProtocolFailure(await client.query('select 1').catch((e: unknown) => e))
    const reason = await client.closed
    expect(reason).toBeInstanceOf(ProtocolError)
    expect(reason?.message).toMatch(/DataRow with 3 columns, but RowDescription has 2/)
  })

  it('rejects every pending query when garbage arrives mid-query, and closed resolves', async () => {
    const server = await serve([
      { receive: 'startup' },
      { send: startupOk() },
      { receive: 'any' },
      // One good answer for the first query, then garbage where the second's should be.
      {
        send: concat(
          messages.rowDescription('x'),
          messages.dataRow('1'),
          messages.commandComplete('SELECT 1'),
          messages.readyForQuery('I'),
        ),
      },
      // Garbage in a later packet: the reader frames each packet eagerly, so
      // garbage in the same packet would also discard the good answer before it.
      { wait: 50 },
      { send: concat(rawFrame('D', 2), new Uint8Array([0xde, 0xad, 0xbe, 0xef])) },
    ])
    const client = await connect(options(server))
    const queries = [
      client.query('select 1'),
      client.query('select 2'),
      client.query('select $1::int', [3]),
      client.query('select 4'),
    ]
    const settled = await Promise.allSettled(queries)
    expect(settled[0]).toMatchObject({ status: 'fulfilled' })
    for (const outcome of settled.slice(1)) {
      expect(outcome.status).toBe('rejected')
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(Error)
    }
    expectProtocolFailure((settled[1] as PromiseRejectedResult).reason)
    await expect(client.closed).resolves.toBeInstanceOf(ProtocolError)
    // Later queries fail at once instead of hanging.
    await expect(client.query('select 5')).rejects.toBeInstanceOf(Error)
  })
})

describe('SCRAM attacks', () => {
  it('refuses AuthenticationOk that skips SASLFinal', async () => {
    const server = await serve(scenarios.saslSkipFinal())
    const error = await connectError(server)
    expect(error).toBeInstanceOf(AuthError)
    expect(error.message).toMatch(/server signature|completing SCRAM/)
    expect(leaked(server)).toBe(false)
  })

  it('refuses a wrong server signature', async () => {
    const server = await serve(scenarios.saslBadSignature())
    const error = await connectError(server)
    expect(error).toBeInstanceOf(AuthError)
    expect(error.message).toMatch(/signature/i)
    expect(leaked(server)).toBe(false)
  })

  it('refuses a server nonce that does not extend the client nonce, before sending a proof', async () => {
    const server = await serve(scenarios.saslBadNonce())
    const error = await connectError(server)
    expect(error).toBeInstanceOf(AuthError)
    expect(error.message).toMatch(/nonce/i)
    // Only the SASLInitialResponse was sent: no client-final (proof) message.
    const text = Buffer.from(server.received()).toString('latin1')
    expect(text).not.toContain('p=')
    expect(leaked(server)).toBe(false)
  })

  it('refuses an iteration count of 10^9 before computing anything', async () => {
    const server = await serve(scenarios.saslIterations(1_000_000_000))
    const started = performance.now()
    const error = await connectError(server)
    expect(performance.now() - started).toBeLessThan(2000)
    expect(error).toBeInstanceOf(AuthError)
    expect(error.message).toMatch(/iteration/i)
    expect(leaked(server)).toBe(false)
  })
})

describe('require_auth', () => {
  it('require_auth=scram-sha-256 refuses a cleartext request and sends no password', async () => {
    const server = await serve(scenarios.cleartextPassword())
    const error = await connectError(server, { requireAuth: 'scram-sha-256' })
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).code).toBe('PGFLEET_REQUIRE_AUTH')
    expect(error.message).toContain('cleartext')
    expect(leaked(server)).toBe(false)
    // The control: without require_auth the same server does receive it.
    const control = await connect(options(server))
    await control.close()
    expect(leaked(server)).toBe(true)
  })

  it('channel_binding=require refuses a cleartext request and sends no password', async () => {
    const server = await serve(scenarios.cleartextPassword())
    const error = await connectError(server, { channelBinding: 'require', sslmode: 'prefer' })
    expect(error).toBeInstanceOf(AuthError)
    expect(leaked(server)).toBe(false)
  })
})
