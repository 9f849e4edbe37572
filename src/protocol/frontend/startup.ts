/**
 * Startup-phase frontend messages (protocol docs 55.2 and 55.7): the untyped
 * packets sent before or instead of a session (StartupMessage, SSLRequest,
 * GSSENCRequest, CancelRequest) and the authentication replies ('p').
 */
import { FrontendCode, RequestCode } from '../codes.js'
import { Writer } from '../writer.js'

/**
 * StartupMessage: Int32 length, Int32 protocol version, then name/value String
 * pairs ended by one NUL. Entries whose value is undefined are skipped, so a
 * config object can be passed as is.
 */
export function encodeStartup(
  params: Record<string, string | undefined>,
  version: number = RequestCode.ProtocolVersion3,
): Uint8Array {
  const w = new Writer(128)
  w.frame().int32(version)
  for (const name of Object.keys(params)) {
    const value = params[name]
    if (value === undefined) continue
    w.cstring(name).cstring(value)
  }
  return w.byte(0).finish()
}

/** An 8-byte untyped packet carrying only a request code. */
function requestPacket(code: number): Uint8Array {
  return new Writer(8, true).frame().int32(code).finish()
}

/** SSLRequest: ask the server to switch to TLS; it answers one byte, 'S' or 'N'. */
export const SSL_REQUEST: Uint8Array = requestPacket(RequestCode.SSLRequest)

/** GSSENCRequest: ask for GSSAPI encryption; the server answers 'G' or 'N'. */
export const GSSENC_REQUEST: Uint8Array = requestPacket(RequestCode.GSSENCRequest)

/**
 * CancelRequest, sent on a new connection: the key data from BackendKeyData
 * of the session to cancel, the key as long as the server sent it (4 bytes
 * in protocol 3.0, up to 256 in 3.2).
 */
export function encodeCancelRequest(processId: number, secretKey: Uint8Array): Uint8Array {
  return new Writer(12 + secretKey.length, true).frame().int32(RequestCode.CancelRequest).int32(processId).bytes(secretKey).finish()
}

/** The StartupMessage version word of protocol 3.<minor> (major in the high 16 bits). */
export function protocolVersionCode(minor: number): number {
  return (3 << 16) | minor
}

/** PasswordMessage: a cleartext or MD5-hashed password as a String. */
export function encodePassword(password: string): Uint8Array {
  return new Writer(password.length * 3 + 8, true).frame(FrontendCode.Password).cstring(password).finish()
}

/**
 * SASLInitialResponse: the chosen mechanism, then Int32 length and the client's
 * first message. (The protocol allows length -1 for "no data"; SCRAM always has data.)
 */
export function encodeSASLInitialResponse(mechanism: string, data: Uint8Array): Uint8Array {
  return new Writer(data.length + mechanism.length + 16, true)
    .frame(FrontendCode.Password)
    .cstring(mechanism)
    .sizedBytes(data)
    .finish()
}

/** SASLResponse: the mechanism's next message, the rest of the body. */
export function encodeSASLResponse(data: Uint8Array): Uint8Array {
  return new Writer(data.length + 8, true).frame(FrontendCode.Password).bytes(data).finish()
}
