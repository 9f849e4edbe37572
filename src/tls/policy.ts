/**
 * The libpq sslmode policy as pure functions: what to send first, what to do
 * with the server's answer to SSLRequest, when a failed attempt is retried
 * with the other encryption, and which TLS options an upgrade uses.
 *
 * Followed from libpq 17 (src/interfaces/libpq/fe-connect.c):
 * - init_allowed_encryption_methods / select_next_encryption_method: TLS is
 *   allowed unless sslmode=disable; clear text only for disable, allow and
 *   prefer. `allow` tries clear first, `prefer` TLS first. Over a Unix socket
 *   only clear text is tried, whatever the sslmode.
 * - CONNECTION_SSL_STARTUP: 'S' starts the handshake; 'N' moves to the next
 *   allowed method on the same socket (ENCRYPTION_NEGOTIATION_FAILED), else
 *   "server does not support SSL, but SSL was required"; 'E' is a hard error
 *   whose text is not read (CVE-2024-10977, "server sent an error response
 *   during SSL exchange", no fallback); any other byte is "received invalid
 *   response to SSL negotiation"; data buffered before the handshake is
 *   "received unencrypted data after SSL response" (CVE-2021-23222).
 * - CONNECTION_FAILED (a failed handshake, or an ErrorResponse before
 *   AuthenticationOk other than 57P03 cannot_connect_now): reconnect with the
 *   next allowed method. So `allow` retries with TLS after any startup error
 *   in clear, and `prefer` retries in clear after a failed handshake or a
 *   startup error over TLS. Each method is tried at most once per host.
 * - pqConnectOptions2: sslrootcert=system needs verify-full;
 *   sslnegotiation=direct needs require, verify-ca or verify-full.
 * And from fe-secure-openssl.c (initialize_SSL): a root certificate that is
 * present turns on chain verification in every sslmode (so require acts as
 * verify-ca); verify-ca/verify-full without one is an error; verify-full
 * also checks the host name; SNI is sent unless the host is an IP literal;
 * ALPN "postgresql" is always offered and must be selected on direct TLS.
 */
import type { Config, SslMode } from '../config/types.js'
import { ConfigError, ErrorCode, PgError, ProtocolError, TlsError } from '../errors.js'
import type { TlsUpgradeOptions } from '../transport/socket.js'
import { type ReadFile, loadDefaultPem, loadPem } from './certificates.js'

/** The TLS-relevant part of a Config. */
export type TlsConfig = Pick<
  Config,
  'sslmode' | 'sslnegotiation' | 'sslrootcert' | 'sslcert' | 'sslkey' | 'sslpassword' | 'sslkeylogfile'
>

/** An encryption method of one connection attempt. */
export type Encryption = 'plain' | 'tls'

/** Where one host stands in libpq's negotiation: the method being tried and those that failed. */
export interface EncryptionAttempt {
  readonly current: Encryption
  readonly failed: readonly Encryption[]
}

/** What the transport is about to dial. */
export interface DialTarget {
  /** A Unix-domain socket: never request TLS over it (libpq). */
  unixSocket?: boolean
}

/** The first thing to do on a fresh socket. */
export type TlsStep = 'ssl-request' | 'direct-tls' | 'plain'

/** The ALPN protocol libpq offers and a direct-TLS server must select. */
export const ALPN_PROTOCOL = 'postgresql'

/** SQLSTATE 57P03: the server is starting up or shutting down; libpq moves to the next host instead. */
const CANNOT_CONNECT_NOW = '57P03'

const VERIFYING: ReadonlySet<SslMode> = new Set(['verify-ca', 'verify-full'])

/**
 * libpq's option checks that concern TLS (pqConnectOptions2). Throws a
 * ConfigError before anything is dialled.
 */
export function validateTlsConfig(config: TlsConfig): void {
  const { sslmode } = config
  if (config.sslnegotiation === 'direct' && sslmode !== 'require' && !VERIFYING.has(sslmode)) {
    throw new ConfigError(
      `weak sslmode "${sslmode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`,
      { option: 'sslmode' },
    )
  }
  if (config.sslrootcert === 'system' && sslmode !== 'verify-full') {
    throw new ConfigError(`weak sslmode "${sslmode}" may not be used with sslrootcert=system (use "verify-full")`, {
      option: 'sslmode',
    })
  }
}

/** The methods sslmode allows, in the order libpq tries them. */
function allowedMethods(config: TlsConfig, target: DialTarget): Encryption[] {
  if (target.unixSocket) return ['plain']
  switch (config.sslmode) {
    case 'disable':
      return ['plain']
    case 'allow':
      return ['plain', 'tls']
    case 'prefer':
      return ['tls', 'plain']
    case 'require':
    case 'verify-ca':
    case 'verify-full':
      return ['tls']
  }
}

function nextMethod(config: TlsConfig, target: DialTarget, attempt: EncryptionAttempt): EncryptionAttempt | undefined {
  const failed = [...attempt.failed, attempt.current]
  const next = allowedMethods(config, target).find((m) => !failed.includes(m))
  return next === undefined ? undefined : { current: next, failed }
}

/** The first attempt on a host (validates the TLS options first). */
export function firstAttempt(config: TlsConfig, target: DialTarget = {}): EncryptionAttempt {
  validateTlsConfig(config)
  return { current: allowedMethods(config, target)[0]!, failed: [] }
}

/** What to do first on a fresh socket for this attempt. */
export function stepFor(config: TlsConfig, attempt: EncryptionAttempt): TlsStep {
  if (attempt.current === 'plain') return 'plain'
  return config.sslnegotiation === 'direct' ? 'direct-tls' : 'ssl-request'
}

/**
 * What to do first on a fresh socket to a host: send SSLRequest, open TLS
 * at once (sslnegotiation=direct, ALPN "postgresql"), or start in clear
 * (disable, allow, Unix sockets). Throws a ConfigError for invalid combinations.
 */
export function initialTlsStep(config: TlsConfig, target: DialTarget = {}): TlsStep {
  return stepFor(config, firstAttempt(config, target))
}

/** The decision on the server's one-byte answer to SSLRequest. */
export interface SslResponseDecision {
  action: 'upgrade' | 'continue-plain' | 'fail'
  error?: TlsError | ProtocolError
  /** The attempt after this answer ('continue-plain' moves it to clear text). */
  attempt: EncryptionAttempt
}

const S = 0x53
const N = 0x4e
const E = 0x45

/**
 * Decide on the server's answer to SSLRequest.
 * @param byte the first byte received ('S', 'N', 'E' or anything else)
 * @param bytesAfter how many more bytes arrived with it, before the handshake
 * @param attempt where the negotiation stands (defaults to the first attempt)
 */
export function onSslResponse(
  config: TlsConfig,
  byte: number,
  bytesAfter: number,
  attempt: EncryptionAttempt = { current: 'tls', failed: [] },
  target: DialTarget = {},
): SslResponseDecision {
  switch (byte) {
    case S:
      if (bytesAfter > 0) {
        // The server may send nothing between 'S' and its TLS ServerHello; such
        // bytes were not encrypted and may come from a man in the middle.
        return fail(attempt, new TlsError('received unencrypted data after SSL response', { code: ErrorCode.TlsUnencryptedData }))
      }
      return { action: 'upgrade', attempt }
    case N: {
      const next = nextMethod(config, target, attempt)
      if (next?.current === 'plain') return { action: 'continue-plain', attempt: next }
      return fail(
        attempt,
        new TlsError('server does not support SSL, but SSL was required', { code: ErrorCode.TlsNotSupported }),
      )
    }
    case E:
      // Not read: the server is not authenticated yet (CVE-2024-10977).
      return fail(
        attempt,
        new TlsError('server sent an error response during SSL exchange', { code: ErrorCode.TlsServerError }),
      )
    default:
      return fail(attempt, new ProtocolError(`received invalid response to SSL negotiation: ${describeByte(byte)}`))
  }
}

function fail(attempt: EncryptionAttempt, error: TlsError | ProtocolError): SslResponseDecision {
  return { action: 'fail', error, attempt }
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `0x${byte.toString(16).padStart(2, '0')}`
}

/** True for failures libpq's CONNECTION_FAILED() retries with the next method. */
function isRetriableFailure(attempt: EncryptionAttempt, error: unknown): boolean {
  if (error instanceof PgError) return error.code !== CANNOT_CONNECT_NOW
  if (error instanceof TlsError && attempt.current === 'tls') {
    // pqsecure_open_client failed: the handshake, certificate checks, or
    // loading the certificate files (initialize_SSL).
    return error.code === ErrorCode.TlsHandshake || error.code === ErrorCode.TlsCertificate || error.code === ErrorCode.TlsFiles
  }
  return false
}

/**
 * The next attempt after a failure on this host, or undefined when libpq
 * would give up on it. Pass only a failed TLS handshake (TlsError from the
 * transport) or a server ErrorResponse received before AuthenticationOk
 * (PgError); every other error is final. The retry needs a new socket.
 */
export function retryAfterFailure(
  config: TlsConfig,
  attempt: EncryptionAttempt,
  error: unknown,
  target: DialTarget = {},
): EncryptionAttempt | undefined {
  return isRetriableFailure(attempt, error) ? nextMethod(config, target, attempt) : undefined
}

/**
 * Whether libpq would reconnect to the same host with the other encryption
 * after `error`: sslmode=allow after a startup error in clear, sslmode=prefer
 * after a failed handshake or a startup error over TLS. See retryAfterFailure.
 */
export function allowRetry(config: TlsConfig, error: unknown, attempt?: EncryptionAttempt, target: DialTarget = {}): boolean {
  return retryAfterFailure(config, attempt ?? firstAttempt(config, target), error, target) !== undefined
}

/** Where optional default certificate files are looked up. */
export interface TlsFileOptions {
  /** The user's home directory: enables libpq's ~/.postgresql/{root.crt,postgresql.crt,postgresql.key}. */
  homeDir?: string
}

/**
 * The TLS options for an upgrade to `host` (the name the user gave, or a
 * discovered node's own address). Throws ConfigError for invalid option
 * combinations and TlsError (code PGFLEET_TLS_FILES) for missing files.
 * @param readFile reads sslrootcert/sslcert/sslkey paths; without it only PEM text is accepted
 */
export function tlsUpgradeOptions(
  config: TlsConfig,
  host: string,
  readFile?: ReadFile,
  files: TlsFileOptions = {},
): TlsUpgradeOptions {
  validateTlsConfig(config)
  const verifying = VERIFYING.has(config.sslmode)
  const options: TlsUpgradeOptions = {
    servername: host,
    rejectUnauthorized: verifying,
    checkServerIdentity: config.sslmode === 'verify-full',
    alpnProtocols: [ALPN_PROTOCOL],
  }

  if (config.sslrootcert === 'system') {
    // The runtime's default roots; validateTlsConfig ensured verify-full.
    options.rejectUnauthorized = true
  } else {
    const defaultRoot = files.homeDir === undefined ? undefined : `${files.homeDir}/.postgresql/root.crt`
    const ca =
      config.sslrootcert !== undefined
        ? loadPem(config.sslrootcert, 'root certificate', readFile)
        : defaultRoot === undefined
          ? undefined
          : loadDefaultPem(defaultRoot, 'root certificate', readFile)
    if (ca !== undefined) {
      options.ca = ca
      // A root certificate that exists is always used (require acts as verify-ca).
      options.rejectUnauthorized = true
    } else if (verifying) {
      const hint =
        'Either provide the file, use the system\'s trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.'
      const what = defaultRoot === undefined ? 'no root certificate given (set sslrootcert)' : `root certificate file "${defaultRoot}" does not exist`
      throw new TlsError(`${what}\n${hint}`, { code: ErrorCode.TlsFiles })
    }
  }

  const cert = clientFile(config.sslcert, 'postgresql.crt', 'certificate', readFile, files)
  if (cert !== undefined) {
    options.cert = cert
    const key = clientFile(config.sslkey, 'postgresql.key', 'private key', readFile, files)
    if (key === undefined) {
      throw new TlsError('certificate present, but not private key file', { code: ErrorCode.TlsFiles })
    }
    options.key = key
  }
  if (config.sslpassword !== undefined && config.sslpassword !== '') options.passphrase = config.sslpassword
  if (config.sslkeylogfile !== undefined) options.keyLogFile = config.sslkeylogfile
  return options
}

function clientFile(
  value: string | undefined,
  defaultName: string,
  kind: 'certificate' | 'private key',
  readFile: ReadFile | undefined,
  files: TlsFileOptions,
): string | undefined {
  if (value !== undefined && value !== '') return loadPem(value, kind, readFile)
  if (files.homeDir === undefined) return undefined
  return loadDefaultPem(`${files.homeDir}/.postgresql/${defaultName}`, kind, readFile)
}

/**
 * Check the ALPN result of a finished handshake (libpq 17): a direct TLS
 * connection must have selected "postgresql"; any connection that selected
 * something else is refused. `alpn` undefined means the runtime cannot tell.
 */
export function checkNegotiatedAlpn(direct: boolean, alpn: string | false | undefined): TlsError | undefined {
  if (alpn === undefined) return undefined
  if (alpn === false) {
    return direct
      ? new TlsError('direct SSL connection was established without ALPN protocol negotiation extension', {
          code: ErrorCode.TlsHandshake,
        })
      : undefined
  }
  if (alpn !== ALPN_PROTOCOL) {
    return new TlsError(`SSL connection was established with unexpected ALPN protocol "${alpn}"`, {
      code: ErrorCode.TlsHandshake,
    })
  }
  return undefined
}
