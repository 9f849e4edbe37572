/**
 * The one interface between pgfleet and a runtime's networking. The core
 * (core.ts) implements it once; each runtime (node.ts, bun.ts, deno.ts,
 * cloudflare.ts) adds its dial, a Channel and a TLS upgrade, and what it
 * cannot do is its row in capabilities.ts. Nothing else under src/ touches a
 * socket.
 */
import type { StopSignal } from '../deadline.js'

/** Where to dial. */
export interface DialOptions {
  host: string
  port: number
  /**
   * The connect deadline, as an AbortSignal: when it aborts, the dial (and a
   * direct TLS handshake) stops, the socket is destroyed and the dial rejects
   * with its reason. No signal = no time limit. This is what a custom
   * runtime's dial reads.
   */
  signal?: AbortSignal
  /**
   * TCP keepalive (libpq `keepalives`, `keepalives_idle`): on unless
   * `enabled` is false; `idleMs` > 0 sets the idle time before the first
   * probe where the runtime allows it. Ignored for Unix-domain sockets.
   */
  keepAlive?: { enabled: boolean; idleMs: number }
  /** Background work (a CancelRequest): the socket must not keep the process alive. */
  background?: boolean
  /** Unix-domain socket path, used instead of host/port (not on Workers: capabilities.ts). */
  path?: string
  /** Open TLS immediately (sslnegotiation=direct) with these options. */
  directTls?: TlsUpgradeOptions
}

/** Options for a TLS upgrade. The caller decides policy; the transport only performs it. */
export interface TlsUpgradeOptions {
  /** Name to send in SNI and, when checkServerIdentity is true, to verify. */
  servername: string
  /** PEM text of trusted roots; undefined = runtime defaults. */
  ca?: string | string[]
  /** Verify the chain against ca (verify-ca / verify-full). */
  rejectUnauthorized: boolean
  /** Also verify the host name (verify-full). */
  checkServerIdentity: boolean
  /** Client certificate and key, PEM text. */
  cert?: string
  key?: string
  /** Passphrase of an encrypted key. */
  passphrase?: string
  /** ALPN protocols to offer (['postgresql'] for direct negotiation). */
  alpnProtocols?: string[]
  /** Append the session's TLS keys to this file, NSS key log format (libpq 18 sslkeylogfile); only where `capabilities.keyLog`. */
  keyLogFile?: string
}

/** What a completed TLS handshake tells us. */
export interface TlsInfo {
  /** DER bytes of the server's leaf certificate (for tls-server-end-point), if the runtime exposes it. */
  peerCertificate?: Uint8Array
  /** Negotiated ALPN protocol, if any. */
  alpnProtocol?: string | false
  /** Whether the chain was verified by the runtime. */
  authorized: boolean
}

/** A connected byte stream. */
export interface Socket {
  /** Queue bytes for sending. Returns false when the caller should wait for drain(). */
  write(data: Uint8Array): boolean
  /** Resolves when buffered writes have been flushed to the OS. */
  drain(): Promise<void>
  /**
   * Receive side: the transport calls onData for every chunk and onClose once,
   * with an error if the close was not clean. Set before the first read.
   */
  onData: (chunk: Uint8Array) => void
  onClose: (error?: Error) => void
  /** Stop / resume delivering onData (backpressure). */
  pause(): void
  resume(): void
  /** Upgrade this socket to TLS (after the server answered 'S' to SSLRequest). */
  startTls(options: TlsUpgradeOptions): Promise<TlsInfo>
  /** Close gracefully (end) or at once (destroy). */
  close(): void
  destroy(): void
  /** Whether the process may exit while this socket is open. */
  unref?(): void
  ref?(): void
}

/** A runtime's dialer. */
export type Dial = (options: DialOptions) => Promise<Socket & { tls?: TlsInfo }>

/**
 * What pgfleet's own dials are given (not public: a custom runtime's dial
 * sees DialOptions). `stop` is the connect deadline as it is (src/deadline.ts:
 * a Deadline or an AbortSignal, read only through onAbort, raceSignal and
 * abortReason), so a connect makes no AbortController: `signal` is then made
 * only if something reads it.
 */
export interface TransportDialOptions extends DialOptions {
  stop?: StopSignal
}

const STOP_READERS = new WeakSet<Dial>()

/** Mark one of pgfleet's own dials: it reads `stop` (TransportDialOptions). Any other dial, custom or a wrapper, is given plain DialOptions. */
export function readsStop(dial: Dial): Dial {
  STOP_READERS.add(dial)
  return dial
}

/** Whether `dial` is one of pgfleet's own (marked with readsStop). */
export function dialReadsStop(dial: Dial): boolean {
  return STOP_READERS.has(dial)
}

/** The dial's deadline: `stop` when pgfleet passed one, else the caller's `signal`. */
export function stopSignalOf(options: TransportDialOptions): StopSignal | undefined {
  return options.stop ?? options.signal
}
