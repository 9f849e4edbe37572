/** Everything pgfleet exports, whatever the runtime. */
export { connect, hostConnections, clusterStats, type ClientOptions, type ConnectExtras, type ClusterStats } from './api.js'
export { Client } from './client.js'
export { createPool, Pool, PoolClient, DEFAULT_POOL_SIZING, type CreatePoolOptions, type PoolNodeStats, type PoolStats, type PoolOptions, type PoolSizing } from './pool/index.js'
export type { QueryOptions, Notification, ConnectionHooks } from './connection/connection.js'
export type { Result, Row, RowMode } from './connection/result.js'
export type { RowStream, StreamOptions } from './connection/stream.js'
export type { Cursor, CursorOptions } from './connection/cursor.js'
export { toReadableStream, type CopyOutStream, type CopySource, type CopyOptions, type CopyToOptions, type CopyResult } from './connection/copy.js'
export type { NotificationListener, ListenOptions, Subscription } from './connection/listen.js'
export { sql, quoteIdentifier, SqlFragment, type Sql } from './sql.js'
export { Transaction, RETRYABLE_SQLSTATES, type TransactionOptions, type IsolationLevel, type BackoffOptions, type BackoffFunction } from './transaction.js'
export type { TypeInfo } from './connection/type-names.js'
export { parseComposite } from './types/text/composite.js'
export { parseConfig } from './config/index.js'
export type * from './config/types.js'
export type { Balancer, Candidate, PickContext, ServerRow, NodeAddress, Topology, NodeType } from './balancer/types.js'
export { createBuiltinBalancer } from './balancer/policies.js'
export { TypeRegistry, type ParserSource, type ValueParser } from './types/registry.js'
export {
  PgfleetError,
  PgError,
  ConnectionError,
  AuthError,
  TlsError,
  ProtocolError,
  ConfigError,
  PoolTimeoutError,
  TransactionOutcomeUnknownError,
  ErrorCode,
  type ServerErrorFields,
} from './errors.js'
export type { ErrorCodeName, ErrorCodeOf } from './error-codes.js'
export { installRuntime, type RuntimeEnvironment } from './runtime.js'
export { observe, type PgfleetEvent, type EventKind, type EventNode, type EventSession, type QueryStartEvent, type QueryEndEvent, type ConnectStartEvent, type ConnectEndEvent, type AcquireStartEvent, type AcquireEndEvent, type BalancerPickEvent } from './observe/events.js'
