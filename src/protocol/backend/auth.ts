/** Authentication ('R') messages (protocol docs 55.7, "AuthenticationOk" and following). */
import type { AuthenticationMessage } from '../messages.js'
import { AuthCode } from '../codes.js'
import { BodyCursor, malformed } from './cursor.js'

const OK: AuthenticationMessage = Object.freeze({ type: 'AuthenticationOk' })
const KERBEROS_V5: AuthenticationMessage = Object.freeze({ type: 'AuthenticationKerberosV5' })
const CLEARTEXT: AuthenticationMessage = Object.freeze({ type: 'AuthenticationCleartextPassword' })
const GSS: AuthenticationMessage = Object.freeze({ type: 'AuthenticationGSS' })
const SSPI: AuthenticationMessage = Object.freeze({ type: 'AuthenticationSSPI' })

/**
 * Decode an Authentication message body: Int32 subtype, then its data. An
 * unknown subtype is a ProtocolError (libpq also refuses to continue).
 */
export function decodeAuthentication(body: Uint8Array): AuthenticationMessage {
  const c = new BodyCursor(body, 0, body.length, 'Authentication')
  const code = c.int32('authentication code')
  let message: AuthenticationMessage
  switch (code) {
    case AuthCode.Ok:
      message = OK
      break
    case AuthCode.KerberosV5:
      message = KERBEROS_V5
      break
    case AuthCode.CleartextPassword:
      message = CLEARTEXT
      break
    case AuthCode.MD5Password:
      message = { type: 'AuthenticationMD5Password', salt: c.bytesView(4, 'MD5 salt') }
      break
    case AuthCode.GSS:
      message = GSS
      break
    case AuthCode.GSSContinue:
      message = { type: 'AuthenticationGSSContinue', data: c.rest() }
      break
    case AuthCode.SSPI:
      message = SSPI
      break
    case AuthCode.SASL:
      message = { type: 'AuthenticationSASL', mechanisms: decodeMechanisms(c) }
      break
    case AuthCode.SASLContinue:
      message = { type: 'AuthenticationSASLContinue', data: c.rest() }
      break
    case AuthCode.SASLFinal:
      message = { type: 'AuthenticationSASLFinal', data: c.rest() }
      break
    default:
      throw malformed('Authentication', `expected a known authentication code (0, 2, 3, 5, 7-12), found ${code}`)
  }
  c.done()
  return message
}

/** AuthenticationSASL: mechanism names as Strings, ended by an empty String. */
function decodeMechanisms(c: BodyCursor): string[] {
  const mechanisms: string[] = []
  for (;;) {
    const name = c.cstring('SASL mechanism name')
    if (name === '') return mechanisms
    mechanisms.push(name)
  }
}
