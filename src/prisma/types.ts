/**
 * The part of Prisma 7's driver-adapter contract (@prisma/driver-adapter-utils)
 * pgfleet/prisma implements, written out by shape: Prisma is never a runtime
 * dependency, and the compile-time check against the real types is in
 * adapter.test.ts.
 */

/** Prisma's ColumnTypeEnum (the values are its wire contract). */
export const ColumnType = {
  Int32: 0,
  Int64: 1,
  Float: 2,
  Double: 3,
  Numeric: 4,
  Boolean: 5,
  Character: 6,
  Text: 7,
  Date: 8,
  Time: 9,
  DateTime: 10,
  Json: 11,
  Enum: 12,
  Bytes: 13,
  Set: 14,
  Uuid: 15,
  Int32Array: 64,
  Int64Array: 65,
  FloatArray: 66,
  DoubleArray: 67,
  NumericArray: 68,
  BooleanArray: 69,
  CharacterArray: 70,
  TextArray: 71,
  DateArray: 72,
  TimeArray: 73,
  DateTimeArray: 74,
  JsonArray: 75,
  EnumArray: 76,
  BytesArray: 77,
  UuidArray: 78,
  UnknownNumber: 128,
} as const

export type ColumnTypeCode = (typeof ColumnType)[keyof typeof ColumnType]

export type ArgScalarType = 'string' | 'int' | 'bigint' | 'float' | 'decimal' | 'boolean' | 'enum' | 'uuid' | 'json' | 'datetime' | 'bytes' | 'unknown'

export interface ArgType {
  scalarType: ArgScalarType
  dbType?: string
  arity: 'scalar' | 'list'
}

/** One query from Prisma's query compiler: SQL with $n placeholders and its arguments. */
export interface SqlQuery {
  sql: string
  args: unknown[]
  argTypes: ArgType[]
}

/** A value in a result row. */
export type ResultValue = number | string | boolean | null | ResultValue[] | Uint8Array

export interface SqlResultSet {
  columnTypes: ColumnTypeCode[]
  columnNames: string[]
  rows: ResultValue[][]
  lastInsertId?: string
}

export type IsolationLevel = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SNAPSHOT' | 'SERIALIZABLE'

type Constraint = { fields: string[] } | { index: string }

/** The errors Prisma maps to its P-codes (the subset PostgreSQL produces). */
export type MappedError =
  | { kind: 'GenericJs'; id: number }
  | { kind: 'UnsupportedNativeDataType'; type: string }
  | { kind: 'InvalidIsolationLevel'; level: string }
  | { kind: 'LengthMismatch'; column?: string }
  | { kind: 'UniqueConstraintViolation'; constraint?: Constraint; table?: string }
  | { kind: 'NullConstraintViolation'; constraint?: Constraint }
  | { kind: 'ForeignKeyConstraintViolation'; constraint?: Constraint }
  | { kind: 'RestrictViolation'; constraint?: Constraint }
  | { kind: 'DatabaseNotReachable'; host?: string; port?: number }
  | { kind: 'DatabaseDoesNotExist'; db?: string }
  | { kind: 'DatabaseAlreadyExists'; db?: string }
  | { kind: 'DatabaseAccessDenied'; db?: string }
  | { kind: 'ConnectionClosed' }
  | { kind: 'TlsConnectionError'; reason: string }
  | { kind: 'AuthenticationFailed'; user?: string }
  | { kind: 'TransactionWriteConflict' }
  | { kind: 'TableDoesNotExist'; table?: string }
  | { kind: 'ColumnNotFound'; column?: string }
  | { kind: 'TooManyConnections'; cause: string }
  | { kind: 'ValueOutOfRange'; cause: string }
  | { kind: 'InvalidInputValue'; message: string }
  | { kind: 'SocketTimeout' }
  | { kind: 'TransactionAlreadyClosed'; cause: string }
  | {
      kind: 'postgres'
      code: string
      severity: string
      message: string
      detail: string | undefined
      column: string | undefined
      hint: string | undefined
    }

export type AdapterError = MappedError & { originalCode?: string; originalMessage?: string }

export interface SqlQueryable {
  readonly provider: 'postgres'
  readonly adapterName: string
  queryRaw(query: SqlQuery): Promise<SqlResultSet>
  executeRaw(query: SqlQuery): Promise<number>
}

export interface Transaction extends SqlQueryable {
  readonly options: { usePhantomQuery: boolean }
  commit(): Promise<void>
  rollback(): Promise<void>
  createSavepoint?(name: string): Promise<void>
  rollbackToSavepoint?(name: string): Promise<void>
  releaseSavepoint?(name: string): Promise<void>
}

export interface SqlDriverAdapter extends SqlQueryable {
  executeScript(script: string): Promise<void>
  startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction>
  getConnectionInfo?(): { schemaName?: string; maxBindValues?: number; supportsRelationJoins: boolean }
  dispose(): Promise<void>
}

export interface SqlDriverAdapterFactory {
  readonly provider: 'postgres'
  readonly adapterName: string
  connect(): Promise<SqlDriverAdapter>
}
