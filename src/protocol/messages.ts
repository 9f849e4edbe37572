/**
 * Backend (server → client) messages of protocol 3.0 as a discriminated union
 * (protocol docs 55.7, "Message Formats"). Byte payloads are Uint8Array views
 * into the reader's buffer where possible: copy them if you keep them after the
 * next feed().
 */
import type { ServerErrorFields } from '../errors.js'

/** Column description from RowDescription. */
export interface FieldDescription {
  name: string
  tableOid: number
  columnAttr: number
  dataTypeOid: number
  dataTypeSize: number
  dataTypeModifier: number
  /** 0 text, 1 binary. */
  format: number
}

export type AuthenticationMessage =
  | { type: 'AuthenticationOk' }
  | { type: 'AuthenticationKerberosV5' }
  | { type: 'AuthenticationCleartextPassword' }
  | { type: 'AuthenticationMD5Password'; salt: Uint8Array }
  | { type: 'AuthenticationGSS' }
  | { type: 'AuthenticationGSSContinue'; data: Uint8Array }
  | { type: 'AuthenticationSSPI' }
  | { type: 'AuthenticationSASL'; mechanisms: string[] }
  | { type: 'AuthenticationSASLContinue'; data: Uint8Array }
  | { type: 'AuthenticationSASLFinal'; data: Uint8Array }

export type BackendMessage =
  | AuthenticationMessage
  | { type: 'ParameterStatus'; name: string; value: string }
  | { type: 'BackendKeyData'; processId: number; secretKey: Uint8Array }
  | { type: 'NegotiateProtocolVersion'; newestMinorVersion: number; unrecognizedOptions: string[] }
  | { type: 'RowDescription'; fields: FieldDescription[] }
  /**
   * The row's body is bytes[start, end): Int16 column count, then per column an
   * Int32 length (-1 = NULL) and the value. Checked when decoded (lengths fit,
   * nothing left over); rows are built from it in place, with no view or array
   * per row (`dataRowValues` makes views for code that wants them).
   * MessageReader hands out ONE DataRow object and overwrites it on its next
   * next() (no object per row, issue 14): keep a copy (`{ ...row }`), not the
   * message, to hold a row longer; the bytes themselves are never overwritten.
   */
  | { type: 'DataRow'; bytes: Uint8Array; start: number; end: number }
  | { type: 'CommandComplete'; tag: string }
  | { type: 'EmptyQueryResponse' }
  /** status: 'I' idle, 'T' in transaction, 'E' failed transaction. */
  | { type: 'ReadyForQuery'; status: 'I' | 'T' | 'E' }
  | { type: 'ParseComplete' }
  | { type: 'BindComplete' }
  | { type: 'CloseComplete' }
  | { type: 'NoData' }
  | { type: 'ParameterDescription'; dataTypeOids: number[] }
  | { type: 'PortalSuspended' }
  | { type: 'CopyInResponse'; format: number; columnFormats: number[] }
  | { type: 'CopyOutResponse'; format: number; columnFormats: number[] }
  | { type: 'CopyBothResponse'; format: number; columnFormats: number[] }
  | { type: 'CopyData'; data: Uint8Array }
  | { type: 'CopyDone' }
  | { type: 'NotificationResponse'; processId: number; channel: string; payload: string }
  | { type: 'ErrorResponse'; fields: ServerErrorFields }
  | { type: 'NoticeResponse'; fields: ServerErrorFields }

export type BackendMessageType = BackendMessage['type']

/** Parameter/result format code: 0 text, 1 binary. */
export type FormatCode = 0 | 1

/** Arguments of Bind (protocol 55.7, "Bind"). */
export interface BindArgs {
  portal?: string
  statement?: string
  /** One code for all parameters, or one per parameter; empty means all text. */
  paramFormats?: FormatCode[]
  /** null is SQL NULL; a string is sent as UTF-8. */
  params: (Uint8Array | string | null)[]
  /** One code for all columns, or one per column; empty means all text. */
  resultFormats?: FormatCode[]
}
