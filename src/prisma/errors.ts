/**
 * pgfleet errors as Prisma's driver-adapter errors. Prisma recognises a
 * DriverAdapterError by shape (`name === 'DriverAdapterError'` and a `cause`
 * object with a `kind`) and turns the kind into its P-code: a unique
 * violation is P2002, a missing table P2021, an unreachable database P1001,
 * and so on. Server errors map by SQLSTATE exactly as @prisma/adapter-pg does
 * (its errors.ts); pgfleet's own client-side errors map by their code. The
 * error may come from another pgfleet bundle (a Pool made with `pgfleet`),
 * so nothing here relies on instanceof.
 */
import { ErrorCode } from '../errors.js'
import type { AdapterError, MappedError } from './types.js'

/** Prisma's DriverAdapterError, by shape. */
export class DriverAdapterError extends Error {
  override readonly name = 'DriverAdapterError'
  constructor(override readonly cause: AdapterError) {
    super(cause.kind === 'postgres' ? cause.message : (cause.originalMessage ?? cause.kind))
  }
}

interface ServerError {
  code: string
  message: string
  severity: string
  detail?: string
  column?: string
  hint?: string
  table?: string
  constraint?: string
}

const CONNECT_FAILURES: ReadonlySet<string> = new Set([
  ErrorCode.ConnectRefused,
  ErrorCode.ConnectUnreachable,
  ErrorCode.ConnectDns,
  ErrorCode.ConnectFailed,
  ErrorCode.ConnectTimeout,
  ErrorCode.NoHost,
])
const CLOSED: ReadonlySet<string> = new Set([
  ErrorCode.ConnectionLost,
  ErrorCode.ConnectionClosed,
  ErrorCode.Closed,
  ErrorCode.Destroyed,
  ErrorCode.NotReady,
  ErrorCode.PoolEnded,
  ErrorCode.CancelTimeout,
])

/** The DriverAdapterError for `error` (a PgError, a pgfleet client error, anything else). */
export function toAdapterError(error: unknown): DriverAdapterError | Error {
  if (error instanceof DriverAdapterError) return error
  const e = error as Partial<ServerError> & { name?: string; address?: string }
  if (isServerError(e)) return new DriverAdapterError({ originalCode: e.code, originalMessage: e.message, ...mapServerError(e) })
  const code = typeof e?.code === 'string' ? e.code : undefined
  const message = error instanceof Error ? error.message : String(error)
  const base = { originalCode: code, originalMessage: message }
  if (e?.name === 'TlsError') return new DriverAdapterError({ kind: 'TlsConnectionError', reason: message, ...base })
  if (code !== undefined && CONNECT_FAILURES.has(code)) return new DriverAdapterError({ kind: 'DatabaseNotReachable', ...addressOf(e.address), ...base })
  if (code === ErrorCode.QueryTimeout || code === ErrorCode.PoolTimeout) return new DriverAdapterError({ kind: 'SocketTimeout', ...base })
  if (code !== undefined && CLOSED.has(code)) return new DriverAdapterError({ kind: 'ConnectionClosed', ...base })
  if (e?.name === 'AuthError') return new DriverAdapterError({ kind: 'AuthenticationFailed', ...base })
  // Anything else (a TypeError from a parameter, a bug) reaches Prisma as it is, like adapter-pg.
  return error instanceof Error ? error : new Error(message)
}

function isServerError(e: Partial<ServerError> | null | undefined): e is ServerError {
  return (
    typeof e?.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(e.code) &&
    typeof e.message === 'string' &&
    typeof e.severity === 'string'
  )
}

function addressOf(address: string | undefined): { host?: string; port?: number } {
  if (!address) return {}
  const m = /^(.*):(\d+)$/.exec(address)
  return m ? { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) } : { host: address }
}

/** Key columns of a constraint error's detail: `Key (a, b)=(1, 2) already exists.` → ['a', 'b']. */
function keyFields(detail: string | undefined): string[] | undefined {
  return detail?.match(/Key \(([^)]+)\)/)?.[1]?.split(', ')
}

/** The quoted name in a message: `relation "users" does not exist` → users. */
function quoted(message: string): string | undefined {
  return /"((?:[^"]|"")*)"/.exec(message)?.[1]?.replaceAll('""', '"')
}

/** By SQLSTATE, as adapter-pg maps them (PostgreSQL docs, Appendix A). */
function mapServerError(error: ServerError): MappedError {
  switch (error.code) {
    case '22001':
      return { kind: 'LengthMismatch', column: error.column }
    case '22003':
      return { kind: 'ValueOutOfRange', cause: error.message }
    case '22P02':
      return { kind: 'InvalidInputValue', message: error.message }
    case '23505': {
      const fields = keyFields(error.detail)
      const constraint = error.constraint ? { index: error.constraint } : fields ? { fields } : undefined
      let table = error.table
      if (table === undefined && fields !== undefined && fields.length > 0) {
        const suffix = `_${fields.join('_')}_key`
        if (error.constraint?.endsWith(suffix)) table = error.constraint.slice(0, -suffix.length)
      }
      return { kind: 'UniqueConstraintViolation', constraint, table }
    }
    case '23502': {
      const fields = keyFields(error.detail)
      return { kind: 'NullConstraintViolation', constraint: fields ? { fields } : undefined }
    }
    case '23503':
      return { kind: 'ForeignKeyConstraintViolation', constraint: constraintOf(error) }
    case '23001':
      return { kind: 'RestrictViolation', constraint: constraintOf(error) }
    case '3D000':
      return { kind: 'DatabaseDoesNotExist', db: quoted(error.message) }
    case '28000':
      return { kind: 'DatabaseAccessDenied', db: /database "((?:[^"]|"")*)"/.exec(error.message)?.[1] }
    case '28P01':
      return { kind: 'AuthenticationFailed', user: quoted(error.message) }
    case '40001':
    case '40P01':
      return { kind: 'TransactionWriteConflict' }
    case '42P01':
      return { kind: 'TableDoesNotExist', table: quoted(error.message) }
    case '42703':
      return { kind: 'ColumnNotFound', column: /^column (.+) does not exist$/.exec(error.message)?.[1]?.replace(/"((?:""|[^"])*)"/g, (_, id: string) => id.replaceAll('""', '"')) }
    case '42P04':
      return { kind: 'DatabaseAlreadyExists', db: quoted(error.message) }
    case '53300':
      return { kind: 'TooManyConnections', cause: error.message }
    default:
      return {
        kind: 'postgres',
        code: error.code,
        severity: error.severity,
        message: error.message,
        detail: error.detail,
        column: error.column,
        hint: error.hint,
      }
  }
}

function constraintOf(error: ServerError): { fields: string[] } | { index: string } | undefined {
  if (error.column) return { fields: [error.column] }
  if (error.constraint) return { index: error.constraint }
  return undefined
}
