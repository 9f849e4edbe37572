/**
 * The Bun runtime's part of the transport (src/transport/core.ts) on Bun's
 * native sockets: `Bun.connect`, and `socket.upgradeTLS` both after
 * SSLRequest and for direct TLS (verified on Bun 1.4.5). Bun's TLS is
 * BoringSSL with Node-like options, so every sslmode works: verify-full,
 * verify-ca (Bun has no per-connection checkServerIdentity hook, so we
 * connect with rejectUnauthorized=false and accept only a handshake whose
 * sole complaint is the host name), require without verification, client
 * certificates (encrypted keys with passphrase), ALPN, and the peer
 * certificate (so SCRAM-SHA-256-PLUS works).
 * The Bun types are declared below; nothing here imports `bun` or `node:*`.
 */
import { ErrorCode, TlsError } from '../errors.js'
import { isCertificateErrorCode } from '../tls/error-codes.js'
import { onAbort, raceSignal } from '../deadline.js'
import type { RuntimeEnvironment } from '../runtime.js'
import { FULL_CAPABILITIES, refuseDial, type Capabilities } from './capabilities.js'
import { startDirectTls, StreamSocket, type Channel, type ChannelEvents } from './core.js'
import { addressOf, dialError } from './errors.js'
import { fileMode, homeDirectory, readFileText, warn } from './node-fs.js'
import { readsStop, stopSignalOf, type Dial, type TransportDialOptions, type TlsInfo, type TlsUpgradeOptions } from './socket.js'

interface BunTlsOptions {
  serverName: string
  rejectUnauthorized: boolean
  ca?: string | string[]
  cert?: string
  key?: string
  passphrase?: string
  /** ALPN in wire format (length-prefixed names); Bun rejects a string array. */
  ALPNProtocols?: ArrayBuffer
}
interface BunSocket {
  /** Bytes taken (-1 when closed). */
  write(data: Uint8Array): number
  end(): void
  terminate(): void
  pause(): void
  resume(): void
  ref(): void
  unref(): void
  /** initialDelay in milliseconds (Bun 1.1+); absent on older Bun. */
  setKeepAlive?(enable: boolean, initialDelay?: number): boolean
  alpnProtocol?: string | false | null
  getPeerCertificate(detailed?: boolean): { raw?: Uint8Array } | null | undefined
  upgradeTLS(options: { tls: BunTlsOptions; socket: BunHandlers }): [BunSocket, BunSocket]
}
type AuthorizationError = (Error & { code?: string }) | null
interface BunHandlers {
  /** What `data` receives; 'arraybuffer' (see readChunk). */
  binaryType?: 'arraybuffer' | 'buffer' | 'uint8array'
  open?(socket: BunSocket): void
  data(socket: BunSocket, chunk: ArrayBuffer): void
  drain(socket: BunSocket): void
  close(socket: BunSocket, error?: Error): void
  error(socket: BunSocket, error: Error): void
  handshake?(socket: BunSocket, success: boolean, authorizationError: AuthorizationError): void
}
interface BunNamespace {
  connect(options: { hostname?: string; port?: number; unix?: string; socket: BunHandlers }): Promise<BunSocket>
}

/**
 * A read chunk as the bytes the reader takes: a Buffer view over the
 * ArrayBuffer Bun made (no copy), so the text decoder finds the Buffer's
 * native utf8Slice (src/types/utf8.ts). Bun's default binaryType hands over a
 * small chunk as a typed array without an ArrayBuffer of its own (JSC keeps
 * it in the GC heap): the reader's first subarray() of it then copies the
 * bytes out into one: ~85 ns per chunk on Bun 1.4.5 (timed in the data
 * callback), +0.5% `select 1` in a paired A/B (bench/ab.mjs). Asked for an
 * ArrayBuffer, Bun makes that buffer at once.
 */
const readChunk = (chunk: ArrayBuffer): Uint8Array => Buffer.from(chunk)

function bun(): BunNamespace {
  const ns = (globalThis as { Bun?: BunNamespace }).Bun
  if (ns === undefined) throw new Error('pgfleet/transport/bun: not running on Bun')
  return ns
}

/** ALPN names in TLS wire format: each name prefixed by its length (RFC 7301 §3.1). */
export function alpnWireFormat(names: string[]): ArrayBuffer {
  const encoded = names.map((name) => new TextEncoder().encode(name))
  const out = new Uint8Array(encoded.reduce((sum, name) => sum + 1 + name.length, 0))
  let offset = 0
  for (const name of encoded) {
    out[offset++] = name.length
    out.set(name, offset)
    offset += name.length
  }
  return out.buffer
}

/** Bun's options for a policy decision (see the file comment for verify-ca). */
export function bunTlsOptions(options: TlsUpgradeOptions): BunTlsOptions {
  return {
    serverName: options.servername,
    // The host-name check cannot be turned off alone: verify-ca checks the result itself.
    rejectUnauthorized: options.rejectUnauthorized && options.checkServerIdentity,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    passphrase: options.passphrase,
    ALPNProtocols: options.alpnProtocols?.length ? alpnWireFormat(options.alpnProtocols) : undefined,
  }
}

/** Whether a handshake with this authorization error satisfies the policy. */
export function acceptHandshake(options: TlsUpgradeOptions, authorizationError: { code?: string } | null): boolean {
  if (!options.rejectUnauthorized || authorizationError === null) return true
  // verify-ca: the chain verified (OpenSSL reports chain errors before the name check).
  return !options.checkServerIdentity && authorizationError.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
}

/** The TlsError for a handshake the policy refuses. */
function handshakeError(options: TlsUpgradeOptions, authorizationError: AuthorizationError): TlsError {
  const reason = authorizationError?.message ?? 'handshake failed'
  const certificate = isCertificateErrorCode(authorizationError?.code)
  const what = certificate ? `server certificate of ${options.servername} rejected` : `TLS handshake with ${options.servername} failed`
  return new TlsError(`${what}: ${reason}`, {
    code: certificate ? ErrorCode.TlsCertificate : ErrorCode.TlsHandshake,
    cause: authorizationError ?? undefined,
  })
}

/**
 * A Channel over one Bun socket (the raw one, or its TLS upgrade): Bun pushes
 * events to `handlers`; writes it cannot take at once wait for `drain`.
 */
class BunChannel implements Channel {
  socket!: BunSocket
  private events?: ChannelEvents
  private flowing = false
  private detached = false
  private ended = false
  private lastError?: Error
  /** Data that arrived while paused or before open (Bun pushes from the start). */
  private readonly held: Uint8Array[] = []
  private pendingWrite?: { rest: Uint8Array; done: () => void }
  private handshake?: { options: TlsUpgradeOptions; resolve: (info: TlsInfo) => void; reject: (error: Error) => void }

  constructor(private readonly address: string) {}

  readonly handlers: BunHandlers = {
    binaryType: 'arraybuffer',
    data: (socket, chunk) => {
      if (this.detached) return
      if (this.flowing && this.events) return this.events.data(readChunk(chunk))
      this.held.push(readChunk(chunk))
      socket.pause()
    },
    drain: () => this.writeRest(),
    error: (_socket, error) => {
      this.lastError = error
    },
    close: (_socket, error) => this.end(error ?? this.lastError),
    handshake: (socket, success, authorizationError) => this.handshook(socket, success, authorizationError),
  }

  open(events: ChannelEvents): void {
    this.events = events
  }

  write(data: Uint8Array): Promise<void> | undefined {
    const written = Math.max(this.socket.write(data), 0)
    if (written === data.length) return undefined
    return new Promise((done) => (this.pendingWrite = { rest: data.subarray(written), done }))
  }

  pause(): void {
    this.flowing = false
    this.socket.pause()
  }

  resume(): void {
    this.flowing = true
    // Held data goes first, later (never inside the caller's resume()), as a socket would deliver it.
    if (this.held.length === 0) this.socket.resume()
    else queueMicrotask(() => this.deliverHeld())
  }

  private deliverHeld(): void {
    while (this.flowing && !this.detached && this.held.length > 0) this.events?.data(this.held.shift()!)
    if (this.flowing && this.held.length === 0) this.socket.resume()
  }

  close(): void {
    this.socket.end()
  }

  destroy(): void {
    this.socket?.terminate()
  }

  detach(): void {
    this.detached = true
  }

  ref(): void {
    this.socket.ref()
  }

  unref(): void {
    this.socket.unref()
  }

  /** A promise for the next handshake event; also rejected if the socket closes first. */
  awaitHandshake(options: TlsUpgradeOptions): Promise<TlsInfo> {
    return new Promise<TlsInfo>((resolve, reject) => (this.handshake = { options, resolve, reject }))
  }

  failHandshake(error: Error): void {
    this.handshake?.reject(error)
    this.handshake = undefined
  }

  private writeRest(): void {
    const pending = this.pendingWrite
    if (pending === undefined) return
    const written = Math.max(this.socket.write(pending.rest), 0)
    pending.rest = pending.rest.subarray(written)
    if (pending.rest.length > 0) return
    this.pendingWrite = undefined
    pending.done()
  }

  private end(error?: Error): void {
    if (this.ended) return
    this.ended = true
    this.failHandshake(
      new TlsError(`connection to ${this.address} closed during the TLS handshake${error ? `: ${error.message}` : ''}`, {
        code: ErrorCode.TlsHandshake,
        cause: error,
      }),
    )
    // A write waiting for `drain` never gets it: let the queue go (the core is closed by now).
    const pending = this.pendingWrite
    this.pendingWrite = undefined
    if (!this.detached) this.events?.end(error)
    pending?.done()
  }

  private handshook(socket: BunSocket, success: boolean, authorizationError: AuthorizationError): void {
    const pending = this.handshake
    this.handshake = undefined
    if (pending === undefined) return
    const { options } = pending
    if (!acceptHandshake(options, authorizationError) || (options.rejectUnauthorized && options.checkServerIdentity && !success)) {
      return pending.reject(handshakeError(options, authorizationError))
    }
    const raw = socket.getPeerCertificate(true)?.raw
    pending.resolve({
      // Whether the chain verified: under verify-ca the host name may be the one complaint.
      authorized: authorizationError === null || authorizationError.code === 'ERR_TLS_CERT_ALTNAME_INVALID',
      alpnProtocol: socket.alpnProtocol || false,
      peerCertificate: raw ? new Uint8Array(raw) : undefined,
    })
  }
}

/** TLS over the plain channel's socket, in place. */
async function upgrade(plain: BunChannel, options: TlsUpgradeOptions, abandoned: AbortSignal, address: string): Promise<{ channel: Channel; info: TlsInfo }> {
  const secure = new BunChannel(address)
  // Bun does not close the TLS socket with the raw one.
  onAbort(abandoned, () => secure.destroy())
  const handshake = secure.awaitHandshake(options)
  try {
    const [, tlsSocket] = plain.socket.upgradeTLS({ tls: bunTlsOptions(options), socket: secure.handlers })
    secure.socket = tlsSocket
  } catch (error) {
    secure.failHandshake(new TlsError(`TLS setup for ${options.servername} failed: ${(error as Error).message}`, { cause: error }))
  }
  return { channel: secure, info: await handshake }
}

/** Dial with Bun's native sockets (TCP or Unix); direct TLS upgrades the fresh socket at once. */
export const dialBun: Dial = async (options: TransportDialOptions) => {
  refuseDial(BUN_CAPABILITIES, options)
  const address = addressOf(options)
  const stop = stopSignalOf(options)
  const channel = new BunChannel(address)
  const target = options.path !== undefined ? { unix: options.path } : { hostname: options.host, port: options.port }
  try {
    channel.socket = await raceSignal(bun().connect({ ...target, socket: channel.handlers }), stop, (late) => late.terminate())
  } catch (error) {
    throw dialError(address, error, stop)
  }
  if (options.path === undefined) {
    const keepAlive = options.keepAlive ?? { enabled: true, idleMs: 0 }
    channel.socket.setKeepAlive?.(keepAlive.enabled, keepAlive.idleMs)
  }
  const socket = new StreamSocket(channel, address, BUN_CAPABILITIES, (tlsOptions, abandoned) => upgrade(channel, tlsOptions, abandoned, address))
  return options.directTls === undefined ? socket : startDirectTls(socket, options.directTls, stop)
}

/**
 * Bun has no per-connection host-name switch: verify-ca checks the handshake's
 * result itself (acceptHandshake). Its TLS sockets expose no session keys.
 */
const BUN_CAPABILITIES: Capabilities = { ...FULL_CAPABILITIES, keyLog: false }

/** The Bun runtime: Bun.connect sockets, files read with Bun's node:fs compat. */
export const bunRuntime: RuntimeEnvironment = {
  name: 'bun',
  capabilities: BUN_CAPABILITIES,
  dial: readsStop(dialBun),
  readFile: readFileText,
  homeDir: homeDirectory,
  fileMode,
  warn,
  env: () => process.env,
}
