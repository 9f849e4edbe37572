import { describe, expect, it } from 'vitest'
import { defaultSafeToRetry, ERROR_CODES, ErrorCode, errorCodeEntry, type ErrorClassName, type ErrorCodeEntry } from './error-codes.js'
import * as errors from './errors.js'

const entries = Object.entries(ERROR_CODES) as Array<[string, ErrorCodeEntry]>

/** An error of the entry's class carrying its code, built as the call sites build it. */
function raise(entry: ErrorCodeEntry, safeToRetry?: boolean): errors.PgfleetError {
  const options = safeToRetry === undefined ? {} : { safeToRetry }
  const code = entry.code as never
  const build: Record<ErrorClassName, () => errors.PgfleetError> = {
    PgfleetError: () => new errors.PgfleetError('m', entry.code, options),
    ConnectionError: () => new errors.ConnectionError('m', { code, ...options }),
    AuthError: () => new errors.AuthError('m', { code }),
    TlsError: () => new errors.TlsError('m', { code, ...options }),
    ProtocolError: () => new errors.ProtocolError('m', { code }),
    ConfigError: () => new errors.ConfigError('m', { code }),
    PoolTimeoutError: () => new errors.PoolTimeoutError('m'),
    TransactionOutcomeUnknownError: () => new errors.TransactionOutcomeUnknownError('m'),
  }
  return build[entry.class]()
}

describe('error-code registry', () => {
  it('lists each code once, named after it (PGFLEET_QUERY_TIMEOUT is QueryTimeout)', () => {
    const codes = entries.map(([, entry]) => entry.code)
    expect(new Set(codes).size).toBe(codes.length)
    for (const [name, entry] of entries) {
      expect(entry.code.replace(/^PGFLEET_/, '')).toBe(name.replace(/(?<=.)([A-Z])/g, '_$1').toUpperCase())
      expect(ErrorCode[name as keyof typeof ErrorCode]).toBe(entry.code)
      expect(errorCodeEntry(entry.code)).toBe(entry)
    }
    expect(Object.keys(ErrorCode)).toEqual(entries.map(([name]) => name))
    expect(Object.isFrozen(ErrorCode)).toBe(true)
  })

  it('names classes that errors.ts exports', () => {
    for (const [, entry] of entries) {
      const cls = (errors as Record<string, unknown>)[entry.class]
      expect(cls === errors.PgfleetError || (typeof cls === 'function' && cls.prototype instanceof errors.PgfleetError), entry.class).toBe(true)
    }
  })

  it('builds each code on its class, with the registry safeToRetry unless the call site says otherwise', () => {
    for (const [, entry] of entries) {
      const error = raise(entry)
      expect(error.constructor.name, entry.code).toBe(entry.class)
      expect(error.code).toBe(entry.code)
      expect(error.safeToRetry, entry.code).toBe(entry.safeToRetry === true)
      expect(defaultSafeToRetry(entry.code)).toBe(entry.safeToRetry === true)
    }
    expect(raise(ERROR_CODES.QueryTimeout, true).safeToRetry).toBe(true)
    expect(raise(ERROR_CODES.NoHost, false).safeToRetry).toBe(false)
  })

  it('defaults each class without a code to its catch-all code', () => {
    expect(new errors.ConnectionError('m').code).toBe(ErrorCode.Connection)
    expect(new errors.AuthError('m').code).toBe(ErrorCode.Auth)
    expect(new errors.TlsError('m').code).toBe(ErrorCode.Tls)
    expect(new errors.ProtocolError('m').code).toBe(ErrorCode.Protocol)
  })

  it('leaves server errors (a SQLSTATE) not safe to retry', () => {
    expect(errorCodeEntry('57014')).toBeUndefined()
    expect(new errors.PgError({ severity: 'ERROR', code: '40001', message: 'x' }).safeToRetry).toBe(false)
  })

  it('refuses, at compile time, a code that is not registered or belongs to another class', () => {
    const typo = `${ErrorCode.QueryTimeout}T` as const
    // @ts-expect-error not a registered code
    expect(new errors.ConnectionError('m', { code: typo }).code).toBe(typo)
    // @ts-expect-error a TlsError code on a ConnectionError
    expect(new errors.ConnectionError('m', { code: ErrorCode.TlsFiles }).code).toBe(ErrorCode.TlsFiles)
  })
})
