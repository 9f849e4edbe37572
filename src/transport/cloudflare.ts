/**
 * The Cloudflare Workers part of the transport: `connect()` from `cloudflare:sockets`, loaded
 * with a dynamic import so bundles for other runtimes never see it.
 * Verified on workerd through Miniflare 4.
 *
 * Limits of Workers sockets, and what we do:
 * - TLS always verifies the chain against the runtime's public roots AND the
 *   host name (`expectedServerHostname`). There is no custom CA, no client
 *   certificate and no way to skip verification. So: sslrootcert (verify-ca,
 *   verify-full with a private CA, require with a root file) and sslcert are
 *   refused with a TlsError (PGFLEET_TLS_RUNTIME_LIMIT); require/prefer/allow
 *   without a root file verify fully (more than libpq), and a server with a
 *   self-signed certificate fails with a TlsError that says so.
 * - The handshake runs lazily: `startTls()` returns at once and a failed
 *   verification surfaces as an opaque "internal error" on the first read or
 *   write. That first error is reported as a TlsError (PGFLEET_TLS_HANDSHAKE).
 * - No ALPN: sslnegotiation=direct (which needs ALPN "postgresql") is refused;
 *   TlsInfo.alpnProtocol is undefined (unknown).
 * - The peer certificate is not exposed: TlsInfo.peerCertificate is undefined,
 *   so SCRAM-SHA-256-PLUS (channel binding) is unavailable on Workers.
 * - No unref (nothing keeps a Worker alive), no Unix sockets.
 * - Every failed connect is the same opaque "proxy request failed", so dial
 *   errors are PGFLEET_CONNECT_FAILED, and a reset reads as a clean end.
 * The refusals are WORKERD_CAPABILITIES.
 */
import { ErrorCode, TlsError } from '../errors.js'
import type { RuntimeEnvironment } from '../runtime.js'
import { onAbort, raceSignal } from '../deadline.js'
import { FULL_CAPABILITIES, refuseDial, type Capabilities } from './capabilities.js'
import { pullChannel, StreamSocket, type Channel, type PullStream } from './core.js'
import { addressOf, dialError } from './errors.js'
import { readsStop, stopSignalOf, type Dial, type TransportDialOptions, type TlsInfo, type TlsUpgradeOptions } from './socket.js'

/** cloudflare:sockets: public roots and the host name, always; no ALPN, client certificate, files or unref. */
const WORKERD_CAPABILITIES: Capabilities = {
  ...FULL_CAPABILITIES,
  directTls: false,
  alpn: false,
  keepAlive: 'none',
  customCa: false,
  verifyCa: false,
  unverifiedTls: false,
  lazyVerification: true,
  clientCertificate: false,
  encryptedKey: false,
  peerCertificate: false,
  unixSockets: false,
  unref: false,
  namesNetworkErrors: false,
  keyLog: false,
  refusals: {
    directTls: 'Cloudflare Workers sockets do not offer ALPN, which sslnegotiation=direct requires; use sslnegotiation=postgres',
    customCa: 'Cloudflare Workers verify server certificates only against public roots: a custom root certificate (sslrootcert) cannot be used',
    verifyCa: 'Cloudflare Workers always check the host name: sslmode=verify-ca is not supported, use verify-full',
    clientCertificate: 'Cloudflare Workers sockets cannot send a client certificate (sslcert/sslkey)',
    unixSockets: 'Cloudflare Workers cannot open Unix-domain sockets',
  },
}

interface CfSocket {
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  readonly opened: Promise<unknown>
  close(): Promise<void>
  startTls(options?: { expectedServerHostname?: string }): CfSocket
}
type CfConnect = (
  address: { hostname: string; port: number },
  options: { secureTransport: 'off' | 'on' | 'starttls'; allowHalfOpen: boolean },
) => CfSocket

let connectPromise: Promise<CfConnect> | undefined

function loadConnect(): Promise<CfConnect> {
  // workerd refuses non-literal specifiers (ERR_MODULE_DYNAMIC_SPEC), so the
  // literal stays; the comments stop webpack and Vite from resolving it elsewhere.
  connectPromise ??= (
    import(/* webpackIgnore: true */ /* @vite-ignore */ 'cloudflare:sockets')
  ).then((m) => m.connect as CfConnect)
  return connectPromise
}

/** A Workers socket as a PullStream, plus what its TLS upgrade needs: the streams unlocked. */
interface CfStream extends PullStream {
  release(): void
}

/**
 * A PullStream over a Workers socket. With `tlsName`, the first I/O error is
 * the lazy handshake failing and becomes a TlsError.
 */
export function cloudflareStream(socket: CfSocket, tlsName?: string, verifying = true): CfStream {
  const reader = socket.readable.getReader()
  const writer = socket.writable.getWriter()
  let established = tlsName === undefined
  const failed = (error: unknown): never => {
    if (established) throw error
    established = true
    throw handshakeError(error, tlsName!, verifying)
  }
  return {
    async read() {
      try {
        const { value, done } = await reader.read()
        established = true
        return done ? null : value
      } catch (error) {
        return failed(error)
      }
    },
    async write(data) {
      try {
        // A view into a larger buffer (frontend messages share slabs, src/protocol/writer.ts) goes
        // as a copy of its own bytes: a stream that takes ownership of what it writes must not take the slab.
        await writer.write(data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice())
      } catch (error) {
        failed(error)
      }
    },
    async close() {
      await socket.close()
    },
    abort() {
      socket.close().catch(() => undefined)
    },
    release() {
      reader.releaseLock()
      writer.releaseLock()
    },
  }
}

function handshakeError(error: unknown, tlsName: string, verifying: boolean): TlsError {
  const message = error instanceof Error ? error.message : String(error)
  const hint = verifying
    ? ''
    : ' Workers always verify the certificate chain and host name, so sslmode=require/prefer cannot reach a server with a self-signed certificate.'
  return new TlsError(
    `TLS handshake with ${tlsName} failed (certificate not trusted by public roots, or not issued for this host name?): ${message}.${hint}`,
    { code: ErrorCode.TlsHandshake, cause: error },
  )
}

/** STARTTLS on the plain socket; what Workers cannot honour was refused before (WORKERD_CAPABILITIES). */
async function upgrade(socket: CfSocket, plain: CfStream, options: TlsUpgradeOptions, abandoned: AbortSignal): Promise<{ channel: Channel; info: TlsInfo }> {
  const name = options.servername
  // startTls needs the streams unlocked; the core guarantees nothing is in flight.
  plain.release()
  const secure = socket.startTls({ expectedServerHostname: name })
  onAbort(abandoned, () => void secure.close().catch(() => undefined))
  await secure.opened.catch((error: unknown) => {
    throw handshakeError(error, name, options.rejectUnauthorized)
  })
  return {
    channel: pullChannel(cloudflareStream(secure, name, options.rejectUnauthorized)),
    info: { authorized: true, alpnProtocol: undefined, peerCertificate: undefined },
  }
}

/** Dial with `cloudflare:sockets` (STARTTLS-capable, as SSLRequest needs). */
export const dialCloudflare: Dial = async (options: TransportDialOptions) => {
  refuseDial(WORKERD_CAPABILITIES, options)
  const address = addressOf(options)
  const stop = stopSignalOf(options)
  const connect = await loadConnect()
  let socket: CfSocket | undefined
  try {
    socket = connect({ hostname: options.host, port: options.port }, { secureTransport: 'starttls', allowHalfOpen: false })
    await raceSignal(socket.opened, stop)
  } catch (error) {
    socket?.close().catch(() => undefined)
    throw dialError(address, error, stop)
  }
  const plain = cloudflareStream(socket)
  const opened = socket
  return new StreamSocket(pullChannel(plain), address, WORKERD_CAPABILITIES, (tlsOptions, abandoned) => upgrade(opened, plain, tlsOptions, abandoned))
}

/** The Workers runtime: no files and no process environment (certificates as PEM text, settings in the connection string). */
export const workerdRuntime: RuntimeEnvironment = { name: 'workerd', capabilities: WORKERD_CAPABILITIES, dial: readsStop(dialCloudflare), env: () => ({}) }
