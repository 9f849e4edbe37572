/**
 * The startup state machine (startup.ts, protocol docs 55.2.1) against a
 * scripted backend on a fake socket: what the client sends for each
 * authentication request (trust, cleartext, MD5, SCRAM-SHA-256 through the
 * real auth code), the order the server must keep (authentication, then
 * ParameterStatus / BackendKeyData, then ReadyForQuery), and how a startup
 * ends when the server refuses, misbehaves, hangs up or says nothing.
 */
import { describe, expect, it } from 'vitest'
import { ScramServer } from '../auth/testing/scram-server.js'
import type { ConnectOptions } from '../config/types.js'
import { AuthError, ConnectionError, ErrorCode, PgError, ProtocolError, TlsError } from '../errors.js'
import type { BackendMessage } from '../protocol/messages.js'
import { encodeBackendMessages } from '../protocol/testing/index.js'
import { Connection } from './connection.js'
import { MAX_STARTUP_NOTICES } from './startup.js'
import { backend as b, BACKEND_KEY, FAKE_HOST, FakeRuntime, fakeConfig, startupOk, type FakeBackend } from './testing/fake-server.js'

const decoder = new TextDecoder()
const [authOk, ...afterAuth] = startupOk()

/** Start Connection.open on a fresh fake runtime; returns the backend once the StartupMessage (or SSLRequest) is in. */
async function begin(options: ConnectOptions = {}, runtime = new FakeRuntime()) {
  const opening = Connection.open(fakeConfig(options), FAKE_HOST, runtime).then(
    (connection) => connection,
    (error: unknown) => error as Error,
  )
  const server = await runtime.accept()
  const first = await server.read()
  return { opening, server, first, runtime }
}

/** Sends `messages` and returns what the startup settled with. */
async function answer(opening: Promise<Connection | Error>, server: FakeBackend, ...messages: BackendMessage[]) {
  server.send(...messages)
  return opening
}

describe('authentication methods', () => {
  it('trust: StartupMessage 3.0 with user, database and client_encoding, no password, then a ready session', async () => {
    const { opening, server, first } = await begin({ applicationName: 'billing' })
    expect(first).toEqual([
      { type: 'StartupMessage', version: 196608, params: { user: 'alice', database: 'app', client_encoding: 'UTF8', application_name: 'billing' } },
    ])
    const connection = (await answer(opening, server, ...startupOk())) as Connection
    expect(connection).toBeInstanceOf(Connection)
    expect(connection.isReady).toBe(true)
    expect(connection.transactionStatus).toBe('I')
    expect(connection.processId).toBe(BACKEND_KEY.processId)
    expect(connection.parameters.get('server_version')).toBe('15.0')
    expect(connection.encrypted).toBe(false)
    expect(server.take()).toEqual([])
  })

  it('cleartext: answers AuthenticationCleartextPassword with a PasswordMessage', async () => {
    const { opening, server } = await begin({ password: 's3cret' })
    server.send(b.authCleartext())
    expect(await server.read()).toEqual([{ type: 'PasswordMessage', password: 's3cret' }])
    expect(await answer(opening, server, ...startupOk())).toBeInstanceOf(Connection)
  })

  it("md5: answers with 'md5' + md5(md5(password + user) + salt) (expected value computed once with node:crypto)", async () => {
    const salt = new Uint8Array([0xde, 0xad, 0xbe, 0xef])
    const { opening, server } = await begin({ password: 's3cret' })
    server.send(b.authMd5(salt))
    const expected = 'md54e41fed304c9edbcc8ad39fb2202bd93'
    expect(await server.read()).toEqual([{ type: 'PasswordMessage', password: expected }])
    expect(await answer(opening, server, ...startupOk())).toBeInstanceOf(Connection)
  })

  it('SCRAM-SHA-256: client-first, a proof the server verifies, the server signature checked, then AuthenticationOk', async () => {
    const scram = new ScramServer('s3cret')
    const { opening, server } = await begin({ password: 's3cret' })
    server.send(b.authSasl('SCRAM-SHA-256'))
    const [initial] = await server.read({ passwordKind: 'sasl-initial' })
    expect(initial).toMatchObject({ type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256' })
    const clientFirst = decoder.decode((initial as { data: Uint8Array }).data)
    expect(clientFirst).toMatch(/^n,,n=,r=[A-Za-z0-9+/]{24}$/)
    server.send(b.saslContinue(scram.first(clientFirst)))
    const [response] = await server.read({ passwordKind: 'sasl' })
    const serverFinal = await scram.final(decoder.decode((response as { data: Uint8Array }).data))
    expect(serverFinal).toBeDefined() // the client's proof is right
    expect(await answer(opening, server, b.saslFinal(serverFinal!), ...startupOk())).toBeInstanceOf(Connection)
  })

  it('SCRAM-SHA-256: a wrong server signature fails with AuthError and the socket is destroyed', async () => {
    const scram = new ScramServer('s3cret')
    const { opening, server } = await begin({ password: 's3cret' })
    server.send(b.authSasl('SCRAM-SHA-256'))
    const [initial] = await server.read({ passwordKind: 'sasl-initial' })
    server.send(b.saslContinue(scram.first(decoder.decode((initial as { data: Uint8Array }).data))))
    await server.read({ passwordKind: 'sasl' })
    const error = await answer(opening, server, b.saslFinal(`v=${btoa('x'.repeat(32))}`), ...startupOk())
    expect(error).toBeInstanceOf(AuthError)
    expect(server.ended).toBe('destroy')
  })

  it('an unsupported method (GSS) fails with AuthError, without sending anything', async () => {
    const { opening, server } = await begin({ password: 's3cret' })
    const error = await answer(opening, server, { type: 'AuthenticationGSS' })
    expect(error).toBeInstanceOf(AuthError)
    expect((error as Error).message).toMatch(/GSS authentication, which pgfleet does not support/)
    expect(server.take()).toEqual([])
  })

  it('channel_binding=require refuses a cleartext request and never sends the password', async () => {
    const { opening, server } = await begin({ password: 's3cret', channelBinding: 'require', sslmode: 'require' }, new FakeRuntime({ authorized: false }))
    server.sendBytes(new TextEncoder().encode('S'))
    await server.read() // the StartupMessage, over TLS
    expect(await answer(opening, server, b.authCleartext())).toBeInstanceOf(AuthError)
    expect(server.take()).toEqual([])
  })
})

describe('after authentication', () => {
  it('the first ReadyForQuery gives the initial transaction status', async () => {
    const { opening, server } = await begin()
    const connection = (await answer(opening, server, ...startupOk('T'))) as Connection
    expect(connection.transactionStatus).toBe('T')
  })

  it('NoticeResponse during startup reaches the notice subscribers given at connect (NegotiateProtocolVersion: protocol-version.test.ts)', async () => {
    const runtime = new FakeRuntime()
    const notices: string[] = []
    const opening = Connection.open(fakeConfig({}), FAKE_HOST, runtime, { onNotice: (n) => notices.push(n.message) })
    const server = await runtime.accept()
    await server.read()
    server.send(b.notice('during authentication'), b.authOk(), b.notice('before the parameters'), ...startupOk().slice(1))
    expect(await opening).toBeInstanceOf(Connection)
    expect(notices).toEqual(['during authentication', 'before the parameters'])
  })

  it(`a flood of startup notices keeps the first ${MAX_STARTUP_NOTICES}`, async () => {
    const runtime = new FakeRuntime()
    let count = 0
    const opening = Connection.open(fakeConfig({}), FAKE_HOST, runtime, { onNotice: () => count++ })
    const server = await runtime.accept()
    await server.read()
    server.send(...Array.from({ length: MAX_STARTUP_NOTICES + 50 }, (_, i) => b.notice(`n${i}`)), ...startupOk())
    expect(await opening).toBeInstanceOf(Connection)
    expect(count).toBe(MAX_STARTUP_NOTICES)
  })

  it('the whole answer cut into one-byte chunks is read the same', async () => {
    const { opening, server } = await begin()
    for (const byte of encodeBackendMessages(startupOk())) server.sendBytes(new Uint8Array([byte]))
    expect(((await opening) as Connection).parameters.get('integer_datetimes')).toBe('on')
  })
})

describe('messages out of startup order end the startup with a ProtocolError', () => {
  it.each<[string, BackendMessage[], RegExp]>([
    ['ParameterStatus before AuthenticationOk', [b.parameterStatus('a', 'b'), ...startupOk()], /ParameterStatus before AuthenticationOk/],
    ['BackendKeyData before AuthenticationOk', [b.backendKeyData(1, 2), ...startupOk()], /BackendKeyData before AuthenticationOk/],
    ['ReadyForQuery before AuthenticationOk', [b.ready()], /ReadyForQuery before AuthenticationOk/],
    ['an authentication request after AuthenticationOk', [authOk!, b.authCleartext()], /AuthenticationCleartextPassword after AuthenticationOk/],
    ['BackendKeyData twice', [authOk!, b.backendKeyData(1, 2), ...afterAuth], /BackendKeyData twice/],
    ['a query message (RowDescription) during startup', [authOk!, b.rowDescription('x')], /unexpected RowDescription during startup/],
    ['SASLContinue without a SASL exchange', [b.saslContinue('r=x')], /SASLContinue without a SASL exchange/],
  ])('%s', async (_name, messages, message) => {
    const { opening, server } = await begin({ password: 's3cret' })
    const error = await answer(opening, server, ...messages)
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as Error).message).toMatch(message)
    expect(server.ended).toBe('destroy')
  })
})

describe('a startup that fails', () => {
  it('an ErrorResponse (28P01, FATAL) rejects with the PgError, destroys the socket, and is not retried under sslmode=disable', async () => {
    const { opening, server, runtime } = await begin({ password: 'wrong' })
    server.send(b.authCleartext())
    await server.read()
    const error = await answer(opening, server, b.error('28P01', 'password authentication failed for user "alice"', 'FATAL'))
    expect(error).toBeInstanceOf(PgError)
    expect(error).toMatchObject({ code: '28P01', severity: 'FATAL' })
    expect(server.ended).toBe('destroy')
    expect(runtime.dials).toHaveLength(1)
  })

  it('the server hanging up mid-startup rejects with ConnectionError PGFLEET_CONNECTION_CLOSED', async () => {
    const { opening, server } = await begin()
    server.send(authOk!)
    server.end()
    const error = await opening
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ code: ErrorCode.ConnectionClosed })
  })

  it('a silent server is given up after connectTimeout, and the socket destroyed', async () => {
    const { opening, server } = await begin({ connectTimeout: 30 })
    expect(await opening).toMatchObject({ code: ErrorCode.ConnectTimeout })
    expect(server.ended).toBe('destroy')
  })
})

describe('SSL negotiation', () => {
  it("sslmode=require: SSLRequest, 'S', the TLS upgrade for the host name, then the StartupMessage over TLS", async () => {
    const runtime = new FakeRuntime({ authorized: false })
    const { opening, server, first } = await begin({ sslmode: 'require' }, runtime)
    expect(first).toEqual([{ type: 'SSLRequest' }])
    server.sendBytes(new TextEncoder().encode('S'))
    expect((await server.read()).map((m) => m.type)).toEqual(['StartupMessage'])
    expect(server.socket.tlsUpgrades).toMatchObject([{ servername: 'fake.test', rejectUnauthorized: false }])
    const connection = (await answer(opening, server, ...startupOk())) as Connection
    expect(connection.encrypted).toBe(true)
  })

  it("sslmode=require: 'N' fails with TlsError and nothing more is sent", async () => {
    const { opening, server } = await begin({ sslmode: 'require' })
    server.sendBytes(new TextEncoder().encode('N'))
    const error = await opening
    expect(error).toBeInstanceOf(TlsError)
    expect(server.take()).toEqual([])
    expect(server.ended).toBe('destroy')
  })
})
