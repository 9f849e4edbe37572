/** Cluster-aware load balancing: server cache, host book, policies, connection factory. */
export type {
  BalancedSession,
  Balancer,
  Candidate,
  Clock,
  ConnectNode,
  NodeAddress,
  NodeType,
  PickContext,
  QueryServers,
  Random,
  ServerRow,
  Topology,
} from './types.js'
export { systemClock } from './types.js'
export {
  createConnectionFactory,
  type BalancedResult,
  type ConnectionFactory,
  type ConnectionFactoryDeps,
  type FactoryStats,
} from './factory.js'
export { createNodeViews, type NodeView, type NodeViews, type NodeViewSource } from './node-views.js'
export { planRebalance, type MoveReason, type PlanInput, type RebalanceMove } from './rebalance.js'
export { createBuiltinBalancer, leastConnections, topologyLevel, topologyMatches, type BuiltinBalancerOptions } from './policies.js'
export { HostBook, HostBookRegistry, clusterKeyOf, sharedHostBooks, type Reservation } from './host-book.js'
export { ServerCache, type ServerCacheOptions, type ServerList } from './server-cache.js'
export type { SessionState } from './session-attrs.js'
