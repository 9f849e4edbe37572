/**
 * The Node runtime's part of the transport (src/transport/core.ts) over
 * node:net and node:tls: TCP or Unix-socket dial, a Channel over net.Socket,
 * the in-place TLS upgrade after SSLRequest (also used for direct TLS), and
 * Node's TLS errors mapped to TlsError. Socket errors are classified by the
 * core (./errors.ts), as on every runtime.
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import { ErrorCode, TlsError } from '../errors.js'
import { isCertificateErrorCode } from '../tls/error-codes.js'
import { onAbort, abortReason } from '../deadline.js'
import type { RuntimeEnvironment } from '../runtime.js'
import { FULL_CAPABILITIES, refuseDial } from './capabilities.js'
import { startDirectTls, StreamSocket, type Channel, type ChannelEvents } from './core.js'
import { addressOf, dialError } from './errors.js'
import { appendKeyLog, fileMode, homeDirectory, readFileText, warn } from './node-fs.js'
import { readsStop, stopSignalOf, type Dial, type TransportDialOptions, type TlsInfo, type TlsUpgradeOptions } from './socket.js'
import { nodeChannel } from './node-diagnostics.js'

function tlsError(error: Error & { code?: string; reason?: string }): TlsError {
  const code = error.code ?? ''
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new TlsError(`certificate has wrong host name: ${error.reason ?? error.message}`, {
      code: ErrorCode.TlsCertificate,
      cause: error,
    })
  }
  if (isCertificateErrorCode(code)) {
    return new TlsError(`certificate verification failed: ${error.message}`, {
      code: ErrorCode.TlsCertificate,
      cause: error,
    })
  }
  return new TlsError(`SSL error: ${error.message}`, { code: ErrorCode.TlsHandshake, cause: error })
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
    // ca, cert, key and passphrase travel only inside the secureContext: Node keeps the
    // connect options on the socket, where util.inspect of a client would show them.
    rejectUnauthorized: options.rejectUnauthorized,
    checkServerIdentity: options.checkServerIdentity ? tls.checkServerIdentity : () => undefined,
    ALPNProtocols: options.alpnProtocols,
  }
}

/** Grace period for a peer to answer our FIN before the socket is destroyed. */
const END_GRACE_MS = 2000

const ignore = (): void => undefined

/** A Channel over a net.Socket (or the TLSSocket over it, with `raw` the socket beneath). */
class NodeChannel implements Channel {
  private events?: ChannelEvents
  private failure?: Error

  constructor(
    private readonly socket: net.Socket,
    private readonly raw?: net.Socket,
  ) {}

  open(events: ChannelEvents): void {
    this.events = events
    // Paused until the core resumes: a 'data' listener alone would start the flow.
    this.socket.pause()
    this.socket.on('data', this.forward)
    this.socket.on('error', this.remember)
    this.socket.on('close', this.closed)
  }

  /**
   * Read chunks go on as the Buffers Node made (a Buffer is a Uint8Array): the
   * text decoder (src/types/utf8.ts) finds their native utf8Slice, about a third
   * of TextDecoder's cost per value. Their slice() is a view, not a copy: code
   * that keeps bytes of a frame copies them (see test/integration/retained-bytes).
   * The three listeners are made by calls, not function literals stored into
   * properties, which V8 allocates in old space while the process is young:
   * from there they kept every session past young-generation GCs (see
   * Connection.flusherOf in src/connection/connection.ts).
   */
  private readonly forward = NodeChannel.forwarding(this)
  private readonly remember = NodeChannel.remembering(this)
  private readonly closed = NodeChannel.closing(this)

  private static forwarding(channel: NodeChannel): (chunk: Buffer) => void {
    return (chunk) => channel.events?.data(chunk)
  }

  private static remembering(channel: NodeChannel): (error: Error) => void {
    return (error) => {
      channel.failure ??= error
    }
  }

  private static closing(channel: NodeChannel): () => void {
    return () => {
      // The peer answered the FIN (or the socket died): the grace timer has nothing left to do,
      // and cleared it does not hold the socket for 2 s (at hundreds of connects a second,
      // hundreds of dead sockets kept past the young generation).
      if (channel.endTimer !== undefined) clearTimeout(channel.endTimer)
      channel.endTimer = undefined
      channel.events?.end(channel.failure)
    }
  }

  private endTimer: ReturnType<typeof setTimeout> | undefined

  write(data: Uint8Array): Promise<void> | undefined {
    const socket = this.socket
    if (socket.destroyed || socket.writableEnded || socket.write(data)) return undefined
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
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }

  close(): void {
    const socket = this.socket
    if (socket.destroyed) return
    socket.end()
    this.endTimer = setTimeout(() => socket.destroy(), END_GRACE_MS).unref()
  }

  destroy(): void {
    this.socket.destroy()
  }

  detach(): void {
    this.socket.removeListener('data', this.forward)
    this.socket.removeListener('error', this.remember)
    this.socket.removeListener('close', this.closed)
    // A late error on the socket under TLS must never go unheard.
    this.socket.on('error', ignore)
  }

  ref(): void {
    this.socket.ref()
    this.raw?.ref()
  }

  unref(): void {
    this.socket.unref()
    this.raw?.unref()
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

/** TLS over `raw`, in place. No timer: the caller's deadline destroys the socket, which ends the handshake. */
async function upgrade(raw: net.Socket, options: TlsUpgradeOptions): Promise<{ channel: Channel; info: TlsInfo }> {
  let secureContext: tls.SecureContext
  try {
    // Built first: a bad certificate, key or sslpassword throws here, synchronously.
    secureContext = tls.createSecureContext({ ca: options.ca, cert: options.cert, key: options.key, passphrase: options.passphrase })
  } catch (error) {
    throw new TlsError(`could not load the TLS certificates or private key: ${(error as Error).message}`, {
      code: ErrorCode.TlsFiles,
      cause: error,
    })
  }
  const secure = tls.connect({ ...connectOptions(raw, options), secureContext })
  const keyLogFile = options.keyLogFile
  if (keyLogFile !== undefined) secure.on('keylog', (line: Buffer) => appendKeyLog(keyLogFile, line))
  return new Promise((resolve, reject) => {
    let failure: Error | undefined
    const onError = (error: Error): void => {
      failure ??= tlsError(error)
    }
    const settle = (): void => {
      secure.removeListener('secureConnect', onSecure)
      secure.removeListener('close', onClose)
      secure.removeListener('error', onError)
    }
    const onSecure = (): void => {
      settle()
      secure.on('error', ignore)
      resolve({ channel: new NodeChannel(secure, raw), info: tlsInfo(secure) })
    }
    const onClose = (): void => {
      settle()
      secure.on('error', ignore)
      reject(failure ?? tlsError(new Error('server closed the connection during the TLS handshake')))
    }
    secure.on('error', onError)
    secure.once('secureConnect', onSecure)
    secure.once('close', onClose)
  })
}

function connectRaw(options: TransportDialOptions, address: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const signal = stopSignalOf(options)
    if (signal?.aborted) return reject(abortReason(signal))
    // A bare Socket, then connect(): net.connect(options) hands the options to the Socket and its
    // stream states, which look up a dozen stream options on them (~4 µs more per connect, profiled).
    const socket = new net.Socket()
    if (options.path !== undefined) socket.connect(options.path)
    else socket.connect(options.port, options.host)
    if (options.background) socket.unref()
    let unlink = (): void => undefined
    const fail = (error: Error): void => {
      unlink()
      socket.removeListener('connect', onConnect)
      socket.on('error', ignore)
      socket.destroy()
      reject(error)
    }
    const onError = (error: Error): void => fail(dialError(address, error, signal))
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
export const dialNode: Dial = async (options: TransportDialOptions) => {
  refuseDial(FULL_CAPABILITIES, options)
  const address = addressOf(options)
  const raw = await connectRaw(options, address)
  const socket = new StreamSocket(new NodeChannel(raw), address, FULL_CAPABILITIES, (tlsOptions) => upgrade(raw, tlsOptions))
  return options.directTls === undefined ? socket : startDirectTls(socket, options.directTls, stopSignalOf(options))
}

/** The Node.js runtime: node:net/node:tls sockets, files, home directory and process.env. Node can do everything. */
export const nodeRuntime: RuntimeEnvironment = {
  name: 'node',
  capabilities: FULL_CAPABILITIES,
  dial: readsStop(dialNode),
  readFile: readFileText,
  homeDir: homeDirectory,
  fileMode,
  warn,
  channel: nodeChannel,
  env: () => process.env,
}
