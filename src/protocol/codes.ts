/**
 * Message type bytes and field letters of protocol 3.0 (protocol docs 55.7 and
 * 55.8), as named constants so no `switch` ever compares against a bare char code.
 */

/** Type byte of each backend (server → client) message. */
export const BackendCode = {
  Authentication: 0x52, // 'R'
  ParameterStatus: 0x53, // 'S'
  BackendKeyData: 0x4b, // 'K'
  NegotiateProtocolVersion: 0x76, // 'v'
  RowDescription: 0x54, // 'T'
  DataRow: 0x44, // 'D'
  CommandComplete: 0x43, // 'C'
  EmptyQueryResponse: 0x49, // 'I'
  ReadyForQuery: 0x5a, // 'Z'
  ParseComplete: 0x31, // '1'
  BindComplete: 0x32, // '2'
  CloseComplete: 0x33, // '3'
  NoData: 0x6e, // 'n'
  ParameterDescription: 0x74, // 't'
  PortalSuspended: 0x73, // 's'
  CopyInResponse: 0x47, // 'G'
  CopyOutResponse: 0x48, // 'H'
  CopyBothResponse: 0x57, // 'W'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  NotificationResponse: 0x41, // 'A'
  ErrorResponse: 0x45, // 'E'
  NoticeResponse: 0x4e, // 'N'
} as const

/** Type byte of each typed frontend (client → server) message. */
export const FrontendCode = {
  /** PasswordMessage, SASLInitialResponse and SASLResponse all share 'p'. */
  Password: 0x70, // 'p'
  Query: 0x51, // 'Q'
  Parse: 0x50, // 'P'
  Bind: 0x42, // 'B'
  Describe: 0x44, // 'D'
  Execute: 0x45, // 'E'
  Close: 0x43, // 'C'
  Sync: 0x53, // 'S'
  Flush: 0x48, // 'H'
  Terminate: 0x58, // 'X'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyFail: 0x66, // 'f'
} as const

/** Request codes sent in place of a protocol version in untyped startup-phase packets. */
export const RequestCode = {
  /** Protocol 3.0: major 3 in the high 16 bits, minor 0 in the low. */
  ProtocolVersion3: 196608,
  CancelRequest: 80877102,
  SSLRequest: 80877103,
  GSSENCRequest: 80877104,
} as const

/** Int32 subtype that follows an Authentication ('R') message's length. */
export const AuthCode = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const

/** Field type letters of ErrorResponse / NoticeResponse (protocol docs 55.8). */
export const ErrorField = {
  Severity: 0x53, // 'S'
  SeverityNonLocalized: 0x56, // 'V'
  Code: 0x43, // 'C'
  Message: 0x4d, // 'M'
  Detail: 0x44, // 'D'
  Hint: 0x48, // 'H'
  Position: 0x50, // 'P'
  InternalPosition: 0x70, // 'p'
  InternalQuery: 0x71, // 'q'
  Where: 0x57, // 'W'
  Schema: 0x73, // 's'
  Table: 0x74, // 't'
  Column: 0x63, // 'c'
  DataType: 0x64, // 'd'
  Constraint: 0x6e, // 'n'
  File: 0x46, // 'F'
  Line: 0x4c, // 'L'
  Routine: 0x52, // 'R'
} as const

/** Transaction status byte of ReadyForQuery. */
export const TransactionStatus = {
  Idle: 0x49, // 'I'
  InTransaction: 0x54, // 'T'
  Failed: 0x45, // 'E'
} as const

/** Printable form of a type byte for error messages: `'D' (0x44)`. */
export function describeCode(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`
  return code >= 0x20 && code < 0x7f ? `'${String.fromCharCode(code)}' (${hex})` : hex
}
