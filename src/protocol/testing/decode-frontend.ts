/**
 * Test-only: decode frontend messages (what a client sends), for encode→decode
 * round trips and for fake servers in tests. Not exported from the package.
 */
import type { FormatCode } from '../messages.js'
import { FrontendCode, RequestCode, describeCode } from '../codes.js'
import { BodyCursor, malformed } from '../backend/cursor.js'

export type FrontendMessage =
  | { type: 'StartupMessage'; version: number; params: Record<string, string> }
  | { type: 'SSLRequest' }
  | { type: 'GSSENCRequest' }
  | { type: 'CancelRequest'; processId: number; secretKey: Uint8Array }
  | { type: 'PasswordMessage'; password: string }
  | { type: 'SASLInitialResponse'; mechanism: string; data: Uint8Array | null }
  | { type: 'SASLResponse'; data: Uint8Array }
  | { type: 'Query'; sql: string }
  | { type: 'Parse'; name: string; sql: string; paramOids: number[] }
  | {
      type: 'Bind'
      portal: string
      statement: string
      paramFormats: FormatCode[]
      params: (Uint8Array | null)[]
      resultFormats: FormatCode[]
    }
  | { type: 'Describe'; kind: 'S' | 'P'; name: string }
  | { type: 'Execute'; portal: string; maxRows: number }
  | { type: 'Close'; kind: 'S' | 'P'; name: string }
  | { type: 'Sync' }
  | { type: 'Flush' }
  | { type: 'Terminate' }
  | { type: 'CopyData'; data: Uint8Array }
  | { type: 'CopyDone' }
  | { type: 'CopyFail'; message: string }

/** 'p' messages cannot be told apart without knowing the auth exchange; the caller says which. */
export type PasswordKind = 'password' | 'sasl-initial' | 'sasl'

export interface DecodeFrontendOptions {
  passwordKind?: PasswordKind
}

function formats(c: BodyCursor, what: string): FormatCode[] {
  const n = c.uint16(`${what} count`)
  const out: FormatCode[] = []
  for (let i = 0; i < n; i++) out.push(c.int16(what) as FormatCode)
  return out
}

function kind(c: BodyCursor): 'S' | 'P' {
  const k = String.fromCharCode(c.uint8('kind'))
  if (k !== 'S' && k !== 'P') throw malformed(c.message, `expected kind 'S' or 'P', found '${k}'`)
  return k
}

/** Decode an untyped startup-phase packet (its first byte is the length's high byte, 0). */
function decodeUntyped(bytes: Uint8Array, end: number): FrontendMessage {
  const c = new BodyCursor(bytes, 4, end, 'startup packet')
  const code = c.int32('protocol version or request code')
  let msg: FrontendMessage
  switch (code) {
    case RequestCode.SSLRequest:
      msg = { type: 'SSLRequest' }
      break
    case RequestCode.GSSENCRequest:
      msg = { type: 'GSSENCRequest' }
      break
    case RequestCode.CancelRequest:
      msg = { type: 'CancelRequest', processId: c.int32('process id'), secretKey: c.rest().slice() }
      break
    default: {
      const params: Record<string, string> = Object.create(null)
      for (;;) {
        const name = c.cstring('parameter name')
        if (name === '') break
        params[name] = c.cstring('parameter value')
      }
      msg = { type: 'StartupMessage', version: code, params: { ...params } }
    }
  }
  c.done()
  return msg
}

function decodeTyped(code: number, c: BodyCursor, passwordKind: PasswordKind): FrontendMessage {
  switch (code) {
    case FrontendCode.Password:
      if (passwordKind === 'password') return { type: 'PasswordMessage', password: c.cstring('password') }
      if (passwordKind === 'sasl') return { type: 'SASLResponse', data: c.rest() }
      {
        const mechanism = c.cstring('mechanism')
        const length = c.int32('data length')
        return { type: 'SASLInitialResponse', mechanism, data: length === -1 ? null : c.bytesView(length, 'data') }
      }
    case FrontendCode.Query:
      return { type: 'Query', sql: c.cstring('query') }
    case FrontendCode.Parse: {
      const name = c.cstring('statement name')
      const sql = c.cstring('query')
      const n = c.uint16('parameter type count')
      const paramOids: number[] = []
      for (let i = 0; i < n; i++) paramOids.push(c.uint32('parameter type'))
      return { type: 'Parse', name, sql, paramOids }
    }
    case FrontendCode.Bind: {
      const portal = c.cstring('portal')
      const statement = c.cstring('statement')
      const paramFormats = formats(c, 'parameter format')
      const n = c.uint16('parameter count')
      const params: (Uint8Array | null)[] = []
      for (let i = 0; i < n; i++) {
        const length = c.int32('parameter length')
        params.push(length === -1 ? null : c.bytesView(length, 'parameter value'))
      }
      const resultFormats = formats(c, 'result format')
      return { type: 'Bind', portal, statement, paramFormats, params, resultFormats }
    }
    case FrontendCode.Describe:
      return { type: 'Describe', kind: kind(c), name: c.cstring('name') }
    case FrontendCode.Execute:
      return { type: 'Execute', portal: c.cstring('portal'), maxRows: c.int32('max rows') }
    case FrontendCode.Close:
      return { type: 'Close', kind: kind(c), name: c.cstring('name') }
    case FrontendCode.Sync:
      return { type: 'Sync' }
    case FrontendCode.Flush:
      return { type: 'Flush' }
    case FrontendCode.Terminate:
      return { type: 'Terminate' }
    case FrontendCode.CopyData:
      return { type: 'CopyData', data: c.rest() }
    case FrontendCode.CopyDone:
      return { type: 'CopyDone' }
    case FrontendCode.CopyFail:
      return { type: 'CopyFail', message: c.cstring('message') }
    default:
      throw malformed('frontend', `unknown frontend message type ${describeCode(code)}`)
  }
}

function readInt32(b: Uint8Array, p: number): number {
  return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]
}

/**
 * Decode every frontend message in `bytes` (which must hold whole messages).
 * A message starting with byte 0 is an untyped startup-phase packet.
 */
export function decodeFrontendMessages(bytes: Uint8Array, options: DecodeFrontendOptions = {}): FrontendMessage[] {
  const out: FrontendMessage[] = []
  let p = 0
  while (p < bytes.length) {
    if (bytes[p] === 0) {
      if (bytes.length - p < 8) throw malformed('startup packet', `expected at least 8 bytes, found ${bytes.length - p}`)
      const length = readInt32(bytes, p)
      if (length < 8 || p + length > bytes.length) throw malformed('startup packet', `bad length ${length}`)
      out.push(decodeUntyped(bytes.subarray(p, p + length), length))
      p += length
      continue
    }
    if (bytes.length - p < 5) throw malformed('frontend', `expected a 5-byte header, found ${bytes.length - p} bytes`)
    const code = bytes[p]
    const length = readInt32(bytes, p + 1)
    if (length < 4 || p + 1 + length > bytes.length) throw malformed('frontend', `bad length ${length}`)
    const c = new BodyCursor(bytes, p + 5, p + 1 + length, describeCode(code))
    out.push(decodeTyped(code, c, options.passwordKind ?? 'password'))
    c.done()
    p += 1 + length
  }
  return out
}

/** Decode exactly one frontend message. */
export function decodeFrontendMessage(bytes: Uint8Array, options: DecodeFrontendOptions = {}): FrontendMessage {
  const messages = decodeFrontendMessages(bytes, options)
  if (messages.length !== 1) throw new Error(`expected one frontend message, found ${messages.length}`)
  return messages[0]
}
