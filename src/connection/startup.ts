/**
 * Opening a session, top to bottom: dial, TLS negotiation (libpq sslmode
 * rules, src/tls/policy), StartupMessage, the authentication exchange, then
 * ParameterStatus / BackendKeyData until the first ReadyForQuery
 * (protocol docs 55.2.1, "Start-up").
 */
import type { Runtime } from '../runtime.js'
import { checkAuthRequest } from '../auth/require-auth.js'
import { md5PasswordMessage } from '../auth/md5.js'
import { assertScramCompleted, continueScram, finishScram, startScram, type ScramSession } from '../auth/scram.js'
import type { AuthMethod, Config, HostSpec, ProtocolMinor } from '../config/types.js'
import { describeHost, dialTarget } from '../config/index.js'
import { AuthError, ConnectionError, ErrorCode, PgError, ProtocolError, TlsError, type ServerErrorFields } from '../errors.js'
import {
  encodePassword,
  encodeSASLInitialResponse,
  encodeSASLResponse,
  encodeStartup,
  protocolVersionCode,
  SSL_REQUEST,
} from '../protocol/frontend/index.js'
import { endPointHasher } from '../tls/end-point-hook.js'
import {
  checkNegotiatedAlpn,
  firstAttempt,
  onSslResponse,
  retryAfterFailure,
  stepFor,
  tlsUpgradeOptions,
  type EncryptionAttempt,
} from '../tls/policy.js'
import { dialReadsStop, type Socket, type TlsInfo, type TlsUpgradeOptions, type TransportDialOptions } from '../transport/socket.js'
import { abortReason, abortSignalOf, connectTimeoutError, Deadline, onAbort, raceSignal, type StopSignal } from '../deadline.js'
import { SessionPassword } from './password.js'
import { Wire } from './wire.js'
import type { BackendMessage } from '../protocol/messages.js'

/** SQLSTATE invalid_password: the server refused the password. */
const INVALID_PASSWORD = '28P01'

/** Distinct server parameters kept; real servers report about 20 (GUC_REPORT). */
export const MAX_SERVER_PARAMETERS = 1000

/** Keep a ParameterStatus; a server that invents parameters without bound is refused. */
export function recordParameter(parameters: Map<string, string>, name: string, value: string): void {
  if (parameters.size >= MAX_SERVER_PARAMETERS && !parameters.has(name))
    throw new ProtocolError(`server reported more than ${MAX_SERVER_PARAMETERS} distinct parameters (ParameterStatus)`)
  parameters.set(name, value)
}

/** What the startup learned about the session. */
export interface SessionInfo {
  wire: Wire
  parameters: Map<string, string>
  processId: number
  /** The cancel key: 4 bytes in protocol 3.0, 4 to 256 in 3.2 (PostgreSQL 18 sends 32). */
  secretKey: Uint8Array
  /** Minor version of protocol 3 the session speaks (0, or 2 after a 3.2 startup the server accepted). */
  protocolMinor: ProtocolMinor
  /** Set when the session runs over TLS. */
  tls?: TlsInfo
  /** Initial transaction status from the first ReadyForQuery. */
  status: 'I' | 'T' | 'E'
  /** NoticeResponses sent during startup (at most MAX_STARTUP_NOTICES), for the session's notice subscribers. */
  notices: ServerErrorFields[]
}

/** Startup notices kept: a server that floods them during startup cannot grow memory without bound. */
export const MAX_STARTUP_NOTICES = 100


/**
 * Dial `host` and establish a session, or reject with a typed error. Follows
 * libpq's per-host encryption attempts: sslmode=allow retries with TLS after a
 * startup error in clear, prefer retries in clear after a failed handshake or
 * a startup error over TLS (src/tls/policy.ts).
 *
 * One deadline bounds the whole startup, every encryption attempt included
 * (libpq's connect_timeout covers the whole connection attempt on a host).
 * Its owner is the caller when it passes `signal` (the balancer's attempt
 * deadline, which also covers the target_session_attrs check); otherwise the
 * startup makes one from `config.connectTimeoutMs`. When it passes the socket
 * is destroyed and the promise rejects with the signal's reason
 * (PGFLEET_CONNECT_TIMEOUT for the timeout).
 */
export function startSession(config: Config, host: HostSpec, runtime: Runtime, signal?: StopSignal): Promise<SessionInfo> {
  // Not async: an async function returning this promise would settle two microtask turns later.
  if (signal) return runAttempts(config, host, runtime, signal)
  return startSessionWithin(config, host, runtime)
}

/** startSession with a deadline of its own (config.connectTimeoutMs). */
async function startSessionWithin(config: Config, host: HostSpec, runtime: Runtime): Promise<SessionInfo> {
  const address = describeHost(host)
  const deadline = new Deadline(config.connectTimeoutMs, () => connectTimeoutError(address, config.connectTimeoutMs))
  try {
    return await runAttempts(config, host, runtime, deadline)
  } finally {
    deadline.clear()
  }
}

/** The attempt loop of startSession: the next encryption attempt after a failure, until the policy or the deadline says stop. */
async function runAttempts(config: Config, host: HostSpec, runtime: Runtime, signal: StopSignal): Promise<SessionInfo> {
  const target = { unixSocket: host.host.startsWith('/') }
  let attempt = firstAttempt(config, target)
  for (;;) {
    try {
      return await attemptSession(config, host, runtime, attempt, signal)
    } catch (error) {
      if (signal.aborted) throw abortReason(signal)
      const retryable = !(error instanceof AfterAuthError)
      const cause = error instanceof AfterAuthError ? error.error : error
      const next = retryable ? retryAfterFailure(config, attempt, cause, target) : undefined
      if (!next) throw cause
      attempt = next
    }
  }
}

/** Marks an error that arrived after AuthenticationOk: never a reason to retry with other encryption. */
class AfterAuthError {
  constructor(readonly error: unknown) {}
}

async function attemptSession(
  config: Config,
  host: HostSpec,
  runtime: Runtime,
  attempt: EncryptionAttempt,
  signal: StopSignal,
): Promise<SessionInfo> {
  const address = describeHost(host)
  const step = stepFor(config, attempt)
  const upgrade = step === 'plain' ? undefined : tlsUpgradeOptions(config, host.host, runtime.readFile, { homeDir: runtime.homeDir?.() })
  const target = dialTarget(host)
  const directTls = step === 'direct-tls' ? upgrade : undefined
  // pgfleet's own dials read `stop`; any other (a custom runtime's, installed
  // or passed, or a wrapper around ours) gets plain data: it may copy the
  // options ({ ...options, host }), which drops a getter.
  const dialOptions: TransportDialOptions = dialReadsStop(runtime.dial)
    ? new StartupDial(target.host, target.port, target.path, signal, config.keepAlive, directTls)
    : { host: target.host, port: target.port, path: target.path, keepAlive: config.keepAlive, directTls, signal: abortSignalOf(signal) }
  const dialing = runtime.dial(dialOptions)
  const socket = await (step === 'direct-tls' ? dialing.catch((error: unknown) => Promise.reject(withDirectTlsHint(error))) : dialing)
  const tls = step === 'plain' ? undefined : await secureSocket(socket, config, step, upgrade!, attempt, signal)
  return authenticateUnder(new Wire(socket, config.maxMessageBytes, address), config, tls, new SessionPassword(config, host, runtime, address), signal)
}

/**
 * What a startup gives pgfleet's own dials (src/transport/socket.ts readsStop). `signal` is made only
 * when read (pgfleet's own transports read `stop`). A class, so the getter
 * sits on the prototype: an object literal with a getter costs a closure and
 * an accessor pair per connect (and a spread followed by a getter is built in
 * the runtime, ~2.3 µs, measured). Other dials get plain data (above).
 */
class StartupDial implements TransportDialOptions {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly path: string | undefined,
    readonly stop: StopSignal,
    readonly keepAlive: TransportDialOptions['keepAlive'],
    readonly directTls: TlsUpgradeOptions | undefined,
  ) {}

  get signal(): AbortSignal {
    return abortSignalOf(this.stop)
  }
}

/** After a TLS dial or an SSLRequest: the session's TLS (undefined when the policy goes on in clear); the socket is destroyed on failure or abort. */
async function secureSocket(
  socket: Socket & { tls?: TlsInfo },
  config: Config,
  step: string,
  upgrade: TlsUpgradeOptions,
  attempt: EncryptionAttempt,
  signal: StopSignal,
): Promise<TlsInfo | undefined> {
  let tls: TlsInfo | undefined = socket.tls
  const unlinkSocket = onAbort(signal, () => socket.destroy())
  try {
    if (step === 'ssl-request') tls = await raceSignal(negotiateSsl(socket, config, upgrade, attempt), signal)
    if (tls) {
      const alpnError = checkNegotiatedAlpn(step === 'direct-tls', tls.alpnProtocol)
      if (alpnError) throw alpnError
    }
    return tls
  } catch (error) {
    socket.destroy()
    throw error
  } finally {
    unlinkSocket()
  }
}

/**
 * The startup exchange on `wire`, settled by the deadline: when `signal`
 * aborts the wire fails (the socket is destroyed) and the call rejects with
 * its reason, even while a step waits on something else (a password file,
 * SCRAM's key derivation). Any failure ends the wire.
 */
function authenticateUnder(wire: Wire, config: Config, tls: TlsInfo | undefined, password: SessionPassword, signal: StopSignal): Promise<SessionInfo> {
  // One listener does both jobs (one on an AbortSignal costs ~10 µs in a young process).
  return new Promise<SessionInfo>((resolve, reject) => {
    const unlink = onAbort(signal, () => {
      const reason = abortReason(signal)
      wire.fail(reason)
      reject(reason)
    })
    authenticate(wire, config, tls, password).then(
      (info) => {
        unlink()
        resolve(info)
      },
      (error: unknown) => {
        unlink()
        wire.fail(error instanceof AfterAuthError ? (error.error as Error) : (error as Error))
        reject(error)
      },
    )
  })
}

/**
 * A server before PostgreSQL 17 reads a TLS ClientHello as a malformed
 * startup packet and hangs up mid-handshake: say so, keeping the error's code.
 */
function withDirectTlsHint(error: unknown): unknown {
  if (!(error instanceof TlsError) || error.code !== ErrorCode.TlsHandshake) return error
  return new TlsError(`${error.message} (sslnegotiation=direct needs a server that accepts TLS without SSLRequest, PostgreSQL 17 or later)`, {
    code: error.code,
    cause: error,
    safeToRetry: error.safeToRetry,
  })
}

// The SSLRequest answer's handlers, made by calls: a function literal stored
// straight into a property is allocated in old space by V8 and keeps what it
// holds (here the socket, later the session's) past young-generation GCs
// (see Connection.flusherOf).
function firstChunkTo(socket: Socket, resolve: (chunk: Uint8Array) => void): (chunk: Uint8Array) => void {
  return (chunk) => {
    socket.pause()
    resolve(chunk)
  }
}

function closedDuringSsl(reject: (error: Error) => void): (error?: Error) => void {
  return (error) => reject(error ?? new TlsError('server closed the connection during SSL negotiation', { safeToRetry: true }))
}

/**
 * SSLRequest → one byte. 'S': upgrade; any byte after it before the handshake
 * is fatal (CVE-2021-23222). 'N'/'E' are judged by the sslmode policy.
 * Returns undefined when the policy says to go on in clear.
 */
export async function negotiateSsl(
  socket: Socket,
  config: Config,
  upgrade: TlsUpgradeOptions,
  attempt?: EncryptionAttempt,
): Promise<TlsInfo | undefined> {
  const answer = await new Promise<Uint8Array>((resolve, reject) => {
    socket.onData = firstChunkTo(socket, resolve)
    socket.onClose = closedDuringSsl(reject)
    socket.write(SSL_REQUEST)
  })
  const decision = onSslResponse(config, answer[0]!, answer.length - 1, attempt)
  if (decision.action === 'fail') throw decision.error
  if (decision.action === 'continue-plain') {
    socket.resume()
    return undefined
  }
  return socket.startTls(upgrade)
}

/**
 * Send the StartupMessage and run the exchange to the first ReadyForQuery.
 * Messages already buffered are handled synchronously (a trust startup
 * arrives as one chunk of ~20 messages: no promise per message); only an
 * authentication step that needs the password or crypto is awaited.
 */
async function authenticate(wire: Wire, config: Config, tls: TlsInfo | undefined, password: SessionPassword): Promise<SessionInfo> {
  const exchange = new StartupExchange(wire, config, tls, password)
  for (;;) {
    const message = wire.poll() ?? (await wire.next())
    const step = exchange.handle(message)
    if (step !== undefined) await step
    else if (exchange.info !== undefined) return exchange.info
  }
}

/**
 * The startup's state, message by message (protocol docs 55.2.1): the
 * authentication exchange, then AuthenticationOk, then ParameterStatus and
 * one BackendKeyData, then ReadyForQuery. NoticeResponse may come anywhere.
 * A plain class with a synchronous handler: it runs once per connect, where
 * an async function of this size costs more to run and to compile.
 */
class StartupExchange {
  /** Set by ReadyForQuery: the startup is complete. */
  info: SessionInfo | undefined
  private protocolMinor: ProtocolMinor
  private negotiated = false
  private readonly parameters = new Map<string, string>()
  private readonly notices: ServerErrorFields[] = []
  private processId = 0
  private secretKey: Uint8Array = new Uint8Array(0)
  private scram: ScramSession | undefined
  /** The method the client answered with; none when the server asked for nothing (trust). */
  private answered: AuthMethod | undefined
  private authenticated = false
  private keyData = false

  constructor(
    private readonly wire: Wire,
    private readonly config: Config,
    private readonly tls: TlsInfo | undefined,
    private readonly password: SessionPassword,
  ) {
    const params: Record<string, string> = {
      user: config.user,
      database: config.database,
      client_encoding: 'UTF8',
      ...config.startupParams,
    }
    if (config.applicationName !== undefined) params.application_name = config.applicationName
    if (config.options !== undefined) params.options = config.options
    // Ask for max_protocol_version; a server that knows less answers with
    // NegotiateProtocolVersion (protocol docs 55.2.1) before authentication.
    this.protocolMinor = config.maxProtocolVersion
    wire.write(encodeStartup(params, protocolVersionCode(this.protocolMinor)))
  }

  /** One message; a promise when an authentication step must be awaited before the next. */
  handle(message: BackendMessage): Promise<void> | undefined {
    const config = this.config
    const isAuth = message.type.startsWith('Authentication')
    if (this.authenticated ? isAuth : message.type === 'ParameterStatus' || message.type === 'BackendKeyData')
      throw new ProtocolError(`server sent ${message.type} ${this.authenticated ? 'after' : 'before'} AuthenticationOk`)
    switch (message.type) {
      case 'ParameterStatus':
        recordParameter(this.parameters, message.name, message.value)
        return undefined
      case 'AuthenticationOk':
        // A server that skips SASL final has not proven it knows the password.
        if (this.scram) assertScramCompleted(this.scram)
        // require_auth's 'none' is about a server that let the client in
        // without asking for anything (libpq: client_finished_auth), not about
        // which method it asked for; that was checked on the request itself.
        if (this.answered === undefined) checkAuthRequest(config.requireAuth, 'ok-without-auth')
        if (config.channelBinding === 'require' && !this.scram?.channelBound)
          throw new AuthError('channel binding required, but the server authenticated the client without channel binding')
        this.authenticated = true
        return undefined
      case 'BackendKeyData':
        if (this.keyData) throw new ProtocolError('server sent BackendKeyData twice')
        // Protocol 3.0 keys are exactly 4 bytes; longer ones need 3.2.
        if (this.protocolMinor === 0 && message.secretKey.length !== 4)
          throw new ProtocolError(`server sent a ${message.secretKey.length}-byte cancel key in protocol 3.0, where keys are 4 bytes`)
        this.keyData = true
        this.processId = message.processId
        this.secretKey = message.secretKey
        return undefined
      case 'ReadyForQuery':
        if (!this.authenticated) throw new ProtocolError('server sent ReadyForQuery before AuthenticationOk')
        this.info = {
          wire: this.wire,
          parameters: this.parameters,
          processId: this.processId,
          secretKey: this.secretKey,
          protocolMinor: this.protocolMinor,
          tls: this.tls,
          status: message.status,
          notices: this.notices,
        }
        return undefined
      case 'AuthenticationCleartextPassword':
        checkAuthRequest(config.requireAuth, 'password')
        refuseWithoutChannelBinding(config, 'cleartext password')
        this.answered = 'password'
        return this.password.get().then((password) => this.wire.write(encodePassword(password)))
      case 'AuthenticationMD5Password': {
        checkAuthRequest(config.requireAuth, 'md5')
        refuseWithoutChannelBinding(config, 'MD5')
        this.answered = 'md5'
        const salt = message.salt
        return this.password.get().then((password) => this.wire.write(encodePassword(md5PasswordMessage(config.user, password, salt))))
      }
      case 'AuthenticationSASL':
        checkAuthRequest(config.requireAuth, 'scram-sha-256')
        this.answered = 'scram-sha-256'
        return this.startSasl(message.mechanisms)
      case 'AuthenticationSASLContinue': {
        const scram = this.scram
        if (!scram) throw new ProtocolError('server sent SASLContinue without a SASL exchange')
        return continueScram(scram, message.data, { maxIterations: config.maxScramIterations }).then((reply) =>
          this.wire.write(encodeSASLResponse(reply)),
        )
      }
      case 'AuthenticationSASLFinal':
        if (!this.scram) throw new ProtocolError('server sent SASLFinal without a SASL exchange')
        return finishScram(this.scram, message.data)
      case 'AuthenticationKerberosV5':
      case 'AuthenticationGSS':
      case 'AuthenticationGSSContinue':
      case 'AuthenticationSSPI':
        throw new AuthError(`server requested ${message.type.slice('Authentication'.length)} authentication, which pgfleet does not support`)
      case 'NegotiateProtocolVersion':
        if (this.negotiated || this.authenticated)
          throw new ProtocolError(`server sent NegotiateProtocolVersion ${this.negotiated ? 'twice' : 'after AuthenticationOk'}`)
        this.negotiated = true
        this.protocolMinor = negotiateProtocol(config, this.protocolMinor, message.newestMinorVersion, message.unrecognizedOptions)
        return undefined
      case 'NoticeResponse':
        if (this.notices.length < MAX_STARTUP_NOTICES) this.notices.push(message.fields)
        return undefined
      case 'ErrorResponse':
        if (this.authenticated) throw new AfterAuthError(new PgError(message.fields))
        // libpq names the password file when its password was refused.
        if (this.password.file !== undefined && message.fields.code === INVALID_PASSWORD)
          throw new PgError({ ...message.fields, message: `${message.fields.message} (password retrieved from file "${this.password.file}")` })
        throw new PgError(message.fields)
      default:
        throw new ProtocolError(`unexpected ${message.type} during startup`)
    }
  }

  /** AuthenticationSASL: pick SCRAM-SHA-256(-PLUS) and send the client-first message. */
  private async startSasl(mechanisms: string[]): Promise<void> {
    const config = this.config
    const tls = this.tls
    // Hash the certificate only when -PLUS can be chosen (libpq): an
    // Ed25519 certificate has no hash and must not break plain SCRAM.
    const plusOffered = mechanisms.includes('SCRAM-SHA-256-PLUS')
    // The Node and Bun entries install the hasher (src/tls/end-point-hook.ts).
    const hasher = tls?.peerCertificate ? endPointHasher() : undefined
    const endpointHash = hasher && plusOffered && config.channelBinding !== 'disable' ? await hasher(tls!.peerCertificate!) : undefined
    // On TLS without the peer certificate (Deno, Workers) -PLUS is impossible: say why.
    if (tls && !hasher && plusOffered && config.channelBinding === 'require')
      throw new AuthError(
        'channel binding required, but this runtime does not expose the server certificate, so SCRAM-SHA-256-PLUS (tls-server-end-point) cannot be used',
      )
    const started = startScram({
      password: await this.password.get(),
      mechanisms,
      channelBinding: config.channelBinding,
      endpointHash,
      tls: tls !== undefined,
    })
    this.scram = started.session
    this.wire.write(encodeSASLInitialResponse(started.mechanism, started.initialResponse))
  }
}

/**
 * The server's answer to a StartupMessage version it does not fully know:
 * the newest version it speaks and the `_pq_.` options it ignored. The docs
 * call the number the "newest minor version", but PostgreSQL sends the whole
 * version word (3.0 is 196608, major in the high 16 bits), as libpq reads it;
 * a bare minor number is taken as well. As
 * libpq 18 (pqGetNegotiateProtocolVersion3): only a downgrade to a real
 * version (3.0 or 3.2, never 3.1) is valid, we send no `_pq_.` options so none
 * may come back, and a version below min_protocol_version ends the startup.
 */
export function negotiateProtocol(config: Config, requested: ProtocolMinor, offered: number, unrecognized: readonly string[]): ProtocolMinor {
  const invalid = (why: string) => new ProtocolError(`received invalid protocol negotiation message: ${why}`)
  const major = offered >>> 16
  if (offered < 0 || (major !== 0 && major !== 3)) throw invalid(`server offered protocol version ${major}.${offered & 0xffff}`)
  offered &= 0xffff
  if (unrecognized.length > 0) throw invalid(`server reported an unsupported parameter that was not requested ("${unrecognized[0]}")`)
  if (offered >= requested) throw invalid(`server offered protocol 3.${offered}, but 3.${requested} was requested and a negotiation may only downgrade`)
  if (offered === 1) throw invalid('server offered protocol 3.1, which was never used')
  const minor = offered as ProtocolMinor
  if (minor < config.minProtocolVersion)
    throw new ConnectionError(
      `server only supports protocol version 3.${minor}, but min_protocol_version was set to 3.${config.minProtocolVersion}`,
      { code: ErrorCode.ProtocolVersion },
    )
  return minor
}

/** libpq: channel_binding=require refuses any method that cannot bind the channel. */
function refuseWithoutChannelBinding(config: Config, method: string): void {
  if (config.channelBinding === 'require')
    throw new AuthError(`channel binding required, but server requested ${method} authentication`)
}

