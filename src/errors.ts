/**
 * Every error pgfleet raises. Each has a stable `code` (a pgfleet code for
 * client-side errors, listed in src/error-codes.ts; the SQLSTATE for server
 * errors), an optional `cause`, and `safeToRetry`: true only when nothing
 * reached the server, so the same request can be sent again without risk of
 * running twice (pgx's SafeToRetry).
 * No message ever contains a password.
 */
import { defaultSafeToRetry, ErrorCode, type ErrorCodeOf } from './error-codes.js'

export { ErrorCode } from './error-codes.js'

/** Base class of all pgfleet errors. */
export class PgfleetError extends Error {
  /** Stable machine-readable code. */
  readonly code: string
  /** True when the request never reached the server and may be retried as is. */
  readonly safeToRetry: boolean
  /**
   * `code` is an `ErrorCode` of class PgfleetError, or PgError's SQLSTATE
   * (hence `string` here; the subclasses take only their own codes).
   * `safeToRetry` defaults to the code's registry entry (false for a SQLSTATE).
   */
  constructor(message: string, code: string, options: { cause?: unknown; safeToRetry?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.safeToRetry = options.safeToRetry ?? defaultSafeToRetry(code)
  }
}

/** Fields of an ErrorResponse / NoticeResponse (protocol 55.8, "Error and Notice Message Fields"). */
export interface ServerErrorFields {
  severity: string
  /** Non-localized severity (field V), PostgreSQL 9.6+. */
  severityNonLocalized?: string
  code: string
  message: string
  detail?: string
  hint?: string
  /** 1-based character index into the query string. */
  position?: number
  internalPosition?: number
  internalQuery?: string
  where?: string
  schema?: string
  table?: string
  column?: string
  dataType?: string
  constraint?: string
  file?: string
  line?: string
  routine?: string
}

/** SQLSTATE of a statement stopped by a CancelRequest (or statement_timeout). */
export const QUERY_CANCELED = '57014'

/** FATAL and PANIC errors end the session (protocol docs 55.8, severity). */
export function isFatalSeverity(fields: Pick<ServerErrorFields, 'severity' | 'severityNonLocalized'>): boolean {
  const severity = fields.severityNonLocalized ?? fields.severity
  return severity === 'FATAL' || severity === 'PANIC'
}

/** An ErrorResponse from the server. `code` is the SQLSTATE. */
export class PgError extends PgfleetError implements ServerErrorFields {
  readonly severity: string
  readonly severityNonLocalized?: string
  readonly detail?: string
  readonly hint?: string
  readonly position?: number
  readonly internalPosition?: number
  readonly internalQuery?: string
  readonly where?: string
  readonly schema?: string
  readonly table?: string
  readonly column?: string
  readonly dataType?: string
  readonly constraint?: string
  readonly file?: string
  readonly line?: string
  readonly routine?: string
  /** The SQL text that failed, when known. */
  query?: string
  constructor(fields: ServerErrorFields) {
    super(fields.message, fields.code)
    this.severity = fields.severity
    this.severityNonLocalized = fields.severityNonLocalized
    this.detail = fields.detail
    this.hint = fields.hint
    this.position = fields.position
    this.internalPosition = fields.internalPosition
    this.internalQuery = fields.internalQuery
    this.where = fields.where
    this.schema = fields.schema
    this.table = fields.table
    this.column = fields.column
    this.dataType = fields.dataType
    this.constraint = fields.constraint
    this.file = fields.file
    this.line = fields.line
    this.routine = fields.routine
  }
}

/** Network-level failure: refused, unreachable, timed out, socket closed. */
export class ConnectionError extends PgfleetError {
  declare readonly code: ErrorCodeOf<'ConnectionError'>
  /** host:port the error concerns, when known. */
  readonly address?: string
  constructor(message: string, options: { code?: ErrorCodeOf<'ConnectionError'>; cause?: unknown; safeToRetry?: boolean; address?: string } = {}) {
    super(message, options.code ?? ErrorCode.Connection, options)
    this.address = options.address
  }
}

/** Authentication failed on the client side (bad SCRAM exchange, require_auth refused, ...). */
export class AuthError extends PgfleetError {
  declare readonly code: ErrorCodeOf<'AuthError'>
  constructor(message: string, options: { code?: ErrorCodeOf<'AuthError'>; cause?: unknown } = {}) {
    super(message, options.code ?? ErrorCode.Auth, options)
  }
}

/** TLS negotiation or certificate verification failed. */
export class TlsError extends PgfleetError {
  declare readonly code: ErrorCodeOf<'TlsError'>
  constructor(message: string, options: { code?: ErrorCodeOf<'TlsError'>; cause?: unknown; safeToRetry?: boolean } = {}) {
    super(message, options.code ?? ErrorCode.Tls, options)
  }
}

/** The server sent bytes that break the v3 protocol. */
export class ProtocolError extends PgfleetError {
  declare readonly code: ErrorCodeOf<'ProtocolError'>
  constructor(message: string, options: { code?: ErrorCodeOf<'ProtocolError'>; cause?: unknown } = {}) {
    super(message, options.code ?? ErrorCode.Protocol, options)
  }
}

/** A connection string, option or environment variable is unknown or malformed. */
export class ConfigError extends PgfleetError {
  /** The option at fault. */
  readonly option?: string
  constructor(message: string, options: { option?: string; cause?: unknown; code?: ErrorCodeOf<'ConfigError'> } = {}) {
    super(message, options.code ?? ErrorCode.Config, { cause: options.cause })
    this.option = options.option
  }
}

/** A pool could not hand out a connection within its acquire timeout. */
export class PoolTimeoutError extends PgfleetError {
  constructor(message: string) {
    super(message, ErrorCode.PoolTimeout)
  }
}

/**
 * The connection failed after COMMIT was sent and before its reply arrived:
 * the transaction may or may not have committed. Never retried automatically
 * (running it again could apply it twice); `cause` is the connection failure.
 */
export class TransactionOutcomeUnknownError extends PgfleetError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, ErrorCode.CommitUnknown, { cause: options.cause })
  }
}
