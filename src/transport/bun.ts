/**
 * Bun transport on Bun's native sockets: `Bun.connect` and `socket.upgradeTLS`
 * (verified on Bun 1.4.5). Bun's TLS is BoringSSL with Node-like options, so
 * every sslmode works: verify-full, verify-ca (Bun has no per-connection
 * checkServerIdentity hook, so we connect with rejectUnauthorized=false and
 * accept only a handshake whose sole complaint is the host name), require
 * without verification, client certificates (encrypted keys with passphrase),
 * ALPN, and the peer certificate (so SCRAM-SHA-256-PLUS works).
 * The Bun types are declared below; nothing here imports `bun` or `node:*`.
 */
import { TlsError } from '../errors.js'
import { isCertificateErrorCode, TlsErrorCode } from '../tls/error-codes.js'
import { raceSignal } from '../deadline.js'
import { addressOf, dialError } from './dial-errors.js'
import type { Dial, DialOptions, Socket, TlsInfo, TlsUpgradeOptions } from './socket.js'

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
interface BunHandlers {
  open?(socket: BunSocket): void
  data(socket: BunSocket, chunk: Uint8Array): void
  drain(socket: BunSocket): void
  close(socket: BunSocket, error?: Error): void
  error(socket: BunSocket, error: Error): void
  handshake?(socket: BunSocket, success: boolean, authorizationError: (Error & { code?: string }) | null): void
}
interface BunNamespace {
  connect(options: { hostname?: string; port?: number; unix?: string; tls?: BunTlsOptions; socket: BunHandlers }): Promise<BunSocket>
}

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

const HIGH_WATER_BYTES = 16 * 1024

class BunTransportSocket implements Socket {
  onData: (chunk: Uint8Array) => void = () => undefined
  onClose: (error?: Error) => void = () => undefined
  tls?: TlsInfo

  socket!: BunSocket
  private closed = false
  private lastError: Error | undefined
  private readonly pending: Uint8Array[] = []
  private pendingBytes = 0
  private drainWaiters: (() => void)[] = []
  private handshakeDone: ((info: TlsInfo) => void) | undefined
  private handshakeFailed: ((error: Error) => void) | undefined
  private upgradeOptions: TlsUpgradeOptions | undefined

  constructor(private readonly address: string) {}

  /** Handlers for Bun; `this` routes every event of the raw or TLS socket. */
  readonly handlers: BunHandlers = {
    // After upgradeTLS the raw socket keeps these handlers too: only the current socket counts.
    data: (socket, chunk) => {
      if (!this.closed && socket === this.socket) this.onData(chunk)
    },
    drain: (socket) => {
      if (socket === this.socket) this.flush(socket)
    },
    error: (_socket, error) => {
      this.lastError = error
    },
    close: (socket, error) => {
      if (socket === this.socket || this.socket === undefined) this.finish(error ?? this.lastError)
    },
    handshake: (socket, success, authorizationError) => this.handshake(socket, success, authorizationError),
  }

  write(data: Uint8Array): boolean {
    if (this.closed) return false
    if (this.pendingBytes === 0) {
      const written = Math.max(this.socket.write(data), 0)
      if (written === data.length) return true
      data = data.subarray(written)
    }
    this.pending.push(data)
    this.pendingBytes += data.length
    return this.pendingBytes < HIGH_WATER_BYTES
  }

  drain(): Promise<void> {
    if (this.pendingBytes === 0 || this.closed) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  pause(): void {
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }

  async startTls(options: TlsUpgradeOptions): Promise<TlsInfo> {
    if (this.closed) throw new TlsError(`connection to ${this.address} closed before the TLS handshake`, { safeToRetry: true })
    await this.drain()
    const done = this.awaitHandshake(options)
    try {
      const [, tlsSocket] = this.socket.upgradeTLS({ tls: bunTlsOptions(options), socket: this.handlers })
      this.socket = tlsSocket
    } catch (error) {
      this.handshakeFailed?.(new TlsError(`TLS setup for ${options.servername} failed: ${(error as Error).message}`, { cause: error }))
    }
    try {
      const info = await done
      this.socket.resume()
      return info
    } catch (error) {
      this.destroy()
      throw error
    }
  }

  /** A promise for the next handshake event; also rejected if the socket closes first. */
  awaitHandshake(options: TlsUpgradeOptions): Promise<TlsInfo> {
    this.upgradeOptions = options
    return new Promise<TlsInfo>((resolve, reject) => {
      this.handshakeDone = resolve
      this.handshakeFailed = reject
    })
  }

  close(): void {
    if (this.closed) return
    void this.drain().then(() => this.socket.end())
  }

  destroy(): void {
    if (this.closed) return
    this.socket.terminate()
    this.finish()
  }

  unref(): void {
    this.socket.unref()
  }

  ref(): void {
    this.socket.ref()
  }

  private handshake(socket: BunSocket, success: boolean, authorizationError: (Error & { code?: string }) | null): void {
    const options = this.upgradeOptions
    const resolve = this.handshakeDone
    const reject = this.handshakeFailed
    this.handshakeDone = this.handshakeFailed = this.upgradeOptions = undefined
    if (options === undefined || resolve === undefined || reject === undefined) return
    if (!acceptHandshake(options, authorizationError) || (options.rejectUnauthorized && options.checkServerIdentity && !success)) {
      const reason = authorizationError?.message ?? 'handshake failed'
      const certificate = isCertificateErrorCode(authorizationError?.code)
      const what = certificate ? `server certificate of ${options.servername} rejected` : `TLS handshake with ${options.servername} failed`
      return reject(
        new TlsError(`${what}: ${reason}`, {
          code: certificate ? TlsErrorCode.Certificate : TlsErrorCode.Handshake,
          cause: authorizationError ?? undefined,
        }),
      )
    }
    const raw = socket.getPeerCertificate(true)?.raw
    resolve({
      authorized: authorizationError === null,
      alpnProtocol: socket.alpnProtocol || false,
      peerCertificate: raw ? new Uint8Array(raw) : undefined,
    })
  }

  private flush(socket: BunSocket): void {
    while (this.pending.length > 0) {
      const chunk = this.pending[0]!
      const written = Math.max(socket.write(chunk), 0)
      this.pendingBytes -= written
      if (written < chunk.length) {
        this.pending[0] = chunk.subarray(written)
        return
      }
      this.pending.shift()
    }
    this.releaseDrainWaiters()
  }

  private finish(error?: Error): void {
    if (this.closed) return
    this.closed = true
    this.pending.length = 0
    this.pendingBytes = 0
    this.releaseDrainWaiters()
    const cause = error ?? this.lastError
    this.handshakeFailed?.(
      new TlsError(`connection to ${this.address} closed during the TLS handshake${cause ? `: ${cause.message}` : ''}`, {
        code: 'PGFLEET_TLS_HANDSHAKE',
        cause,
      }),
    )
    this.handshakeDone = this.handshakeFailed = undefined
    this.onClose(error)
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters
    this.drainWaiters = []
    for (const resolve of waiters) resolve()
  }
}

/** Dial with Bun's native sockets (TCP, Unix, or direct TLS). */
export const dialBun: Dial = async (options: DialOptions) => {
  const address = addressOf(options)
  const transport = new BunTransportSocket(address)
  const direct = options.directTls
  const handshake = direct === undefined ? undefined : transport.awaitHandshake(direct)
  handshake?.catch(() => undefined)
  const target = options.path !== undefined ? { unix: options.path } : { hostname: options.host, port: options.port }
  const pending = bun().connect({
    ...target,
    tls: direct === undefined ? undefined : bunTlsOptions(direct),
    socket: transport.handlers,
  })
  try {
    transport.socket = await raceSignal(pending, options.signal, (late) => late.terminate())
  } catch (error) {
    throw dialError(address, error)
  }
  if (options.path === undefined) {
    const keepAlive = options.keepAlive ?? { enabled: true, idleMs: 0 }
    transport.socket.setKeepAlive?.(keepAlive.enabled, keepAlive.idleMs)
  }
  if (handshake !== undefined) {
    try {
      transport.tls = await raceSignal(handshake, options.signal)
    } catch (error) {
      transport.destroy()
      throw error
    }
  }
  return transport
}
