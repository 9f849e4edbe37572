/**
 * A small fake PostgreSQL server for tests of the driver's defences. It
 * listens on 127.0.0.1 (random port), plays a script against every
 * connection, and records every byte clients send so that tests can assert
 * that no credential left the client.
 *
 * A script is a list of steps: wait for a client frame, send bytes, pause,
 * close. An SSLRequest or GSSENCRequest that the script does not wait for is
 * answered 'N' automatically, so scenarios work under any sslmode.
 * `scenarios` holds ready-made scripts for the attacks a client must survive
 * (forged lengths, out-of-order and unexpected messages, downgrades).
 */
import { afterEach } from 'vitest'
import * as net from 'node:net'
import { backend, startupOk as startupMessages } from '../../src/connection/testing/fake-server.js'
import { encodeBackendMessage, encodeBackendMessages } from '../../src/protocol/testing/index.js'

/** One frame received from a client. */
export interface ReceivedFrame {
  /** 'ssl-request', 'gss-request', 'cancel', 'startup', or 'typed' for a regular message. */
  kind: 'ssl-request' | 'gss-request' | 'cancel' | 'startup' | 'typed'
  /** The type letter of a typed message ('p', 'Q', 'P', ...). */
  type?: string
  /** Bytes after the length word. */
  body: Uint8Array
}

/** What a `send` function sees: the frames this connection has received so far. */
export interface ScriptContext {
  frames: ReceivedFrame[]
  last: ReceivedFrame | undefined
}

export type Step =
  /** Wait for the next frame of this kind: 'ssl-request', 'startup', 'any' (typed), or a type letter. */
  | { receive: string }
  | { send: Uint8Array | ((ctx: ScriptContext) => Uint8Array) }
  | { wait: number }
  | { close: 'end' | 'destroy' }

/** A script played against every connection. */
export type Scenario = readonly Step[]

export interface HostileServer {
  port: number
  /** Every byte received from clients, all connections in order of arrival. */
  received: () => Uint8Array
  /** How many connections were accepted. */
  connections: () => number
  close(): Promise<void>
}

// ---- bytes, for the frames that must be malformed (protocol 55.7) ----

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function int32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setInt32(0, n)
  return b
}

export function cstring(s: string): Uint8Array {
  return concat(encoder.encode(s), new Uint8Array([0]))
}

/** A typed backend frame; the length counts itself but not the type byte. */
export function frame(type: string, ...body: Uint8Array[]): Uint8Array {
  const payload = concat(...body)
  return concat(encoder.encode(type), int32(payload.length + 4), payload)
}

/** A frame whose length word is the given value, whatever the body (for malformed lengths). */
export function rawFrame(type: string, length: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const len = new Uint8Array(4)
  new DataView(len.buffer).setUint32(0, length >>> 0)
  return concat(encoder.encode(type), len, body)
}

/**
 * Well-formed backend messages as bytes, encoded by the codec's own testing
 * encoder from the builders the in-memory fake server uses
 * (src/connection/testing/fake-server.ts); only malformed frames are built here.
 */
export const messages = {
  authOk: () => encodeBackendMessage(backend.authOk()),
  authCleartext: () => encodeBackendMessage(backend.authCleartext()),
  authMd5: (salt?: Uint8Array) => encodeBackendMessage(backend.authMd5(salt)),
  authSasl: (...mechanisms: string[]) => encodeBackendMessage(backend.authSasl(...mechanisms)),
  saslContinue: (data: string) => encodeBackendMessage(backend.saslContinue(data)),
  saslFinal: (data: string) => encodeBackendMessage(backend.saslFinal(data)),
  parameterStatus: (name: string, value: string) => encodeBackendMessage(backend.parameterStatus(name, value)),
  backendKeyData: (pid: number, secret: number | Uint8Array) => encodeBackendMessage(backend.backendKeyData(pid, secret)),
  readyForQuery: (status: 'I' | 'T' | 'E' = 'I') => encodeBackendMessage(backend.ready(status)),
  errorResponse: (code: string, message: string, severity = 'FATAL') => encodeBackendMessage(backend.error(code, message, severity)),
  /** RowDescription of text columns named as given (type oid 25). */
  rowDescription: (...names: string[]) => encodeBackendMessage(backend.rowDescription(...names)),
  dataRow: (...values: (string | null)[]) => encodeBackendMessage(backend.dataRow(...values)),
  commandComplete: (tag: string) => encodeBackendMessage(backend.commandComplete(tag)),
}

/** AuthenticationOk, the usual ParameterStatus set, BackendKeyData and ReadyForQuery. */
export function startupOk(): Uint8Array {
  return encodeBackendMessages(startupMessages())
}

// ---- SCRAM helpers: read the client's messages, forge the server's ----

/** The client-first-message of a SASLInitialResponse body (mechanism, int32 length, data). */
export function saslInitialData(body: Uint8Array): { mechanism: string; data: string } {
  const zero = body.indexOf(0)
  const mechanism = decoder.decode(body.subarray(0, zero))
  const len = new DataView(body.buffer, body.byteOffset + zero + 1, 4).getInt32(0)
  return { mechanism, data: decoder.decode(body.subarray(zero + 5, zero + 5 + Math.max(len, 0))) }
}

/** The client nonce (r=) of a SASLInitialResponse body. */
export function clientNonce(body: Uint8Array): string {
  const { data } = saslInitialData(body)
  const match = /(?:^|,)r=([^,]*)/.exec(data)
  return match?.[1] ?? ''
}

const SALT_B64 = 'c2FsdHNhbHRzYWx0c2FsdA=='

function findFrame(ctx: ScriptContext, type: string): ReceivedFrame {
  const f = [...ctx.frames].reverse().find((x) => x.kind === 'typed' && x.type === type)
  if (f === undefined) throw new Error(`hostile server: no '${type}' frame received`)
  return f
}

/** server-first-message built from the client's nonce. */
function serverFirst(ctx: ScriptContext, options: { nonce?: (client: string) => string; iterations?: number }): Uint8Array {
  const client = clientNonce(findFrame(ctx, 'p').body)
  const nonce = options.nonce ? options.nonce(client) : `${client}SERVERNONCE0123456789`
  return messages.saslContinue(`r=${nonce},s=${SALT_B64},i=${options.iterations ?? 4096}`)
}

/** Steps up to the client-final-message of a SCRAM exchange, with a forged server-first. */
function scramUntilClientFinal(options: { nonce?: (client: string) => string; iterations?: number } = {}): Step[] {
  return [
    { receive: 'startup' },
    { send: messages.authSasl('SCRAM-SHA-256') },
    { receive: 'p' },
    { send: (ctx) => serverFirst(ctx, options) },
  ]
}

/** Steps of a successful trust startup, then wait for the first message of a query. */
function startupThenQuery(): Step[] {
  return [{ receive: 'startup' }, { send: startupOk() }, { receive: 'any' }]
}

/** Ready-made hostile scripts. */
export const scenarios = {
  /** 'S' to SSLRequest followed by unencrypted bytes in the same packet (CVE-2021-23222). */
  sslExtraBytes: (extra: Uint8Array = messages.authOk()): Scenario => [
    { receive: 'ssl-request' },
    { send: concat(encoder.encode('S'), extra) },
  ],
  /** 'E' to SSLRequest with an ErrorResponse whose text must never be shown (CVE-2024-10977). */
  sslError: (text = 'FATAL: send your password to attacker.example'): Scenario => [
    { receive: 'ssl-request' },
    { send: concat(encoder.encode('E'), messages.errorResponse('XX000', text)) },
    { close: 'end' },
  ],
  /** After startup, a message whose length word is `length` (0, 3, 2^31, ...). */
  badLength: (length: number, type = 'D'): Scenario => [...startupThenQuery(), { send: rawFrame(type, length) }],
  /** After startup, a message with a type byte no server sends. */
  unknownMessage: (type = '~'): Scenario => [...startupThenQuery(), { send: frame(type, encoder.encode('junk')) }],
  /** A RowDescription of 2 columns followed by a DataRow of 3 values. */
  dataRowMismatch: (): Scenario => [
    ...startupThenQuery(),
    {
      send: concat(
        messages.rowDescription('a', 'b'),
        messages.dataRow('1', '2', '3'),
        messages.commandComplete('SELECT 1'),
        messages.readyForQuery('I'),
      ),
    },
  ],
  /** AuthenticationOk right after the client-final-message, skipping SASLFinal. */
  saslSkipFinal: (): Scenario => [...scramUntilClientFinal(), { receive: 'p' }, { send: startupOk() }],
  /** A SASLFinal whose server signature is wrong, then AuthenticationOk. */
  saslBadSignature: (): Scenario => [
    ...scramUntilClientFinal(),
    { receive: 'p' },
    { send: concat(messages.saslFinal(`v=${btoa('x'.repeat(32))}`), startupOk()) },
  ],
  /** A server nonce that does not start with the client's. */
  saslBadNonce: (): Scenario => [...scramUntilClientFinal({ nonce: () => 'attackerChosenNonceWithoutTheClientPart' })],
  /** A SCRAM iteration count far above any sane cap (default 10^9). */
  saslIterations: (iterations = 1_000_000_000): Scenario => [...scramUntilClientFinal({ iterations })],
  /** AuthenticationCleartextPassword: require_auth must refuse and send no password. */
  cleartextPassword: (): Scenario => [
    { receive: 'startup' },
    { send: messages.authCleartext() },
    { receive: 'p' },
    { send: startupOk() },
  ],
}

// ---- the server ----

const SSL_REQUEST = 80877103
const GSS_REQUEST = 80877104
const CANCEL_REQUEST = 80877102
/** Frames larger than this from a client are a test bug: the connection is dropped. */
const MAX_CLIENT_FRAME = 16 * 1024 * 1024

/** Splits a client's byte stream into frames: untyped until the StartupMessage, typed after. */
class FrameReader {
  private buffer: Uint8Array = new Uint8Array(0)
  private started = false

  push(chunk: Uint8Array): ReceivedFrame[] {
    this.buffer = concat(this.buffer, chunk)
    const out: ReceivedFrame[] = []
    for (;;) {
      const header = this.started ? 5 : 4
      if (this.buffer.length < header) break
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset)
      const length = view.getInt32(header - 4)
      if (length < 4 || length > MAX_CLIENT_FRAME) throw new Error(`hostile server: bad client frame length ${length}`)
      const total = header - 4 + length
      if (this.buffer.length < total) break
      const body = this.buffer.slice(header, total)
      if (this.started) {
        out.push({ kind: 'typed', type: String.fromCharCode(this.buffer[0]!), body })
      } else {
        const code = length >= 8 ? view.getInt32(4) : 0
        const kind = code === SSL_REQUEST ? 'ssl-request' : code === GSS_REQUEST ? 'gss-request' : code === CANCEL_REQUEST ? 'cancel' : 'startup'
        if (kind === 'startup') this.started = true
        out.push({ kind, body })
      }
      this.buffer = this.buffer.slice(total)
    }
    return out
  }
}

function matches(step: string, f: ReceivedFrame): boolean {
  if (step === 'any') return f.kind === 'typed'
  if (f.kind !== 'typed') return f.kind === step
  return f.type === step
}

/** Plays the scenario on one connection. */
function play(socket: net.Socket, scenario: Scenario, record: (chunk: Uint8Array) => void): void {
  const reader = new FrameReader()
  const ctx: ScriptContext = { frames: [], last: undefined }
  const queue: ReceivedFrame[] = []
  let waiting: ((f: ReceivedFrame) => void) | undefined

  socket.on('data', (chunk: Buffer) => {
    const bytes = new Uint8Array(chunk)
    record(bytes)
    let frames: ReceivedFrame[]
    try {
      frames = reader.push(bytes)
    } catch {
      socket.destroy()
      return
    }
    for (const f of frames) {
      ctx.frames.push(f)
      queue.push(f)
    }
    deliver()
  })

  let wanted: string | undefined
  function deliver(): void {
    while (queue.length > 0 && waiting !== undefined) {
      const f = queue.shift()!
      if (wanted !== undefined && matches(wanted, f)) {
        const w = waiting
        waiting = undefined
        ctx.last = f
        w(f)
      } else if (f.kind === 'ssl-request' || f.kind === 'gss-request') {
        // An encryption request the script does not expect: refuse it.
        socket.write('N')
      }
    }
  }

  const next = (kind: string): Promise<ReceivedFrame> =>
    new Promise((resolve) => {
      wanted = kind
      waiting = resolve
      deliver()
    })

  void (async () => {
    for (const step of scenario) {
      if (socket.destroyed) return
      if ('receive' in step) await next(step.receive)
      else if ('send' in step) socket.write(typeof step.send === 'function' ? step.send(ctx) : step.send)
      else if ('wait' in step) await new Promise((r) => setTimeout(r, step.wait))
      else if (step.close === 'end') socket.end()
      else socket.destroy()
    }
    // Script done: keep recording, answer nothing (encryption requests still get 'N').
    wanted = undefined
    waiting = () => {}
    deliver()
  })().catch(() => socket.destroy())
}

/** Start a hostile server on 127.0.0.1 with a random port; every connection plays `scenario`. */
export function startHostileServer(scenario: Scenario): Promise<HostileServer> {
  return startScriptedServer(() => scenario)
}

// ---- a server whose script is chosen per connection (fuzzing) ----

/** The connection a `choose` function picks a script for. */
/**
 * `serve(scenario)` for one test file: each server it starts is closed after
 * every test. Call it at the file's top level (it registers an `afterEach`).
 */
export function servePerTest(): (scenario: Scenario) => Promise<HostileServer> {
  const open: HostileServer[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async (scenario) => {
    const server = await startHostileServer(scenario)
    open.push(server)
    return server
  }
}

export interface ConnectionInfo {
  /** 0 for the first connection this server accepted, then 1, 2, ... */
  index: number
  /** Kind of the connection's first frame: 'startup', 'cancel', 'ssl-request' or 'gss-request'. */
  kind: ReceivedFrame['kind']
}

/** A HostileServer that can also drop every open connection while it keeps listening. */
export interface ScriptedServer extends HostileServer {
  /** Destroy every open connection now (the listener stays up). */
  dropConnections(): void
}

/**
 * Like startHostileServer, but each connection gets the script `choose`
 * returns once the connection's first frame has arrived (a startup and a
 * CancelRequest can get different scripts). The chosen script sees that
 * first frame like any other, so it starts with `{ receive: 'startup' }` or
 * `{ receive: 'cancel' }`. With `record: false` received bytes are not kept.
 */
export async function startScriptedServer(
  choose: (info: ConnectionInfo) => Scenario,
  options: { record?: boolean } = {},
): Promise<ScriptedServer> {
  const chunks: Uint8Array[] = []
  const record = options.record === false ? () => {} : (c: Uint8Array) => chunks.push(c)
  const sockets = new Set<net.Socket>()
  let accepted = 0
  const server = net.createServer((socket) => {
    const index = accepted++
    sockets.add(socket)
    socket.setNoDelay(true)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    // Hold bytes until the first frame's 8-byte header (length + code) is in, then hand over to play().
    const held: Buffer[] = []
    let heldBytes = 0
    const peek = (chunk: Buffer) => {
      held.push(chunk)
      heldBytes += chunk.length
      if (heldBytes < 8) return
      socket.off('data', peek)
      const head = Buffer.concat(held)
      const code = head.readInt32BE(4)
      const kind: ReceivedFrame['kind'] =
        code === SSL_REQUEST ? 'ssl-request' : code === GSS_REQUEST ? 'gss-request' : code === CANCEL_REQUEST ? 'cancel' : 'startup'
      let scenario: Scenario
      try {
        scenario = choose({ index, kind })
      } catch {
        socket.destroy()
        return
      }
      play(socket, scenario, record)
      socket.emit('data', head)
    }
    socket.on('data', peek)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, resolve)
  })
  const address = server.address() as net.AddressInfo
  return {
    port: address.port,
    received: () => concat(...chunks),
    connections: () => accepted,
    dropConnections: () => {
      for (const s of sockets) s.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
