/**
 * The Deno runtime's part of the transport: `Deno.connect` / `Deno.startTls` / `Deno.connectTls`
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
 *   use"); the core's pull channel never has one in flight while paused.
 * The refusals are the `deno` row of ./capabilities.ts; the write queue,
 * pause/resume and error classification are the core's (./core.ts).
 */
import { ErrorCode, TlsError } from '../errors.js'
import type { RuntimeEnvironment } from '../runtime.js'
import { onAbort, raceSignal } from '../deadline.js'
import { FULL_CAPABILITIES, refuseDial, refuseTls, runtimeLimit, type Capabilities } from './capabilities.js'
import { pullChannel, startDirectTls, StreamSocket, type Channel, type PullStream } from './core.js'
import { addressOf, dialError } from './errors.js'
import { readsStop, stopSignalOf, type Dial, type TransportDialOptions, type TlsInfo, type TlsUpgradeOptions } from './socket.js'

/** rustls: sslrootcert is added to the default roots, the chain is always verified, no peer certificate. */
const DENO_CAPABILITIES: Capabilities = {
  ...FULL_CAPABILITIES,
  keepAlive: 'on-off',
  customCa: 'add',
  verifyCa: false,
  unverifiedTls: false,
  clientCertificate: 'direct',
  encryptedKey: false,
  peerCertificate: false,
  keyLog: false,
  refusals: {
    verifyCa:
      'sslmode=verify-ca is not supported on Deno: Deno trusts its default roots in addition to sslrootcert, so without the host-name check any publicly trusted certificate would pass; use sslmode=verify-full',
    encryptedKey: 'Deno cannot use an encrypted private key (sslpassword); decrypt the key first',
    clientCertificate: 'Deno cannot send a client certificate after SSLRequest (Deno.startTls takes no cert/key); use sslnegotiation=direct',
  },
}

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
  env: { toObject(): Record<string, string> }
  readTextFileSync(path: string): string
  statSync(path: string): { mode: number | null }
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

function closeQuietly(conn: DenoConn | undefined): void {
  try {
    conn?.close()
  } catch {
    // consumed by startTls, or already closed
  }
}

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
    abort: () => closeQuietly(conn),
    unref: () => conn.unref(),
    ref: () => conn.ref(),
  }
}

/** The Deno options for an upgrade (what Deno cannot honour was refused before: the `deno` row of ./capabilities.ts). */
export function denoTlsOptions(options: TlsUpgradeOptions): DenoStartTlsOptions & { cert?: string; key?: string } {
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
    closeQuietly(conn)
    throw handshakeError(error, options)
  }
}

function handshakeError(error: unknown, options: TlsUpgradeOptions): TlsError {
  const message = error instanceof Error ? error.message : String(error)
  if (!/certificate|UnknownIssuer|not valid for name/i.test(message)) {
    return new TlsError(`TLS handshake with ${options.servername} failed: ${message}`, { code: ErrorCode.TlsHandshake, cause: error })
  }
  const limit = options.rejectUnauthorized
    ? ''
    : ' (Deno always verifies the certificate chain; sslmode=require cannot skip verification on Deno: give the server a certificate from a trusted root, or set sslrootcert and sslmode=verify-full)'
  return new TlsError(`server certificate of ${options.servername} rejected: ${message}${limit}`, {
    code: ErrorCode.TlsCertificate,
    cause: error,
  })
}

/** TLS over the plain `conn` (after SSLRequest, or direct TLS without a client certificate). */
async function upgrade(conn: DenoConn, options: TlsUpgradeOptions, abandoned: AbortSignal): Promise<{ channel: Channel; info: TlsInfo }> {
  let tlsConn: DenoTlsConn
  try {
    tlsConn = await deno().startTls(conn, denoTlsOptions(options))
  } catch (error) {
    throw handshakeError(error, options)
  }
  // The plain conn is consumed: closing it no longer stops the handshake.
  const unlink = onAbort(abandoned, () => closeQuietly(tlsConn))
  try {
    return { channel: pullChannel(denoStream(tlsConn)), info: await handshake(tlsConn, options) }
  } finally {
    unlink()
  }
}

/**
 * Direct TLS with a client certificate: only `Deno.connectTls` takes one, and
 * it dials `hostname`, so the name to verify must be the host dialled.
 */
async function dialTlsWithCertificate(options: TransportDialOptions, direct: TlsUpgradeOptions, address: string): Promise<StreamSocket> {
  refuseTls(DENO_CAPABILITIES, direct, true)
  const stop = stopSignalOf(options)
  if (direct.servername !== options.host) {
    throw runtimeLimit('Deno can only send a client certificate over direct TLS when the server name is the host dialled')
  }
  let tlsConn: DenoTlsConn
  try {
    tlsConn = await raceSignal(deno().connectTls({ ...denoTlsOptions(direct), port: options.port }), stop, (late) => late.close())
  } catch (error) {
    throw dialError(address, error, stop)
  }
  const info = await raceSignal(handshake(tlsConn, direct), stop).catch((error: unknown) => {
    closeQuietly(tlsConn)
    throw error
  })
  const socket = new StreamSocket(pullChannel(denoStream(tlsConn)), address, DENO_CAPABILITIES)
  socket.tls = info
  return socket
}

/** Dial with Deno's networking. Needs `--allow-net` (and `--allow-read` for Unix sockets). */
export const dialDeno: Dial = async (options: TransportDialOptions) => {
  refuseDial(DENO_CAPABILITIES, options)
  const address = addressOf(options)
  const stop = stopSignalOf(options)
  const direct = options.directTls
  if (direct !== undefined && (direct.cert !== undefined || direct.key !== undefined)) return dialTlsWithCertificate(options, direct, address)
  const open = async (): Promise<DenoConn> => {
    if (options.path !== undefined) return deno().connect({ transport: 'unix', path: options.path })
    return deno().connect({ hostname: options.host, port: options.port })
  }
  let conn: DenoConn
  try {
    conn = await raceSignal(open(), stop, (late) => late.close())
  } catch (error) {
    throw dialError(address, error, stop)
  }
  if (options.path === undefined) conn.setKeepAlive?.(options.keepAlive?.enabled ?? true)
  const socket = new StreamSocket(pullChannel(denoStream(conn)), address, DENO_CAPABILITIES, (tlsOptions, abandoned) => upgrade(conn, tlsOptions, abandoned))
  return direct === undefined ? socket : startDirectTls(socket, direct, stop)
}

/** The Deno runtime: Deno.connect / Deno.startTls, files and environment when permitted. */
export const denoRuntime: RuntimeEnvironment = {
  name: 'deno',
  capabilities: DENO_CAPABILITIES,
  dial: readsStop(dialDeno),
  readFile: (path) => {
    try {
      return deno().readTextFileSync(path)
    } catch {
      return undefined
    }
  },
  // No homeDir: libpq's default TLS files (~/.postgresql/root.crt) would ask for verify-ca,
  // which Deno cannot do, so the default files (~/.pgpass, ~/.pg_service.conf too) are not read here.
  // st_mode for the password file's permission check; null on Windows, where libpq checks none.
  fileMode: (path) => {
    try {
      return deno().statSync(path).mode ?? undefined
    } catch {
      return undefined
    }
  },
  warn: (message) => console.warn(`PgfleetWarning: ${message}`),
  // Without --allow-env, Deno throws: then there is no PG* environment.
  env: () => {
    try {
      return deno().env.toObject()
    } catch {
      return {}
    }
  },
}
