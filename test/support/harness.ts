/**
 * What integration test files import: the running cluster's facts
 * (`harness()`), per-test topologies for yb_servers(), and clusters of their
 * own (`startExtraCluster`) that they may stop and kill.
 *
 *   import { harness, setTopology, startExtraCluster } from '../support/harness.js'
 *   const pg = harness()   // pg.nodes[0].host === '127.0.0.1'
 */
import { inject } from 'vitest'
import './context.js'
import type { HarnessInfo } from './cluster.js'
import { startExtraClusterWith, type ExtraCluster, type ExtraClusterOptions } from './cluster.js'
import { writeTopology, type TopologyNode } from './topology.js'

export type { HarnessInfo, ExtraCluster, ExtraClusterOptions, TopologyNode }
export type { NodeInfo, PgServer } from './pg-server.js'
export * from './users.js'
export { adminQuery, serverConnectionCounts, terminateBackends, waitForConnectionCounts } from './admin.js'

/** The facts global setup provided (throws if the integration global setup did not run). */
export function harness(): HarnessInfo {
  const info = inject('pg')
  if (!info) throw new Error('no PostgreSQL harness: run with --project integration (test/support/global-setup.ts)')
  return info
}

/**
 * Writes topology `name` (letters, digits, '_', '-'); a session that
 * connects with `options: '-c pgfleet.topology=<name>'` (or PGOPTIONS) sees
 * these rows from yb_servers() on any node. Use a name unique to the test;
 * 'default' is the shared main-cluster topology — do not change it.
 */
export function setTopology(name: string, nodes: readonly TopologyNode[]): Promise<void> {
  return writeTopology(harness().topologyDir, name, nodes)
}

/**
 * Starts a cluster for this test file on hosts 127.0.0.<hostBase>… (default
 * 10) and `port` (one per test file). Call `destroy()` in afterAll.
 */
export function startExtraCluster(opts: ExtraClusterOptions): Promise<ExtraCluster> {
  const h = harness()
  return startExtraClusterWith({ baseDir: h.baseDir, templateDir: h.templateDir, topologyDir: h.topologyDir, certs: h.certs }, opts)
}
