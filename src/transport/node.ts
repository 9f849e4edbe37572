/**
 * The Node implementation of the transport (src/transport/socket.ts) over
 * node:net and node:tls: TCP or Unix-socket dial with a connect timeout,
 * in-place TLS upgrade after SSLRequest, direct TLS (sslnegotiation=direct),
 * and runtime errors mapped to ConnectionError / TlsError.
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import { ConnectionError, TlsError } from '../errors.js'
import { isCertificateErrorCode, TlsErrorCode } from '../tls/error-codes.js'
import type { Dial, DialOptions, Socket, TlsInfo, TlsUpgradeOptions } from './socket.js'
import { onAbort, abortReason, raceSignal } from '../deadline.js'

/** Codes of ConnectionErrors raised while dialling. All are safe to retry. */
export const ConnectErrorCode = {
  Refused: 'PGFLEET_CONNECT_REFUSED',
  Timeout: 'PGFLEET_CONNECT_TIMEOUT',
  Unreachable: 'PGFLEET_CONNECT_UNREACHABLE',
  Dns: 'PGFLEET_CONNECT_DNS',
  Failed: 'PGFLEET_CONNECT_FAILED',
} as const

/** Code of the ConnectionError passed to onClose when an open socket fails. */
export const CONNECTION_LOST = 'PGFLEET_CONNECTION_LOST'

const ERRNO: Record<string, [code: string, text: string]> = {
  ECONNREFUSED: [ConnectErrorCode.Refused, 'connection refused'],
  ENOENT: [ConnectErrorCode.Refused, 'no such socket file (is the server running locally?)'],
  ECONNRESET: [ConnectErrorCode.Refused, 'connection reset by peer'],
  ETIMEDOUT: [ConnectErrorCode.Timeout, 'connection timed out'],
  EHOSTUNREACH: [ConnectErrorCode.Unreachable, 'no route to host'],
  ENETUNREACH: [ConnectErrorCode.Unreachable, 'network is unreachable'],
  EHOSTDOWN: [ConnectErrorCode.Unreachable, 'host is down'],
  ENOTFOUND: [ConnectErrorCode.Dns, 'could not translate host name to address'],
  EAI_AGAIN: [ConnectErrorCode.Dns, 'temporary failure in name resolution'],
}

function addressOf(options: DialOptions): string {
  if (options.path !== undefined) return options.path
  return net.isIPv6(options.host) ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`
}

function connectError(error: NodeJS.ErrnoException, address: string): ConnectionError {
  const [code, text] = ERRNO[error.code ?? ''] ?? [ConnectErrorCode.Failed, error.message]
  return new ConnectionError(`could not connect to ${address}: ${text}`, { code, cause: error, safeToRetry: true, address })
}

function tlsError(error: Error & { code?: string; reason?: string }): TlsError {
  const code = error.code ?? ''
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new TlsError(`certificate has wrong host name: ${error.reason ?? error.message}`, {
      code: TlsErrorCode.Certificate,
      cause: error,
      safeToRetry: true,
    })
  }
  if (isCertificateErrorCode(code)) {
    return new TlsError(`certificate verification failed: ${error.message}`, {
      code: TlsErrorCode.Certificate,
      cause: error,
      safeToRetry: true,
    })
  }
  return new TlsError(`SSL error: ${error.message}`, { code: TlsErrorCode.Handshake, cause: error, safeToRetry: true })
}

/** A Buffer as a plain Uint8Array view over the same memory (no copy). */
function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

function connectOptions(socket: net.Socket, options: TlsUpgradeOptions): tls.ConnectionOptions {
  const name = options.servername.replace(/^\[(.*)\]$/, '$1')
  const isIp = net.isIP(name) !== 0
  return {
    socket,
    // `host` is what tls.checkServerIdentity verifies when no servername is sent.
    host: name,
    // RFC 6066 forbids IP literals in SNI; libpq sends none for them either.
    servername: isIp || name === '' ? undefined : name,
    ca: options.ca,
    rejectUnauthorized: options.rejectUnauthorized,
    checkServerIdentity: options.checkServerIdentity ? tls.checkServerIdentity : () => undefined,
    cert: options.cert,
    key: options.key,
    passphrase: options.passphrase,
    ALPNProtocols: options.alpnProtocols,
  }
}

/** Grace period for a peer to answer our FIN before the socket is destroyed. */
const END_GRACE_MS = 2000

class NodeSocket implements Socket {
  tls?: TlsInfo
  onClose: (error?: Error) => void = () => {}
  private current: net.Socket
  private handler?: (chunk: Uint8Array) => void
  private closed = false
  private failure?: Error
  private upgrading = false
  private refed = true

  constructor(
    socket: net.Socket,
    private readonly address: string,
  ) {
    this.current = socket
    this.listen(socket)
  }

  /** Set the receiver; data is held in the socket until it is set. */
  get onData(): (chunk: Uint8Array) => void {
    return this.handler ?? (() => {})
  }
  set onData(handler: (chunk: Uint8Array) => void) {
    const first = this.handler === undefined
    this.handler = handler
    if (first && !this.upgrading) this.current.on('data', this.forward)
  }

  private readonly forward = (chunk: Buffer): void => {
    this.handler?.(view(chunk))
  }

  private readonly handleError = (error: Error): void => {
    if (this.failure !== undefined) return
    this.failure = this.upgrading
      ? tlsError(error)
      : new ConnectionError(`connection to ${this.address} lost: ${error.message}`, {
          code: CONNECTION_LOST,
          cause: error,
          address: this.address,
        })
  }

  private readonly handleClose = (): void => {
    if (this.closed) return
    this.closed = true
    this.onClose(this.failure)
  }

  private listen(socket: net.Socket): void {
    socket.on('error', this.handleError)
    socket.on('close', this.handleClose)
  }

  private unlisten(socket: net.Socket): void {
    socket.removeListener('error', this.handleError)
    socket.removeListener('close', this.handleClose)
    socket.removeListener('data', this.forward)
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.current.destroyed || this.current.writableEnded) return false
    return this.current.write(data)
  }

  drain(): Promise<void> {
    const socket = this.current
    if (!socket.writableNeedDrain || this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        socket.removeListener('drain', done)
        socket.removeListener('close', done)
        resolve()
      }
      socket.once('drain', done)
      socket.once('close', done)
    })
  }

  pause(): void {
    this.current.pause()
  }

  resume(): void {
    if (this.handler !== undefined) this.current.resume()
  }

  startTls(options: TlsUpgradeOptions): Promise<TlsInfo> {
    if (this.closed) {
      return Promise.reject(new ConnectionError(`connection to ${this.address} is closed`, { code: CONNECTION_LOST, address: this.address }))
    }
    const raw = this.current
    let context: tls.SecureContext
    try {
      // Built first: a bad certificate, key or sslpassword throws here, synchronously.
      context = tls.createSecureContext({ ca: options.ca, cert: options.cert, key: options.key, passphrase: options.passphrase })
    } catch (error) {
      return Promise.reject(
        new TlsError(`could not load the TLS certificates or private key: ${(error as Error).message}`, {
          code: TlsErrorCode.Files,
          cause: error,
          safeToRetry: true,
        }),
      )
    }
    this.unlisten(raw)
    // Keep a listener so a late error on the raw socket never goes unheard.
    raw.on('error', () => {})
    this.upgrading = true
    const secure = tls.connect({ ...connectOptions(raw, options), secureContext: context })
    this.current = secure
    this.listen(secure)
    if (!this.refed) raw.unref()

    // No timer here: the caller's deadline destroys the socket, which ends the handshake.
    return new Promise<TlsInfo>((resolve, reject) => {
      const settle = (error?: Error): void => {
        secure.removeListener('secureConnect', onSecure)
        secure.removeListener('close', onClose)
        this.upgrading = false
        if (error !== undefined) {
          reject(error)
          return
        }
        const info = tlsInfo(secure)
        this.tls = info
        if (this.handler !== undefined) secure.on('data', this.forward)
        resolve(info)
      }
      const onSecure = (): void => settle()
      const onClose = (): void => settle(this.failure ?? tlsError(new Error('server closed the connection during the TLS handshake')))
      secure.once('secureConnect', onSecure)
      secure.once('close', onClose)
    })
  }

  close(): void {
    if (this.closed || this.current.destroyed) return
    this.current.end()
    const socket = this.current
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref()
  }

  destroy(): void {
    this.current.destroy()
  }

  unref(): void {
    this.refed = false
    this.current.unref()
  }

  ref(): void {
    this.refed = true
    this.current.ref()
  }
}

function tlsInfo(socket: tls.TLSSocket): TlsInfo {
  const raw = socket.getPeerCertificate().raw as Buffer | undefined
  return {
    peerCertificate: raw === undefined ? undefined : view(raw),
    alpnProtocol: socket.alpnProtocol ?? false,
    authorized: socket.authorized,
  }
}

function connectRaw(options: DialOptions, address: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const signal = options.signal
    if (signal?.aborted) return reject(abortReason(signal))
    const socket =
      options.path !== undefined ? net.connect({ path: options.path }) : net.connect({ host: options.host, port: options.port })
    if (options.background) socket.unref()
    let unlink = (): void => undefined
    const fail = (error: Error): void => {
      unlink()
      socket.removeListener('connect', onConnect)
      socket.on('error', () => {})
      socket.destroy()
      reject(error)
    }
    const onError = (error: NodeJS.ErrnoException): void => fail(connectError(error, address))
    const onConnect = (): void => {
      unlink()
      socket.removeListener('error', onError)
      if (options.path === undefined) {
        socket.setNoDelay(true)
        const keepAlive = options.keepAlive ?? { enabled: true, idleMs: 0 }
        // node:net sets the idle time; libuv sets the probe interval (1 s) and count (10) itself.
        socket.setKeepAlive(keepAlive.enabled, keepAlive.idleMs)
      }
      resolve(socket)
    }
    socket.once('error', onError)
    socket.once('connect', onConnect)
    unlink = onAbort(signal, () => fail(abortReason(signal!)))
  })
}

/**
 * Dial a PostgreSQL server with node:net (TCP or a Unix-domain socket) and,
 * with `directTls`, open TLS at once. Rejects with a ConnectionError
 * (refused, unreachable, DNS, timeout; always safeToRetry, with `address`)
 * or a TlsError when the direct handshake or certificate check fails.
 * `signal` (the caller's connect deadline) bounds the connect and the direct
 * TLS handshake together.
 */
export const dialNode: Dial = async (options) => {
  const address = addressOf(options)
  const raw = await connectRaw(options, address)
  const socket = new NodeSocket(raw, address)
  if (options.directTls !== undefined) {
    const unlink = onAbort(options.signal, () => socket.destroy())
    try {
      await raceSignal(socket.startTls(options.directTls), options.signal)
    } catch (error) {
      socket.destroy()
      throw error
    } finally {
      unlink()
    }
  }
  return socket
}
