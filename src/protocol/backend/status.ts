/**
 * Session and command status messages: ParameterStatus, BackendKeyData,
 * NegotiateProtocolVersion, ReadyForQuery, CommandComplete, NotificationResponse
 * (protocol docs 55.7).
 */
import type { BackendMessage } from '../messages.js'
import { TransactionStatus } from '../codes.js'
import { BodyCursor, malformed } from './cursor.js'

type Msg<T extends BackendMessage['type']> = Extract<BackendMessage, { type: T }>

/** ParameterStatus: a run-time parameter's name and current value. */
export function decodeParameterStatus(body: Uint8Array): Msg<'ParameterStatus'> {
  const c = new BodyCursor(body, 0, body.length, 'ParameterStatus')
  const name = c.cstring('parameter name')
  const value = c.cstring('parameter value')
  c.done()
  return { type: 'ParameterStatus', name, value }
}

/** Longest cancel key a server may send (protocol 3.2, PostgreSQL 18: "up to 256 bytes"). */
export const MAX_CANCEL_KEY_BYTES = 256

/**
 * BackendKeyData: process id and secret key for CancelRequest. The key is
 * the rest of the message: 4 bytes in protocol 3.0, 4 to 256 in 3.2
 * (PostgreSQL 18 sends 32); the startup checks it against the version.
 */
export function decodeBackendKeyData(body: Uint8Array): Msg<'BackendKeyData'> {
  const c = new BodyCursor(body, 0, body.length, 'BackendKeyData')
  const processId = c.int32('process id')
  const length = c.remaining
  if (length < 4 || length > MAX_CANCEL_KEY_BYTES)
    throw malformed('BackendKeyData', `expected a secret key of 4 to ${MAX_CANCEL_KEY_BYTES} bytes, found ${length}`)
  // A copy (a Buffer's slice() would be a view): the key is kept for the whole session.
  const secretKey = new Uint8Array(c.rest())
  c.done()
  return { type: 'BackendKeyData', processId, secretKey }
}

/** NegotiateProtocolVersion: newest minor version supported, then the startup options it did not recognise. */
export function decodeNegotiateProtocolVersion(body: Uint8Array): Msg<'NegotiateProtocolVersion'> {
  const c = new BodyCursor(body, 0, body.length, 'NegotiateProtocolVersion')
  const newestMinorVersion = c.int32('newest minor version')
  const count = c.int32('option count')
  if (count < 0) throw malformed('NegotiateProtocolVersion', `expected a non-negative option count, found ${count}`)
  c.checkCount(count, 1, 'option')
  const unrecognizedOptions: string[] = []
  for (let i = 0; i < count; i++) unrecognizedOptions.push(c.cstring('option name'))
  c.done()
  return { type: 'NegotiateProtocolVersion', newestMinorVersion, unrecognizedOptions }
}

const READY_IDLE: Msg<'ReadyForQuery'> = Object.freeze({ type: 'ReadyForQuery', status: 'I' })
const READY_IN_TRANSACTION: Msg<'ReadyForQuery'> = Object.freeze({ type: 'ReadyForQuery', status: 'T' })
const READY_FAILED: Msg<'ReadyForQuery'> = Object.freeze({ type: 'ReadyForQuery', status: 'E' })

/** ReadyForQuery: one status byte, 'I' idle, 'T' in a transaction, 'E' in a failed transaction. */
export function decodeReadyForQuery(body: Uint8Array): Msg<'ReadyForQuery'> {
  return decodeReadyForQueryRange(body, 0, body.length)
}

/** ReadyForQuery over bytes[start, end) (no body view; MessageReader's path). */
export function decodeReadyForQueryRange(bytes: Uint8Array, start: number, end: number): Msg<'ReadyForQuery'> {
  if (end - start !== 1) throw malformed('ReadyForQuery', `expected a 1-byte body, found ${end - start} bytes`)
  const status = bytes[start]
  switch (status) {
    case TransactionStatus.Idle:
      return READY_IDLE
    case TransactionStatus.InTransaction:
      return READY_IN_TRANSACTION
    case TransactionStatus.Failed:
      return READY_FAILED
    default:
      throw malformed('ReadyForQuery', `expected transaction status 'I', 'T' or 'E', found byte 0x${status.toString(16).padStart(2, '0')}`)
  }
}

/** CommandComplete: the command tag, e.g. "INSERT 0 1" or "SELECT 5". */
export function decodeCommandComplete(body: Uint8Array): Msg<'CommandComplete'> {
  return decodeCommandCompleteRange(body, 0, body.length)
}

/** CommandComplete over bytes[start, end) (no body view; MessageReader's path). */
export function decodeCommandCompleteRange(bytes: Uint8Array, start: number, end: number): Msg<'CommandComplete'> {
  const c = new BodyCursor(bytes, start, end, 'CommandComplete')
  const tag = c.cstring('command tag')
  c.done()
  return { type: 'CommandComplete', tag }
}

/** NotificationResponse: sender's process id, channel and payload (LISTEN/NOTIFY). */
export function decodeNotificationResponse(body: Uint8Array): Msg<'NotificationResponse'> {
  const c = new BodyCursor(body, 0, body.length, 'NotificationResponse')
  const processId = c.int32('process id')
  const channel = c.cstring('channel name')
  const payload = c.cstring('payload')
  c.done()
  return { type: 'NotificationResponse', processId, channel, payload }
}
