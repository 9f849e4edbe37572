/**
 * SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677; channel binding
 * type tls-server-end-point, RFC 5929) as three pure steps, after pg's
 * sasl.js: startScram → client-first, continueScram(server-first) →
 * client-final, finishScram(server-final) verifies the server signature.
 * WebCrypto only. Mechanism choice and GS2 flags follow libpq (fe-auth-scram.c).
 */
import type { ChannelBinding } from '../config/types.js'
import { AuthError } from '../errors.js'
import { saslprep } from './saslprep.js'
import { base64Decode, base64Encode, concatBytes, constantTimeEqual, utf8Decode, utf8Encode, xorBytes } from './bytes.js'

export const SCRAM_SHA_256 = 'SCRAM-SHA-256'
export const SCRAM_SHA_256_PLUS = 'SCRAM-SHA-256-PLUS'
export type ScramMechanism = typeof SCRAM_SHA_256 | typeof SCRAM_SHA_256_PLUS

/** GS2 headers (RFC 5802 §7): bound, "client supports binding but server did not offer it", no binding. */
const GS2_PLUS = 'p=tls-server-end-point,,'
const GS2_CLIENT_SUPPORTS = 'y,,'
const GS2_NO_BINDING = 'n,,'

/** SHA-256 output length: the size of every SCRAM key and signature. */
const KEY_LENGTH = 32
/** 18 random bytes → 24 base64 characters, as libpq (SCRAM_RAW_NONCE_LEN). */
const RAW_NONCE_LENGTH = 18

const FIRST = 'SASL: SCRAM-SERVER-FIRST-MESSAGE: '
const FINAL = 'SASL: SCRAM-SERVER-FINAL-MESSAGE: '

/** Public view of an exchange in progress; the secrets stay private to this module. */
export interface ScramSession {
  readonly mechanism: ScramMechanism
  /** True when the exchange binds the TLS channel (SCRAM-SHA-256-PLUS). */
  readonly channelBound: boolean
  /** True once the server signature has been verified. An AuthenticationOk before that must be refused. */
  readonly completed: boolean
}

interface SessionState {
  stage: 'started' | 'continued' | 'completed' | 'failed'
  /** SASLprep'd password; cleared once the keys are derived. */
  password: string
  clientNonce: string
  clientFirstBare: string
  /** GS2 header followed by the channel-binding data, base64'd into c=. */
  cbindInput: Uint8Array
  serverSignature?: Uint8Array
}

interface MutableSession {
  mechanism: ScramMechanism
  channelBound: boolean
  completed: boolean
}

const states = new WeakMap<ScramSession, SessionState>()

export interface StartScramOptions {
  password: string
  /** Mechanisms listed in AuthenticationSASL. */
  mechanisms: string[]
  channelBinding: ChannelBinding
  /** tls-server-end-point data (src/tls/channel-binding.ts); present only on TLS. */
  endpointHash?: Uint8Array
  /**
   * True when the connection uses TLS, whether or not `endpointHash` could be
   * computed; only used to say why channel_binding=require fails. Defaults to
   * `endpointHash !== undefined`.
   */
  tls?: boolean
  /** Fixed client nonce, for tests against published vectors. */
  clientNonce?: string
  /**
   * Name sent in client-first (n=). PostgreSQL ignores it and uses the startup
   * user, so libpq sends it empty; settable for RFC test vectors.
   */
  username?: string
}

export interface ScramStart {
  mechanism: ScramMechanism
  /** client-first-message, the SASLInitialResponse payload. */
  initialResponse: Uint8Array
  session: ScramSession
}

/**
 * Choose the mechanism and build the client-first-message.
 * libpq rules: -PLUS when offered, on TLS and channel_binding is not disable;
 * channel_binding=require without -PLUS or without TLS fails (no silent downgrade).
 */
export function startScram(options: StartScramOptions): ScramStart {
  const { mechanisms, channelBinding, endpointHash } = options
  const offered = mechanisms.length > 0 ? mechanisms.join(', ') : 'none'
  const canBind = endpointHash !== undefined && channelBinding !== 'disable'
  let mechanism: ScramMechanism
  let gs2Header: string
  if (canBind && mechanisms.includes(SCRAM_SHA_256_PLUS)) {
    mechanism = SCRAM_SHA_256_PLUS
    gs2Header = GS2_PLUS
  } else {
    if (channelBinding === 'require') throw channelBindingRefusal(options, offered)
    if (!mechanisms.includes(SCRAM_SHA_256))
      throw new AuthError(`SASL: none of the server's SASL authentication mechanisms are supported (offered: ${offered})`)
    mechanism = SCRAM_SHA_256
    // 'y': we could bind but the server did not offer -PLUS; a server that did
    // offer it will then detect a downgrade by a man in the middle (RFC 5802 §6).
    gs2Header = canBind ? GS2_CLIENT_SUPPORTS : GS2_NO_BINDING
  }

  const clientNonce = options.clientNonce ?? base64Encode(globalThis.crypto.getRandomValues(new Uint8Array(RAW_NONCE_LENGTH)))
  if (!isPrintableNonce(clientNonce)) throw new AuthError('SASL: client nonce must be printable ASCII without commas')
  const clientFirstBare = `n=${escapeSaslName(options.username ?? '')},r=${clientNonce}`
  const gs2 = utf8Encode(gs2Header)
  const cbindInput = mechanism === SCRAM_SHA_256_PLUS ? concatBytes(gs2, endpointHash!) : gs2

  const session: MutableSession = { mechanism, channelBound: mechanism === SCRAM_SHA_256_PLUS, completed: false }
  states.set(session, { stage: 'started', password: prepPassword(options.password), clientNonce, clientFirstBare, cbindInput })
  return { mechanism, initialResponse: utf8Encode(gs2Header + clientFirstBare), session }
}

/** Why channel_binding=require cannot be met, in the order the causes matter. */
function channelBindingRefusal(options: StartScramOptions, offered: string): AuthError {
  const tls = options.tls ?? options.endpointHash !== undefined
  if (!tls) return new AuthError(`channel binding required, but the connection does not use TLS (${SCRAM_SHA_256_PLUS} needs it)`)
  if (!options.mechanisms.includes(SCRAM_SHA_256_PLUS))
    return new AuthError(`channel binding required, but server did not offer ${SCRAM_SHA_256_PLUS} (offered: ${offered})`)
  return new AuthError(
    `channel binding required, but no hash of the server certificate is available for ${SCRAM_SHA_256_PLUS} (tls-server-end-point)`,
  )
}

/**
 * Handle server-first-message (AuthenticationSASLContinue) and return the
 * client-final-message with the proof. Checks the nonce extends ours and the
 * iteration count is an integer in [1, maxIterations].
 */
export async function continueScram(session: ScramSession, serverFirst: Uint8Array, options: { maxIterations: number }): Promise<Uint8Array> {
  const state = stateOf(session)
  if (state.stage !== 'started') throw fail(state, `${FIRST}unexpected message in state ${state.stage}`)
  const message = decodeMessage(state, serverFirst, FIRST)
  const { nonce, salt, iterations } = parseServerFirst(state, message, options.maxIterations)

  const password = state.password
  state.password = ''
  const saltedPassword = await pbkdf2Sha256(utf8Encode(password), salt, iterations)
  const clientKey = await hmacSha256(saltedPassword, utf8Encode('Client Key'))
  const storedKey = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', clientKey))
  const serverKey = await hmacSha256(saltedPassword, utf8Encode('Server Key'))

  const clientFinalWithoutProof = `c=${base64Encode(state.cbindInput)},r=${nonce}`
  const authMessage = utf8Encode(`${state.clientFirstBare},${message},${clientFinalWithoutProof}`)
  const clientSignature = await hmacSha256(storedKey, authMessage)
  const proof = xorBytes(clientKey, clientSignature)
  state.serverSignature = await hmacSha256(serverKey, authMessage)
  state.stage = 'continued'
  return utf8Encode(`${clientFinalWithoutProof},p=${base64Encode(proof)}`)
}

/**
 * Handle server-final-message (AuthenticationSASLFinal): `e=` is a server
 * error; otherwise `v=` must equal the expected server signature (compared in
 * constant time). Marks the session completed.
 */
export async function finishScram(session: ScramSession, serverFinal: Uint8Array): Promise<void> {
  const state = stateOf(session)
  if (state.stage !== 'continued') throw fail(state, `${FINAL}unexpected message in state ${state.stage}`)
  const message = decodeMessage(state, serverFinal, FINAL)
  if (message.startsWith('e=')) throw fail(state, `${FINAL}server reported an error: ${message.slice(2)}`)
  if (!message.startsWith('v=')) throw fail(state, `${FINAL}server signature is missing`)
  const value = message.slice(2)
  if (value.includes(',')) throw fail(state, `${FINAL}garbage at end of message`)
  const signature = base64Decode(value)
  if (signature === undefined) throw fail(state, `${FINAL}server signature must be base64`)
  if (signature.length !== KEY_LENGTH || !constantTimeEqual(signature, state.serverSignature!))
    throw fail(state, `${FINAL}server signature mismatch`)
  state.stage = 'completed'
  ;(session as MutableSession).completed = true
}

/** Throw unless the server proved it knows the password (its signature was verified). */
export function assertScramCompleted(session: ScramSession): void {
  if (!session.completed) throw new AuthError('server sent AuthenticationOk before completing SCRAM (no server signature)')
}

function stateOf(session: ScramSession): SessionState {
  const state = states.get(session)
  if (!state) throw new AuthError('SASL: not a session created by startScram')
  return state
}

/** Errors are final: a failed session cannot be continued. */
function fail(state: SessionState, message: string): AuthError {
  state.stage = 'failed'
  state.password = ''
  return new AuthError(message)
}

function decodeMessage(state: SessionState, bytes: Uint8Array, prefix: string): string {
  try {
    return utf8Decode(bytes)
  } catch (error) {
    throw fail(state, `${prefix}message is not valid UTF-8`)
  }
}

/**
 * server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
 * (RFC 5802 §7). Like libpq, attributes must come in this order, m= is refused
 * and nothing may follow i=.
 */
function parseServerFirst(state: SessionState, message: string, maxIterations: number) {
  const parts = message.split(',')
  if (parts[0]?.startsWith('m=')) throw fail(state, `${FIRST}unsupported mandatory extension`)
  const nonce = attribute(state, parts[0], 'r', 'nonce')
  const saltText = attribute(state, parts[1], 's', 'salt')
  const iterationText = attribute(state, parts[2], 'i', 'iteration count')
  if (parts.length > 3) throw fail(state, `${FIRST}garbage at end of message`)

  if (!isPrintableNonce(nonce)) throw fail(state, `${FIRST}nonce must only contain printable characters`)
  if (!nonce.startsWith(state.clientNonce)) throw fail(state, `${FIRST}server nonce does not start with client nonce`)
  if (nonce.length <= state.clientNonce.length) throw fail(state, `${FIRST}server nonce is too short`)

  const salt = base64Decode(saltText)
  if (salt === undefined || salt.length === 0) throw fail(state, `${FIRST}salt must be non-empty base64`)

  if (!/^[0-9]+$/.test(iterationText)) throw fail(state, `${FIRST}invalid iteration count: ${JSON.stringify(iterationText)}`)
  const iterations = Number(iterationText)
  if (iterations < 1) throw fail(state, `${FIRST}iteration count must be at least 1`)
  if (iterations > maxIterations)
    throw fail(state, `${FIRST}iteration count ${iterationText} exceeds the maximum ${maxIterations} (maxScramIterations)`)
  return { nonce, salt, iterations }
}

function attribute(state: SessionState, part: string | undefined, name: string, what: string): string {
  if (part === undefined || !part.startsWith(`${name}=`)) throw fail(state, `${FIRST}${what} missing (expected "${name}=")`)
  return part.slice(2)
}

/** printable = %x21-2B / %x2D-7E (RFC 5802 §7): visible ASCII except ','. */
function isPrintableNonce(nonce: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)
}

/** saslname escaping (RFC 5802 §5.1): '=' → '=3D', ',' → '=2C'. */
function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C')
}

/**
 * SASLprep (RFC 4013) the password. libpq uses the raw password when it is
 * not valid for SASLprep (prohibited or unassigned characters), and so do we,
 * so such passwords still match what the server stored.
 */
function prepPassword(password: string): string {
  try {
    return saslprep(password)
  } catch {
    return password
  }
}

async function pbkdf2Sha256(password: BufferSource, salt: BufferSource, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = await globalThis.crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits'])
  const bits = await globalThis.crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, KEY_LENGTH * 8)
  return new Uint8Array(bits)
}

async function hmacSha256(keyBytes: BufferSource, data: BufferSource): Promise<Uint8Array<ArrayBuffer>> {
  const key = await globalThis.crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, data))
}
