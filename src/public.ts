/** Everything pgfleet exports, whatever the runtime. */
export { connect, type ClientOptions, type ConnectExtras } from './api.js'
export { Client } from './client.js'
export type { QueryOptions, Notification, ConnectionHooks } from './connection/connection.js'
export type { Result, Row, RowMode } from './connection/result.js'
export { parseConfig } from './config/index.js'
export type * from './config/types.js'
export type { Balancer, Candidate, PickContext, ServerRow, NodeAddress, Topology, NodeType } from './balancer/types.js'
export { createBuiltinBalancer } from './balancer/policies.js'
export { TypeRegistry } from './types/registry.js'
export {
  PgfleetError,
  PgError,
  ConnectionError,
  AuthError,
  TlsError,
  ProtocolError,
  ConfigError,
  PoolTimeoutError,
  type ServerErrorFields,
} from './errors.js'
export { installRuntime, type RuntimeEnvironment } from './runtime.js'
