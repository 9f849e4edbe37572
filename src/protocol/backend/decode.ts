/** Dispatch from a backend message's type byte to its decoder. */
import { ErrorCode, ProtocolError } from '../../errors.js'
import type { BackendMessage } from '../messages.js'
import { BackendCode, describeCode } from '../codes.js'
import { decodeAuthentication } from './auth.js'
import { decodeCopyData, decodeCopyResponse } from './copy.js'
import { malformed } from './cursor.js'
import { decodeErrorResponse, decodeNoticeResponse } from './errors.js'
import { decodeDataRow, decodeParameterDescription, decodeRowDescription } from './rows.js'
import {
  decodeBackendKeyData,
  decodeCommandComplete,
  decodeNegotiateProtocolVersion,
  decodeNotificationResponse,
  decodeParameterStatus,
  decodeReadyForQuery,
} from './status.js'

/** Messages without a body are shared frozen singletons. */
const EMPTY_QUERY_RESPONSE: BackendMessage = Object.freeze({ type: 'EmptyQueryResponse' })
const PARSE_COMPLETE: BackendMessage = Object.freeze({ type: 'ParseComplete' })
const BIND_COMPLETE: BackendMessage = Object.freeze({ type: 'BindComplete' })
const CLOSE_COMPLETE: BackendMessage = Object.freeze({ type: 'CloseComplete' })
const NO_DATA: BackendMessage = Object.freeze({ type: 'NoData' })
const PORTAL_SUSPENDED: BackendMessage = Object.freeze({ type: 'PortalSuspended' })
const COPY_DONE: BackendMessage = Object.freeze({ type: 'CopyDone' })

function empty(message: BackendMessage, body: Uint8Array): BackendMessage {
  if (body.length !== 0) throw malformed(message.type, `expected an empty body, found ${body.length} bytes`)
  return message
}

/** Whether `code` is the type byte of a backend message this codec knows. */
export function isBackendCode(code: number): boolean {
  switch (code) {
    case BackendCode.Authentication:
    case BackendCode.ParameterStatus:
    case BackendCode.BackendKeyData:
    case BackendCode.NegotiateProtocolVersion:
    case BackendCode.RowDescription:
    case BackendCode.DataRow:
    case BackendCode.CommandComplete:
    case BackendCode.EmptyQueryResponse:
    case BackendCode.ReadyForQuery:
    case BackendCode.ParseComplete:
    case BackendCode.BindComplete:
    case BackendCode.CloseComplete:
    case BackendCode.NoData:
    case BackendCode.ParameterDescription:
    case BackendCode.PortalSuspended:
    case BackendCode.CopyInResponse:
    case BackendCode.CopyOutResponse:
    case BackendCode.CopyBothResponse:
    case BackendCode.CopyData:
    case BackendCode.CopyDone:
    case BackendCode.NotificationResponse:
    case BackendCode.ErrorResponse:
    case BackendCode.NoticeResponse:
      return true
    default:
      return false
  }
}

/** The ProtocolError for a type byte that no backend message has. */
export function unknownMessageError(code: number): ProtocolError {
  return new ProtocolError(`unknown backend message type ${describeCode(code)}`, { code: ErrorCode.ProtocolUnknownMessage })
}

/**
 * Decode one backend message from its type byte and body (the bytes after the
 * length). Byte payloads in the result are views into `body`.
 * Throws ProtocolError for an unknown type or a malformed body.
 */
export function decodeBackendMessage(code: number, body: Uint8Array): BackendMessage {
  switch (code) {
    case BackendCode.DataRow:
      return decodeDataRow(body)
    case BackendCode.RowDescription:
      return decodeRowDescription(body)
    case BackendCode.CommandComplete:
      return decodeCommandComplete(body)
    case BackendCode.ReadyForQuery:
      return decodeReadyForQuery(body)
    case BackendCode.ParseComplete:
      return empty(PARSE_COMPLETE, body)
    case BackendCode.BindComplete:
      return empty(BIND_COMPLETE, body)
    case BackendCode.CloseComplete:
      return empty(CLOSE_COMPLETE, body)
    case BackendCode.NoData:
      return empty(NO_DATA, body)
    case BackendCode.EmptyQueryResponse:
      return empty(EMPTY_QUERY_RESPONSE, body)
    case BackendCode.PortalSuspended:
      return empty(PORTAL_SUSPENDED, body)
    case BackendCode.ParameterDescription:
      return decodeParameterDescription(body)
    case BackendCode.ErrorResponse:
      return decodeErrorResponse(body)
    case BackendCode.NoticeResponse:
      return decodeNoticeResponse(body)
    case BackendCode.Authentication:
      return decodeAuthentication(body)
    case BackendCode.ParameterStatus:
      return decodeParameterStatus(body)
    case BackendCode.BackendKeyData:
      return decodeBackendKeyData(body)
    case BackendCode.NegotiateProtocolVersion:
      return decodeNegotiateProtocolVersion(body)
    case BackendCode.NotificationResponse:
      return decodeNotificationResponse(body)
    case BackendCode.CopyInResponse:
      return decodeCopyResponse('CopyInResponse', body)
    case BackendCode.CopyOutResponse:
      return decodeCopyResponse('CopyOutResponse', body)
    case BackendCode.CopyBothResponse:
      return decodeCopyResponse('CopyBothResponse', body)
    case BackendCode.CopyData:
      return decodeCopyData(body)
    case BackendCode.CopyDone:
      return empty(COPY_DONE, body)
    default:
      throw unknownMessageError(code)
  }
}
