/**
 * Protocol 3.2 (PostgreSQL 18) at startup against a scripted backend:
 * min/max_protocol_version as libpq 18 reads them, the StartupMessage
 * version, NegotiateProtocolVersion (a downgrade is accepted down to
 * min_protocol_version, anything else is a protocol violation), the cancel
 * key's length per version, and a CancelRequest carrying a long key whole.
 * Real servers: test/integration/protocol-version.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../config/index.js'
import type { ConnectOptions } from '../config/types.js'
import { ConfigError, ConnectionError, ErrorCode, ProtocolError } from '../errors.js'
import type { BackendMessage } from '../protocol/messages.js'
import { Connection } from './connection.js'
import { backend as b, FAKE_HOST, FakeRuntime, fakeConfig, type FakeBackend } from './testing/fake-server.js'

const V3_0 = 196608
const V3_2 = 196610
/** NegotiateProtocolVersion as PostgreSQL sends it: the whole version word (3.0 = 196608), not the bare minor. */
const negotiate = (minor: number, unrecognizedOptions: string[] = []): BackendMessage => ({
  type: 'NegotiateProtocolVersion',
  newestMinorVersion: (3 << 16) | minor,
  unrecognizedOptions,
})
const LONG_KEY = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i)

/** AuthenticationOk, a ParameterStatus, BackendKeyData with `key`, ReadyForQuery. */
function startupWithKey(key: Uint8Array): BackendMessage[] {
  return [b.authOk(), b.parameterStatus('server_version', '18.4'), b.backendKeyData(99, key), b.ready()]
}

async function begin(options: ConnectOptions = {}, runtime = new FakeRuntime()) {
  const opening = Connection.open(fakeConfig(options), FAKE_HOST, runtime).then(
    (connection) => connection,
    (error: unknown) => error as Error,
  )
  const server = await runtime.accept()
  const [first] = await server.read()
  return { opening, server, first: first as { type: string; version?: number }, runtime }
}

async function answer(opening: Promise<Connection | Error>, server: FakeBackend, ...messages: BackendMessage[]) {
  server.send(...messages)
  return opening
}

describe('min_protocol_version / max_protocol_version (libpq 18)', () => {
  it('default 3.0 for both; latest is 3.2; max follows a higher min', () => {
    expect(parseConfig({})).toMatchObject({ minProtocolVersion: 0, maxProtocolVersion: 0 })
    expect(parseConfig('max_protocol_version=latest')).toMatchObject({ minProtocolVersion: 0, maxProtocolVersion: 2 })
    expect(parseConfig('min_protocol_version=3.2')).toMatchObject({ minProtocolVersion: 2, maxProtocolVersion: 2 })
    expect(parseConfig({}, { PGMAXPROTOCOLVERSION: '3.2' })).toMatchObject({ maxProtocolVersion: 2 })
    expect(parseConfig({ minProtocolVersion: '3.0', maxProtocolVersion: '3.2' })).toMatchObject({ minProtocolVersion: 0, maxProtocolVersion: 2 })
  })

  it('refuses 3.1, other words, and a min above the max, naming the option', () => {
    expect(() => parseConfig('max_protocol_version=3.1')).toThrow(ConfigError)
    expect(() => parseConfig('max_protocol_version=3.1')).toThrow(/max_protocol_version/)
    expect(() => parseConfig('min_protocol_version=newest')).toThrow(/min_protocol_version/)
    expect(() => parseConfig('min_protocol_version=3.2 max_protocol_version=3.0')).toThrow(
      /min_protocol_version "3.2" is greater than max_protocol_version "3.0"/,
    )
  })
})

describe('startup version and negotiation', () => {
  it('by default asks for 3.0 and keeps a 4-byte key', async () => {
    const { opening, server, first } = await begin()
    expect(first.version).toBe(V3_0)
    const connection = (await answer(opening, server, ...startupWithKey(new Uint8Array([1, 2, 3, 4])))) as Connection
    expect(connection.protocolVersion).toBe('3.0')
  })

  it('max 3.2 against a 3.2 server: no negotiation, a 32-byte key, and a CancelRequest that carries it whole', async () => {
    const runtime = new FakeRuntime()
    const { opening, server, first } = await begin({ maxProtocolVersion: '3.2' }, runtime)
    expect(first.version).toBe(V3_2)
    const connection = (await answer(opening, server, ...startupWithKey(LONG_KEY))) as Connection
    expect(connection.protocolVersion).toBe('3.2')
    const cancelled = connection.cancel()
    const cancel = await runtime.accept()
    expect(await cancel.read()).toEqual([{ type: 'CancelRequest', processId: 99, secretKey: LONG_KEY }])
    cancel.end()
    await cancelled
  })

  it('max 3.2 against an older server: its downgrade to 3.0 is taken (PostgreSQL 13-17 answer so)', async () => {
    const { opening, server } = await begin({ maxProtocolVersion: '3.2' })
    const connection = (await answer(opening, server, negotiate(0), ...startupWithKey(new Uint8Array([9, 9, 9, 9])))) as Connection
    expect(connection.protocolVersion).toBe('3.0')
  })

  it('a bare minor number (as the protocol docs word it) is read the same as the version word', async () => {
    const { opening, server } = await begin({ maxProtocolVersion: '3.2' })
    const bare: BackendMessage = { type: 'NegotiateProtocolVersion', newestMinorVersion: 0, unrecognizedOptions: [] }
    const connection = (await answer(opening, server, bare, ...startupWithKey(new Uint8Array([9, 9, 9, 9])))) as Connection
    expect(connection.protocolVersion).toBe('3.0')
  })

  it('min 3.2 against a server that downgrades: a clear ConnectionError, nothing more sent', async () => {
    const { opening, server } = await begin({ minProtocolVersion: '3.2' })
    const error = await answer(opening, server, negotiate(0))
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ code: ErrorCode.ProtocolVersion })
    expect((error as Error).message).toBe('server only supports protocol version 3.0, but min_protocol_version was set to 3.2')
    expect(server.ended).toBe('destroy')
  })

  it.each<[string, ConnectOptions, BackendMessage[], RegExp]>([
    ['a negotiation when 3.0 was asked (no downgrade possible)', {}, [negotiate(0)], /may only downgrade/],
    ['an "upgrade" above what was asked', { maxProtocolVersion: '3.2' }, [negotiate(3)], /may only downgrade/],
    ['the never-used 3.1', { maxProtocolVersion: '3.2' }, [negotiate(1)], /3\.1, which was never used/],
    ['another major version', { maxProtocolVersion: '3.2' }, [{ type: 'NegotiateProtocolVersion', newestMinorVersion: 2 << 16, unrecognizedOptions: [] }], /offered protocol version 2\.0/],
    ['a negative version word', { maxProtocolVersion: '3.2' }, [{ type: 'NegotiateProtocolVersion', newestMinorVersion: -1, unrecognizedOptions: [] }], /offered protocol version/],
    ['an option we never sent', { maxProtocolVersion: '3.2' }, [negotiate(0, ['_pq_.compression'])], /not requested \("_pq_.compression"\)/],
    ['a second negotiation', { maxProtocolVersion: '3.2' }, [negotiate(0), negotiate(0)], /NegotiateProtocolVersion twice/],
    ['a negotiation after AuthenticationOk', { maxProtocolVersion: '3.2' }, [b.authOk(), negotiate(0)], /NegotiateProtocolVersion after AuthenticationOk/],
    ['a 32-byte key in protocol 3.0', {}, startupWithKey(LONG_KEY), /32-byte cancel key in protocol 3\.0/],
    ['a 32-byte key after a downgrade to 3.0', { maxProtocolVersion: '3.2' }, [negotiate(0), ...startupWithKey(LONG_KEY)], /32-byte cancel key in protocol 3\.0/],
  ])('ProtocolError for %s', async (_name, options, messages, message) => {
    const { opening, server } = await begin(options)
    const error = await answer(opening, server, ...messages)
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as Error).message).toMatch(message)
    expect(server.ended).toBe('destroy')
  })
})
