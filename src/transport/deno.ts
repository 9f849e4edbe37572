/**
 * Deno transport: `Deno.connect` / `Deno.startTls` / `Deno.connectTls`
 * (Deno 2; verified on 2.9.6). No imports of Deno types: the few members used
 * are declared below, so this file type-checks everywhere.
 *
 * What Deno's TLS (rustls) can and cannot do, and what we do about it:
 * - verify-full: yes. `caCerts` are ADDED to Deno's default roots (Mozilla's, or
 *   the system store with DENO_TLS_CA_STORE=system), they do not replace them:
 *   a server whose certificate chains to a public root and names the host also
 *   passes. libpq would trust only sslrootcert. Host names and IP SANs both verify.
 * - verify-ca (chain, no host name): refused with a TlsError. Deno can switch the
 *   name check off (`unsafelyDisableHostnameVerification`), but with the default
 *   roots still trusted any public certificate for any name would then pass.
 * - require / prefer / allow without a root certificate: Deno cannot skip chain
 *   verification per connection (only the process-wide
 *   `--unsafely-ignore-certificate-errors` flag does, which we cannot see). We
 *   verify the chain against the default roots (name check off), i.e. more than
 *   libpq; a self-signed server fails with a TlsError that names this limit.
 * - client certificates: only on direct TLS (`Deno.connectTls` takes cert/key);
 *   `Deno.startTls` has no such option, so sslcert with sslnegotiation=postgres
 *   is refused. Encrypted keys (sslpassword) are refused.
 * - peer certificate: not exposed, so TlsInfo.peerCertificate is undefined and
 *   SCRAM-SHA-256-PLUS (channel binding) is unavailable on Deno.
 * - `Deno.startTls` fails while a read is pending ("TCP stream is currently in
 *   use"); PullSocket never has one in flight while paused.
 */
import { TlsError } from '../errors.js'
import { raceSignal } from '../deadline.js'
import { addressOf, dialError } from './dial-errors.js'
import { PullSocket, type PullStream } from './pull-socket.js'
import type { Dial, DialOptions, TlsInfo, TlsUpgradeOptions } from './socket.js'

interface DenoConn {
  read(p: Uint8Array): Promise<number | null>
  write(p: Uint8Array): Promise<number>
  close(): void
  ref(): void
  unref(): void
  /** TCP connections only (Deno.TcpConn); Deno sets no idle time. */
  setKeepAlive?(keepAlive?: boolean): void
}
interface DenoTlsConn extends DenoConn {
  handshake(): Promise<{ alpnProtocol: string | null }>
}
interface DenoStartTlsOptions {
  hostname: string
  caCerts?: string[]
  alpnProtocols?: string[]
  unsafelyDisableHostnameVerification?: boolean
}
interface DenoNamespace {
  connect(options: { hostname: string; port: number; signal?: AbortSignal } | { transport: 'unix'; path: string }): Promise<DenoConn>
  connectTls(options: DenoStartTlsOptions & { port: number; cert?: string; key?: string }): Promise<DenoTlsConn>
  startTls(conn: DenoConn, options: DenoStartTlsOptions): Promise<DenoTlsConn>
}

function deno(): DenoNamespace {
  const ns = (globalThis as { Deno?: DenoNamespace }).Deno
  if (ns === undefined) throw new Error('pgfleet/transport/deno: not running on Deno')
  return ns
}

const READ_BUFFER_BYTES = 64 * 1024
/** Reads shorter than this are copied out so the read buffer can be reused. */
const COPY_BELOW_BYTES = 8 * 1024

/** A PullStream over a Deno Conn (TCP, Unix or TLS). */
export function denoStream(conn: DenoConn): PullStream {
  let buffer = new Uint8Array(READ_BUFFER_BYTES)
  return {
    async read() {
      const n = await conn.read(buffer)
      if (n === null) return null
      if (n < COPY_BELOW_BYTES) return buffer.slice(0, n)
      const chunk = buffer.subarray(0, n)
      buffer = new Uint8Array(READ_BUFFER_BYTES)
      return chunk
    },
    async write(data) {
      // Deno may write part of the buffer; loop until all of it is out.
      for (let offset = 0; offset < data.length; ) offset += await conn.write(data.subarray(offset))
    },
    async close() {
      conn.close()
    },
    abort() {
      try {
        conn.close()
      } catch {
        // already closed
      }
    },
    unref: () => conn.unref(),
    ref: () => conn.ref(),
  }
}

/**
 * The Deno options for an upgrade, or a TlsError when Deno cannot honour the
 * requested checks (see the file comment). `direct` allows a client certificate.
 */
export function denoTlsOptions(options: TlsUpgradeOptions, direct: boolean): DenoStartTlsOptions & { cert?: string; key?: string } {
  if (options.rejectUnauthorized && !options.checkServerIdentity) {
    throw new TlsError(
      'sslmode=verify-ca is not supported on Deno: Deno trusts its default roots in addition to sslrootcert, so without the host-name check any publicly trusted certificate would pass; use sslmode=verify-full',
      { code: 'PGFLEET_TLS_RUNTIME_LIMIT', safeToRetry: true },
    )
  }
  if (options.passphrase !== undefined) {
    throw new TlsError('Deno cannot use an encrypted private key (sslpassword); decrypt the key first', {
      code: 'PGFLEET_TLS_RUNTIME_LIMIT',
      safeToRetry: true,
    })
  }
  if ((options.cert !== undefined || options.key !== undefined) && !direct) {
    throw new TlsError(
      'Deno cannot send a client certificate after SSLRequest (Deno.startTls takes no cert/key); use sslnegotiation=direct',
      { code: 'PGFLEET_TLS_RUNTIME_LIMIT', safeToRetry: true },
    )
  }
  const ca = options.ca === undefined ? undefined : Array.isArray(options.ca) ? options.ca : [options.ca]
  return {
    hostname: options.servername,
    caCerts: ca,
    alpnProtocols: options.alpnProtocols,
    unsafelyDisableHostnameVerification: !options.checkServerIdentity,
    cert: options.cert,
    key: options.key,
  }
}

/** Finish the handshake of `conn`, turning Deno's errors into TlsErrors. */
async function handshake(conn: DenoTlsConn, options: TlsUpgradeOptions): Promise<TlsInfo> {
  try {
    const info = await conn.handshake()
    return { authorized: true, alpnProtocol: info.alpnProtocol ?? false, peerCertificate: undefined }
  } catch (error) {
    try {
      conn.close()
    } catch {
      // already closed
    }
    throw handshakeError(error, options)
  }
}

function handshakeError(error: unknown, options: TlsUpgradeOptions): TlsError {
  const message = error instanceof Error ? error.message : String(error)
  if (!/certificate|UnknownIssuer|not valid for name/i.test(message)) {
    return new TlsError(`TLS handshake with ${options.servername} failed: ${message}`, { code: 'PGFLEET_TLS_HANDSHAKE', cause: error })
  }
  const limit = options.rejectUnauthorized
    ? ''
    : ' (Deno always verifies the certificate chain; sslmode=require cannot skip verification on Deno: give the server a certificate from a trusted root, or set sslrootcert and sslmode=verify-full)'
  return new TlsError(`server certificate of ${options.servername} rejected: ${message}${limit}`, {
    code: 'PGFLEET_TLS_CERTIFICATE',
    cause: error,
  })
}

async function upgrade(conn: DenoConn, options: TlsUpgradeOptions): Promise<{ stream: PullStream; info: TlsInfo }> {
  const tlsOptions = denoTlsOptions(options, false)
  let tlsConn: DenoTlsConn
  try {
    tlsConn = await deno().startTls(conn, tlsOptions)
  } catch (error) {
    throw handshakeError(error, options)
  }
  const info = await handshake(tlsConn, options)
  return { stream: denoStream(tlsConn), info }
}

/** The Socket upgrade hook: unwraps the Deno Conn behind a denoStream. */
const conns = new WeakMap<PullStream, DenoConn>()

function wrap(conn: DenoConn): PullStream {
  const stream = denoStream(conn)
  conns.set(stream, conn)
  return stream
}

async function upgradeStream(stream: PullStream, options: TlsUpgradeOptions): Promise<{ stream: PullStream; info: TlsInfo }> {
  const conn = conns.get(stream)
  if (conn === undefined) throw new TlsError('connection is already encrypted', { code: 'PGFLEET_TLS_HANDSHAKE' })
  return upgrade(conn, options)
}

/** Dial with Deno's networking. Needs `--allow-net` (and `--allow-read` for Unix sockets). */
export const dialDeno: Dial = async (options: DialOptions) => {
  const address = addressOf(options)
  const open = async (): Promise<DenoConn> => {
    if (options.path !== undefined) return deno().connect({ transport: 'unix', path: options.path })
    return deno().connect({ hostname: options.host, port: options.port })
  }
  let conn: DenoConn
  try {
    conn = await raceSignal(open(), options.signal, (late) => late.close())
  } catch (error) {
    throw dialError(address, error)
  }
  if (options.path === undefined) conn.setKeepAlive?.(options.keepAlive?.enabled ?? true)
  if (options.directTls === undefined) return new PullSocket(wrap(conn), upgradeStream, address)

  const direct = options.directTls
  let tlsConn: DenoTlsConn | undefined
  try {
    if (direct.cert !== undefined || direct.key !== undefined) {
      // Only connectTls takes a client certificate; it dials `hostname`, so the
      // name to verify must be the host dialled.
      conn.close()
      if (direct.servername !== options.host) {
        throw new TlsError('Deno can only send a client certificate over direct TLS when the server name is the host dialled', {
          code: 'PGFLEET_TLS_RUNTIME_LIMIT',
          safeToRetry: true,
        })
      }
      const dialTls = deno().connectTls({ ...denoTlsOptions(direct, true), port: options.port })
      tlsConn = await raceSignal(dialTls, options.signal, (late) => late.close())
    } else {
      tlsConn = await deno().startTls(conn, denoTlsOptions(direct, true))
    }
    const info = await raceSignal(handshake(tlsConn, direct), options.signal)
    const socket = new PullSocket(denoStream(tlsConn), upgradeStream, address)
    socket.tls = info
    return socket
  } catch (error) {
    for (const open of [tlsConn, conn]) {
      try {
        open?.close()
      } catch {
        // consumed by startTls or already closed
      }
    }
    if (error instanceof TlsError || options.signal?.aborted) throw error
    throw handshakeError(error, direct)
  }
}
