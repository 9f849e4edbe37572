/**
 * What each runtime's sockets and TLS can do, in one table. The transports
 * refuse what their row lacks through refuseDial / refuseTls (one
 * PGFLEET_TLS_RUNTIME_LIMIT each, never a silent downgrade); the runtime
 * tests (test/integration/runtimes-transport.test.ts) derive their expected
 * outcomes from it, and a unit test checks the README's "TLS by runtime"
 * table against it. Verified on Node 20, Bun 1.4, Deno 2.9, workerd
 * (Miniflare 4); the reasons are in each transport's file comment.
 */
import { ConnectionError, TlsError } from '../errors.js'
import type { DialOptions, TlsUpgradeOptions } from './socket.js'

export type RuntimeName = 'node' | 'bun' | 'deno' | 'workerd'

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
  /** Certificates, the password file and service files read from paths. */
  files: boolean
  /** Unix-domain sockets (host=/dir). */
  unixSockets: boolean
  /** Socket.unref: an idle pool does not keep the process alive. */
  unref: boolean
  /** Dial errors name the failure (refused, DNS, ...); otherwise they are PGFLEET_CONNECT_FAILED. */
  namesNetworkErrors: boolean
  /** The text of each refusal, for the capabilities this runtime lacks. */
  refusals: Partial<Record<'directTls' | 'customCa' | 'verifyCa' | 'clientCertificate' | 'encryptedKey' | 'unixSockets', string>>
}

const EVERYTHING: Omit<Capabilities, 'keepAlive'> = {
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
  files: true,
  unixSockets: true,
  unref: true,
  namesNetworkErrors: true,
  refusals: {},
}

export const CAPABILITIES: Readonly<Record<RuntimeName, Readonly<Capabilities>>> = {
  node: { ...EVERYTHING, keepAlive: 'idle' },
  // Bun has no per-connection host-name switch: verify-ca checks the handshake's result itself (bun.ts).
  bun: { ...EVERYTHING, keepAlive: 'idle' },
  // rustls: sslrootcert is added to the default roots, the chain is always verified, no peer certificate.
  deno: {
    ...EVERYTHING,
    keepAlive: 'on-off',
    customCa: 'add',
    verifyCa: false,
    unverifiedTls: false,
    clientCertificate: 'direct',
    encryptedKey: false,
    peerCertificate: false,
    refusals: {
      verifyCa:
        'sslmode=verify-ca is not supported on Deno: Deno trusts its default roots in addition to sslrootcert, so without the host-name check any publicly trusted certificate would pass; use sslmode=verify-full',
      encryptedKey: 'Deno cannot use an encrypted private key (sslpassword); decrypt the key first',
      clientCertificate: 'Deno cannot send a client certificate after SSLRequest (Deno.startTls takes no cert/key); use sslnegotiation=direct',
    },
  },
  // cloudflare:sockets: public roots and the host name, always; no ALPN, client certificate, files or unref.
  workerd: {
    ...EVERYTHING,
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
    files: false,
    unixSockets: false,
    unref: false,
    namesNetworkErrors: false,
    refusals: {
      directTls: 'Cloudflare Workers sockets do not offer ALPN, which sslnegotiation=direct requires; use sslnegotiation=postgres',
      customCa: 'Cloudflare Workers verify server certificates only against public roots: a custom root certificate (sslrootcert) cannot be used',
      verifyCa: 'Cloudflare Workers always check the host name: sslmode=verify-ca is not supported, use verify-full',
      clientCertificate: 'Cloudflare Workers sockets cannot send a client certificate (sslcert/sslkey)',
      unixSockets: 'Cloudflare Workers cannot open Unix-domain sockets',
    },
  },
}

/** The TlsError for a setting this runtime cannot apply. */
export function runtimeLimit(message: string): TlsError {
  return new TlsError(message, { code: 'PGFLEET_TLS_RUNTIME_LIMIT', safeToRetry: true })
}

function refusal(caps: Capabilities, what: keyof Capabilities['refusals']): string {
  return caps.refusals[what] ?? `this runtime cannot do ${what}`
}

/** Refuse a dial the runtime cannot make: a Unix-domain socket, or direct TLS. */
export function refuseDial(caps: Capabilities, options: DialOptions): void {
  if (options.path !== undefined && !caps.unixSockets) {
    throw new ConnectionError(refusal(caps, 'unixSockets'), { address: options.path })
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
