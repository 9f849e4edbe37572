/**
 * What a runtime's sockets and TLS can do. Each runtime's file
 * (src/transport/<runtime>.ts) holds its row, on its RuntimeEnvironment,
 * beside the dial it describes; the transports refuse what their row lacks
 * through refuseDial / refuseTls (never a silent downgrade). The runtime tests
 * (test/integration/runtimes-transport.test.ts, runtimes.test.ts) derive
 * their expected outcomes from the rows, and a unit test checks the README's
 * "TLS by runtime" table against them. File access is not a row: a runtime
 * can read files exactly when it has `readFile`.
 */
import { ConfigError, ErrorCode, TlsError } from '../errors.js'
import type { DialOptions, TlsUpgradeOptions } from './socket.js'

export interface Capabilities {
  /** TLS upgrade of the open socket after SSLRequest (sslnegotiation=postgres). */
  tlsUpgrade: boolean
  /** sslnegotiation=direct: TLS at once, offering ALPN "postgresql". */
  directTls: boolean
  /** ALPN offered and the server's choice reported (TlsInfo.alpnProtocol). */
  alpn: boolean
  /** TCP keepalive: 'idle' also sets keepalives_idle, 'on-off' only switches it. */
  keepAlive: 'idle' | 'on-off' | 'none'
  /** sslrootcert as PEM: 'replace' the runtime's roots (as libpq), 'add' to them, or none. */
  customCa: 'replace' | 'add' | false
  /** sslmode=verify-ca: the chain without the host-name check. */
  verifyCa: boolean
  /** sslmode=require/prefer/allow without a root file: TLS without verification. */
  unverifiedTls: boolean
  /** A certificate refused by the handshake shows as a TlsError only on the first read or write (PGFLEET_TLS_HANDSHAKE). */
  lazyVerification: boolean
  /** sslcert/sslkey: after SSLRequest too ('always'), only with sslnegotiation=direct ('direct'), or never. */
  clientCertificate: 'always' | 'direct' | false
  /** sslpassword (an encrypted client key). */
  encryptedKey: boolean
  /** The server's certificate (tls-server-end-point: SCRAM-SHA-256-PLUS, channel_binding=require). */
  peerCertificate: boolean
  /** Unix-domain sockets (host=/dir). */
  unixSockets: boolean
  /** Socket.unref: an idle pool does not keep the process alive. */
  unref: boolean
  /** TLS session keys can be logged (sslkeylogfile). */
  keyLog: boolean
  /** Dial errors name the failure (refused, DNS, ...); otherwise they are PGFLEET_CONNECT_FAILED. */
  namesNetworkErrors: boolean
  /** The text of each refusal, for the capabilities this runtime lacks. */
  refusals: Partial<Record<'directTls' | 'customCa' | 'verifyCa' | 'clientCertificate' | 'encryptedKey' | 'unixSockets', string>>
}

/** A runtime that can do everything (Node); the other rows say what differs. */
export const FULL_CAPABILITIES: Readonly<Capabilities> = {
  keepAlive: 'idle',
  tlsUpgrade: true,
  directTls: true,
  alpn: true,
  customCa: 'replace',
  verifyCa: true,
  unverifiedTls: true,
  lazyVerification: false,
  clientCertificate: 'always',
  encryptedKey: true,
  peerCertificate: true,
  unixSockets: true,
  unref: true,
  namesNetworkErrors: true,
  keyLog: true,
  refusals: {},
}

/** The TlsError for a setting this runtime cannot apply. */
export function runtimeLimit(message: string): TlsError {
  return new TlsError(message, { code: ErrorCode.TlsRuntimeLimit })
}

function refusal(caps: Capabilities, what: keyof Capabilities['refusals']): string {
  return caps.refusals[what] ?? `this runtime cannot do ${what}`
}

/** Refuse a dial the runtime cannot make: a Unix-domain socket, or direct TLS. */
export function refuseDial(caps: Capabilities, options: DialOptions): void {
  if (options.path !== undefined && !caps.unixSockets) {
    throw new ConfigError(refusal(caps, 'unixSockets'), { option: 'host', code: ErrorCode.RuntimeLimit })
  }
  if (options.directTls !== undefined && !caps.directTls) throw runtimeLimit(refusal(caps, 'directTls'))
}

/**
 * Refuse TLS options the runtime cannot honour, before any handshake.
 * `direct`: the handshake opens the connection (sslnegotiation=direct).
 */
export function refuseTls(caps: Capabilities, options: TlsUpgradeOptions, direct: boolean): void {
  if (options.ca !== undefined && caps.customCa === false) throw runtimeLimit(refusal(caps, 'customCa'))
  if (options.rejectUnauthorized && !options.checkServerIdentity && !caps.verifyCa) throw runtimeLimit(refusal(caps, 'verifyCa'))
  // A key's passphrase matters only where a client certificate can be sent at all.
  if (options.passphrase !== undefined && caps.clientCertificate !== false && !caps.encryptedKey) {
    throw runtimeLimit(refusal(caps, 'encryptedKey'))
  }
  const certificate = options.cert !== undefined || options.key !== undefined
  if (certificate && (caps.clientCertificate === false || (caps.clientCertificate === 'direct' && !direct))) {
    throw runtimeLimit(refusal(caps, 'clientCertificate'))
  }
}
