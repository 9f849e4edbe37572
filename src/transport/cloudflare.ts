/**
 * Cloudflare Workers transport: `connect()` from `cloudflare:sockets`, loaded
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
 */
import { ConnectionError, TlsError } from '../errors.js'
import { raceSignal } from '../deadline.js'
import { addressOf, dialError } from './dial-errors.js'
import { PullSocket, type PullStream } from './pull-socket.js'
import type { Dial, DialOptions, TlsInfo, TlsUpgradeOptions } from './socket.js'

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

const limit = (message: string) => new TlsError(message, { code: 'PGFLEET_TLS_RUNTIME_LIMIT', safeToRetry: true })

/** Refuse what Workers cannot honour (see the file comment); returns the name to verify. */
export function cloudflareTlsName(options: TlsUpgradeOptions): string {
  if (options.ca !== undefined) {
    throw limit('Cloudflare Workers verify server certificates only against public roots: a custom root certificate (sslrootcert) cannot be used')
  }
  if (options.rejectUnauthorized && !options.checkServerIdentity) {
    throw limit('Cloudflare Workers always check the host name: sslmode=verify-ca is not supported, use verify-full')
  }
  if (options.cert !== undefined || options.key !== undefined) {
    throw limit('Cloudflare Workers sockets cannot send a client certificate (sslcert/sslkey)')
  }
  return options.servername
}

/**
 * A PullStream over a Workers socket. With `tlsName`, the first I/O error is
 * the lazy handshake failing and becomes a TlsError.
 */
export function cloudflareStream(socket: CfSocket, tlsName?: string, verifying = true): PullStream {
  const reader = socket.readable.getReader()
  const writer = socket.writable.getWriter()
  let established = tlsName === undefined
  const failed = (error: unknown): never => {
    if (established) throw error
    established = true
    const message = error instanceof Error ? error.message : String(error)
    const hint = verifying
      ? ''
      : ' Workers always verify the certificate chain and host name, so sslmode=require/prefer cannot reach a server with a self-signed certificate.'
    throw new TlsError(
      `TLS handshake with ${tlsName} failed (certificate not trusted by public roots, or not issued for this host name?): ${message}.${hint}`,
      { code: 'PGFLEET_TLS_HANDSHAKE', cause: error },
    )
  }
  const stream: PullStream = {
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
        await writer.write(data)
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
  }
  sockets.set(stream, { socket, reader, writer })
  return stream
}

const sockets = new WeakMap<
  PullStream,
  { socket: CfSocket; reader: ReadableStreamDefaultReader<Uint8Array>; writer: WritableStreamDefaultWriter<Uint8Array> }
>()

async function upgrade(stream: PullStream, options: TlsUpgradeOptions): Promise<{ stream: PullStream; info: TlsInfo }> {
  const plain = sockets.get(stream)
  if (plain === undefined) throw new TlsError('connection is already encrypted', { code: 'PGFLEET_TLS_HANDSHAKE' })
  const name = cloudflareTlsName(options)
  // startTls needs the streams unlocked; PullSocket guarantees nothing is in flight.
  plain.reader.releaseLock()
  plain.writer.releaseLock()
  const secure = plain.socket.startTls({ expectedServerHostname: name })
  await secure.opened
  return {
    stream: cloudflareStream(secure, name, options.rejectUnauthorized),
    info: { authorized: true, alpnProtocol: undefined, peerCertificate: undefined },
  }
}

/** Dial with `cloudflare:sockets` (STARTTLS-capable, as SSLRequest needs). */
export const dialCloudflare: Dial = async (options: DialOptions) => {
  const address = addressOf(options)
  if (options.path !== undefined) {
    throw new ConnectionError('Cloudflare Workers cannot open Unix-domain sockets', { address })
  }
  if (options.directTls !== undefined) {
    throw limit('Cloudflare Workers sockets do not offer ALPN, which sslnegotiation=direct requires; use sslnegotiation=postgres')
  }
  const connect = await loadConnect()
  let socket: CfSocket | undefined
  try {
    socket = connect({ hostname: options.host, port: options.port }, { secureTransport: 'starttls', allowHalfOpen: false })
    await raceSignal(socket.opened, options.signal)
  } catch (error) {
    socket?.close().catch(() => undefined)
    throw dialError(address, error)
  }
  return new PullSocket(cloudflareStream(socket), upgrade, address)
}
