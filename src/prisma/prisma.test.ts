import { describe, expect, it } from 'vitest'
import { ConnectionError, ErrorCode, PgError, TlsError } from '../errors.js'
import { utf8Encode } from '../types/utf8.js'
import { Oid } from '../types/oids.js'
import { toParam } from './args.js'
import { columnTypeOf, prismaParsers, UnsupportedColumnType } from './columns.js'
import { DriverAdapterError, toAdapterError } from './errors.js'
import { ColumnType } from './types.js'

const parse = (oid: number, text: string) => prismaParsers.parserFor(oid, 0)(utf8Encode(text))

describe('columns', () => {
  it('types by OID as adapter-pg: user types are text, unknown built-ins are refused', () => {
    expect(columnTypeOf(Oid.int8)).toBe(ColumnType.Int64)
    expect(columnTypeOf(Oid._timestamptz)).toBe(ColumnType.DateTimeArray)
    expect(columnTypeOf(16_500)).toBe(ColumnType.Text)
    expect(() => columnTypeOf(Oid.interval)).toThrow(new UnsupportedColumnType('interval'))
  })

  it('values as adapter-pg gives them; timestamptz converted to UTC whatever the session zone', () => {
    expect(parse(Oid.int4, '42')).toBe(42)
    expect(parse(Oid.int8, '9007199254740993')).toBe('9007199254740993')
    expect(parse(Oid.bool, 't')).toBe(true)
    expect(parse(Oid.timestamp, '2024-02-29 13:45:06.789')).toBe('2024-02-29T13:45:06.789+00:00')
    expect(parse(Oid.timestamptz, '2024-02-29 13:45:06.789123+00')).toBe('2024-02-29T13:45:06.789123+00:00')
    expect(parse(Oid.timestamptz, '2024-03-01 01:15:06.5+05:30')).toBe('2024-02-29T19:45:06.5+00:00')
    expect(parse(Oid.timestamptz, '0099-12-31 23:00:00-02')).toBe('0100-01-01T01:00:00+00:00')
    expect(parse(Oid.timestamptz, 'infinity')).toBe('infinity')
    expect(parse(Oid.timetz, '13:45:06+05:30')).toBe('13:45:06')
    expect(parse(Oid._int4, '{1,NULL,3}')).toEqual([1, null, 3])
    expect(parse(Oid.bytea, '\\x01ff')).toEqual(new Uint8Array([1, 255]))
    expect(prismaParsers.hasBinaryDecoder(Oid.int4)).toBe(false)
  })
})

describe('arguments', () => {
  it('dates by database type in UTC, base64 bytes, lists', () => {
    const at = new Date('2024-02-29T13:45:06.789Z')
    expect(toParam(at, { scalarType: 'datetime', arity: 'scalar' })).toBe('2024-02-29 13:45:06.789+00:00')
    expect(toParam('2024-02-29T13:45:06Z', { scalarType: 'datetime', dbType: 'DATE', arity: 'scalar' })).toBe('2024-02-29')
    expect(toParam(at, { scalarType: 'datetime', dbType: 'TIME', arity: 'scalar' })).toBe('13:45:06.789')
    expect(toParam('AQL/', { scalarType: 'bytes', arity: 'scalar' })).toEqual(new Uint8Array([1, 2, 255]))
    expect(toParam([at], { scalarType: 'datetime', dbType: 'DATE', arity: 'list' })).toEqual(['2024-02-29'])
    expect(toParam('x', { scalarType: 'string', arity: 'scalar' })).toBe('x')
    expect(toParam(null, { scalarType: 'string', arity: 'scalar' })).toBeNull()
  })
})

describe('errors', () => {
  const mapped = (e: unknown) => (toAdapterError(e) as DriverAdapterError).cause
  it('server errors by SQLSTATE as adapter-pg', () => {
    const unique = new PgError({ severity: 'ERROR', code: '23505', message: 'duplicate key', detail: 'Key (email)=(a) already exists.', constraint: 'users_email_key' })
    expect(mapped(unique)).toEqual({ kind: 'UniqueConstraintViolation', constraint: { index: 'users_email_key' }, table: 'users', originalCode: '23505', originalMessage: 'duplicate key' })
    expect(mapped(new PgError({ severity: 'ERROR', code: '42P01', message: 'relation "nope" does not exist' }))).toMatchObject({ kind: 'TableDoesNotExist', table: 'nope' })
    expect(mapped(new PgError({ severity: 'ERROR', code: '22012', message: 'division by zero' }))).toMatchObject({ kind: 'postgres', code: '22012', severity: 'ERROR' })
  })

  it('client-side errors by pgfleet code; anything else passes through', () => {
    expect(mapped(new ConnectionError('refused', { code: ErrorCode.ConnectRefused, address: '10.0.0.1:5433' }))).toMatchObject({ kind: 'DatabaseNotReachable', host: '10.0.0.1', port: 5433 })
    expect(mapped(new ConnectionError('timeout', { code: ErrorCode.QueryTimeout }))).toMatchObject({ kind: 'SocketTimeout' })
    expect(mapped(new ConnectionError('lost', { code: ErrorCode.ConnectionLost }))).toMatchObject({ kind: 'ConnectionClosed' })
    expect(mapped(new TlsError('bad cert', { code: ErrorCode.TlsCertificate }))).toMatchObject({ kind: 'TlsConnectionError', reason: 'bad cert' })
    const plain = new TypeError('parameter $1: cannot serialize a symbol')
    expect(toAdapterError(plain)).toBe(plain)
    expect(toAdapterError(new DriverAdapterError({ kind: 'SocketTimeout' })).name).toBe('DriverAdapterError')
  })
})
