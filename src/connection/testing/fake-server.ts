/**
 * Test-only: a scripted PostgreSQL backend on an in-memory socket
 * (src/transport/testing/fake-socket.ts), so a Connection's state machine is
 * unit-tested without a server, in milliseconds. A test plays the server:
 * `await backend.read()` returns the frontend messages the client wrote
 * (decoded by src/protocol/testing), `backend.send(...)` answers with backend
 * messages (encoded by the same codec's testing encoder), `backend.end()`
 * drops the connection. `FakeRuntime` hands out one FakeBackend per dial
 * (a CancelRequest is a dial of its own), and `openSession` runs a trust
 * startup and returns the ready Connection.
 *
 * The byte-level hostile server (test/support/hostile-server.ts) builds its
 * well-formed messages from `backend` below; it keeps only what must be
 * malformed. Not exported from the package.
 */
import { parseConfig } from '../../config/index.js'
import type { Config, ConnectOptions, HostSpec } from '../../config/types.js'
import type { ServerErrorFields } from '../../errors.js'
import type { BackendMessage, FieldDescription } from '../../protocol/messages.js'
import { dataRow, decodeFrontendMessages, encodeBackendMessages, type DecodeFrontendOptions, type FrontendMessage } from '../../protocol/testing/index.js'
import { FakeSocket } from '../../transport/testing/fake-socket.js'
import type { DialOptions, TlsInfo } from '../../transport/socket.js'
import { Connection, type ConnectionHooks } from '../connection.js'
import type { Runtime } from '../../runtime.js'
import { FULL_CAPABILITIES } from '../../transport/capabilities.js'

const encoder = new TextEncoder()

/** Type OIDs the builders use: int4 (parsed to a number) and text. */
export const INT4 = 23
export const TEXT = 25

/** A column for `backend.rowDescription`: a name (text) or a name and type OID. */
export type Column = string | { name: string; oid: number }

/** Backend messages as objects, for `FakeBackend.send` and encodeBackendMessages. */
export const backend = {
  authOk: (): BackendMessage => ({ type: 'AuthenticationOk' }),
  authCleartext: (): BackendMessage => ({ type: 'AuthenticationCleartextPassword' }),
  authMd5: (salt: Uint8Array = new Uint8Array([1, 2, 3, 4])): BackendMessage => ({ type: 'AuthenticationMD5Password', salt }),
  authSasl: (...mechanisms: string[]): BackendMessage => ({ type: 'AuthenticationSASL', mechanisms }),
  saslContinue: (data: string): BackendMessage => ({ type: 'AuthenticationSASLContinue', data: encoder.encode(data) }),
  saslFinal: (data: string): BackendMessage => ({ type: 'AuthenticationSASLFinal', data: encoder.encode(data) }),
  parameterStatus: (name: string, value: string): BackendMessage => ({ type: 'ParameterStatus', name, value }),
  /** A number stands for a 4-byte (protocol 3.0) key, big-endian. */
  backendKeyData: (processId: number, secretKey: number | Uint8Array): BackendMessage => ({ type: 'BackendKeyData', processId, secretKey: keyBytes(secretKey) }),
  ready: (status: 'I' | 'T' | 'E' = 'I'): BackendMessage => ({ type: 'ReadyForQuery', status }),
  rowDescription: (...columns: Column[]): BackendMessage => ({ type: 'RowDescription', fields: columns.map(field) }),
  /** A DataRow of text values (null for SQL NULL). */
  dataRow: (...values: (string | null)[]): BackendMessage => dataRow(values.map((v) => (v === null ? null : encoder.encode(v)))),
  commandComplete: (tag: string): BackendMessage => ({ type: 'CommandComplete', tag }),
  emptyQuery: (): BackendMessage => ({ type: 'EmptyQueryResponse' }),
  parseComplete: (): BackendMessage => ({ type: 'ParseComplete' }),
  bindComplete: (): BackendMessage => ({ type: 'BindComplete' }),
  closeComplete: (): BackendMessage => ({ type: 'CloseComplete' }),
  noData: (): BackendMessage => ({ type: 'NoData' }),
  portalSuspended: (): BackendMessage => ({ type: 'PortalSuspended' }),
  copyIn: (columns = 1): BackendMessage => ({ type: 'CopyInResponse', format: 0, columnFormats: new Array<number>(columns).fill(0) }),
  copyOut: (columns = 1): BackendMessage => ({ type: 'CopyOutResponse', format: 0, columnFormats: new Array<number>(columns).fill(0) }),
  copyData: (text: string): BackendMessage => ({ type: 'CopyData', data: encoder.encode(text) }),
  copyDone: (): BackendMessage => ({ type: 'CopyDone' }),
  notification: (channel: string, payload: string, processId = 4242): BackendMessage => ({ type: 'NotificationResponse', processId, channel, payload }),
  notice: (message: string, code = '00000'): BackendMessage => ({ type: 'NoticeResponse', fields: { severity: 'NOTICE', severityNonLocalized: 'NOTICE', code, message } }),
  /** An ErrorResponse; severity ERROR unless given (FATAL ends the session). */
  error: (code: string, message: string, severity = 'ERROR', extra: Partial<ServerErrorFields> = {}): BackendMessage => ({
    type: 'ErrorResponse',
    fields: { severity, severityNonLocalized: severity, code, message, ...extra },
  }),
}

function field(column: Column): FieldDescription {
  const { name, oid } = typeof column === 'string' ? { name: column, oid: TEXT } : column
  return { name, tableOid: 0, columnAttr: 0, dataTypeOid: oid, dataTypeSize: oid === INT4 ? 4 : -1, dataTypeModifier: -1, format: 0 }
}

/** A cancel key as bytes: a number is the 4-byte big-endian key of protocol 3.0. */
export function keyBytes(key: number | Uint8Array): Uint8Array {
  if (key instanceof Uint8Array) return key
  const out = new Uint8Array(4)
  new DataView(out.buffer).setInt32(0, key)
  return out
}

/** The process id and secret key `startupOk` reports by default. */
export const BACKEND_KEY = { processId: 4242, secretKey: new Uint8Array([0x00, 0x12, 0xd6, 0x87]) }

/** What a server sends after authentication: AuthenticationOk, the usual ParameterStatus set, BackendKeyData, ReadyForQuery. */
export function startupOk(status: 'I' | 'T' | 'E' = 'I'): BackendMessage[] {
  return [
    backend.authOk(),
    backend.parameterStatus('server_version', '15.0'),
    backend.parameterStatus('client_encoding', 'UTF8'),
    backend.parameterStatus('standard_conforming_strings', 'on'),
    backend.parameterStatus('integer_datetimes', 'on'),
    backend.backendKeyData(BACKEND_KEY.processId, BACKEND_KEY.secretKey),
    backend.ready(status),
  ]
}

/** The server's end of one FakeSocket. */
export class FakeBackend {
  constructor(
    readonly socket: FakeSocket,
    /** What the client dialled. */
    readonly dial: DialOptions,
  ) {}

  /** Send backend messages, all in one chunk (as one TCP read would bring them). */
  send(...messages: BackendMessage[]): void {
    this.socket.push(encodeBackendMessages(messages))
  }

  /** Send raw bytes (a malformed frame, or a message split across chunks). */
  sendBytes(bytes: Uint8Array): void {
    this.socket.push(bytes)
  }

  /**
   * The messages the client wrote since the last read, waiting for its next
   * write when there are none (the connection writes each tick's messages as
   * one chunk). A 'p' message is decoded as `options.passwordKind` says.
   * Empty when the socket ended with nothing written.
   */
  async read(options?: DecodeFrontendOptions): Promise<FrontendMessage[]> {
    await this.socket.nextWrite()
    return this.take(options)
  }

  /** One round trip: read what the client wrote (waiting for it), answer with `messages`, return what was read. */
  async answer(...messages: BackendMessage[]): Promise<FrontendMessage[]> {
    const written = await this.read()
    this.send(...messages)
    return written
  }

  /** The messages written so far and not yet read, without waiting. */
  take(options?: DecodeFrontendOptions): FrontendMessage[] {
    return this.socket.takeWrites().flatMap((bytes) => decodeFrontendMessages(bytes, options))
  }

  /** The peer closes the connection (with `error`: as a reset would). */
  end(error?: Error): void {
    this.socket.end(error)
  }

  /** How the socket ended, undefined while open. */
  get ended(): FakeSocket['ended'] {
    return this.socket.ended
  }
}

/** A Runtime whose dial() connects to a FakeBackend; `accept()` gets the backend of each dial in order. */
export class FakeRuntime implements Runtime {
  /** Every dial's options, in order. */
  readonly dials: DialOptions[] = []
  readonly capabilities = FULL_CAPABILITIES
  private readonly ready: FakeBackend[] = []
  private readonly accepting: ((backend: FakeBackend) => void)[] = []

  /** `tls`: what a TLS upgrade (or a direct TLS dial) reports; none by default (startTls rejects). */
  constructor(private readonly tls?: TlsInfo) {}

  dial = async (options: DialOptions): Promise<FakeSocket> => {
    this.dials.push(options)
    const socket = new FakeSocket(this.tls)
    if (options.directTls) socket.tls = this.tls
    const server = new FakeBackend(socket, options)
    const waiting = this.accepting.shift()
    if (waiting) waiting(server)
    else this.ready.push(server)
    return socket
  }

  /** The backend of the next dial (waits for it). */
  accept(): Promise<FakeBackend> {
    const server = this.ready.shift()
    if (server) return Promise.resolve(server)
    return new Promise((resolve) => this.accepting.push(resolve))
  }
}

/** The host every fake session is opened on. */
export const FAKE_HOST: HostSpec = { host: 'fake.test', port: 5432 }

/** A config for fake sessions: user alice, database app, no TLS, then `options`. */
export function fakeConfig(options: ConnectOptions = {}): Config {
  return parseConfig({ host: FAKE_HOST.host, port: FAKE_HOST.port, user: 'alice', database: 'app', sslmode: 'disable', ...options })
}

/** A ready session on a fake backend, and the startup messages the client sent. */
export interface FakeSession {
  connection: Connection
  backend: FakeBackend
  runtime: FakeRuntime
  startup: FrontendMessage[]
}

/** Open a Connection against a backend that trusts the client (startupOk answers the StartupMessage). */
export async function openSession(options: ConnectOptions = {}, hooks: ConnectionHooks = {}): Promise<FakeSession> {
  const runtime = new FakeRuntime()
  const opening = Connection.open(fakeConfig(options), FAKE_HOST, runtime, hooks)
  const server = await runtime.accept()
  const startup = await server.read()
  server.send(...startupOk())
  return { connection: await opening, backend: server, runtime, startup }
}
