/**
 * `npm run demo`: the YugabyteDB smart-driver tutorial, replayed on a local
 * 3-node PostgreSQL cluster whose `yb_servers()` reports the tutorial's
 * placement (aws.us-east-1.us-east-1a twice, us-east-1b once). For each
 * scenario it prints the client view (pgfleet's hostConnections) beside the
 * server view (pg_stat_activity on every node). The last scene draws a pool
 * live while a node dies and returns and the pool heals (scripts/demo-heal.ts;
 * plain periodic lines when stdout is not a terminal). The cluster is removed
 * at the end, also on Ctrl-C or an error.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clusterStats, connect, createPool, hostConnections, type Client } from '../src/index.js'
import { serverConnectionCounts } from '../test/support/admin.js'
import { startExtraClusterWith, type ExtraCluster } from '../test/support/cluster.js'
import { chownToPostgres } from '../test/support/proc.js'
import { buildTemplate } from '../test/support/template.js'
import { DATABASE, TRUST_USER } from '../test/support/users.js'
import { healScene } from './demo-heal.js'

const PORT = 5433
const HOST_BASE = 61 // 127.0.0.61 … .63: clear of the test harness (127.0.0.1–.4, .10–.30)
const TTL_SECONDS = 2

let cluster: ExtraCluster | undefined
let baseDir: string | undefined
let cleaning: Promise<void> | undefined

/** Stops and removes the cluster; every caller (end, error, each signal) waits for the same run. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await cluster?.destroy().catch(() => undefined)
    if (baseDir !== undefined) await rm(baseDir, { recursive: true, force: true }).catch(() => undefined)
  })()
  return cleaning
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // `on`, not `once`: a second Ctrl-C (or npx/tsx relaying it) must not end the process mid-cleanup.
  process.on(signal, () => {
    if (cleaning === undefined) console.log(`\n${signal}: stopping the cluster …`)
    void cleanup().finally(() => process.exit(130))
  })
}

function url(app: string, params: Record<string, string | number> = {}): string {
  const query = { sslmode: 'disable', load_balance: 'true', application_name: app, failed_host_ttl_seconds: TTL_SECONDS, ...params }
  const search = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')
  return `postgresql://${TRUST_USER}@127.0.0.${HOST_BASE}:${PORT}/${DATABASE}?${search}`
}

/** One table: per node, its zone, the client's count and the servers' count. */
async function table(title: string, app: string, client: Map<string, number>): Promise<void> {
  const nodes = cluster!.nodes
  const running = nodes.filter((n) => n.pid !== undefined)
  // Backends exit a moment after the client's Terminate; let them go.
  let server = await serverConnectionCounts(running, app)
  for (let i = 0; i < 40 && [...server].some(([h, n]) => n !== (client.get(h) ?? 0)); i++) {
    await new Promise((r) => setTimeout(r, 50))
    server = await serverConnectionCounts(running, app)
  }
  const zones = ['us-east-1a', 'us-east-1a', 'us-east-1b']
  console.log(`\n${title}`)
  console.log('  node              zone         client  server')
  nodes.forEach((n, i) => {
    const s = n.pid === undefined ? 'down' : String(server.get(n.host) ?? 0)
    console.log(`  ${`${n.host}:${n.port}`.padEnd(18)}${zones[i]!.padEnd(13)}${String(client.get(n.host) ?? 0).padStart(6)}  ${s.padStart(6)}`)
  })
}

async function closeAll(clients: Client[]): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close()))
}

async function main(): Promise<void> {
  const t0 = Date.now()
  baseDir = await mkdtemp(join(tmpdir(), 'pgfleet-demo-'))
  await chownToPostgres(baseDir)
  const topologyDir = join(baseDir, 'topology')
  console.log('Starting a 3-node cluster (PostgreSQL with a yb_servers() stand-in) …')
  const templateDir = await buildTemplate(baseDir, topologyDir)
  cluster = await startExtraClusterWith(
    { baseDir, templateDir, topologyDir, certs: undefined as never },
    { count: 3, hostBase: HOST_BASE, port: PORT, ssl: false, topology: [{ zone: 'us-east-1a' }, { zone: 'us-east-1a' }, { zone: 'us-east-1b' }] },
  )
  if (cleaning !== undefined) {
    // Interrupted while the nodes were starting: stop them too.
    await cluster.destroy()
    return
  }
  console.log(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${cluster.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`)

  const clients: Client[] = []

  // 1. Uniform load balancing.
  const uniform = url('demo-uniform')
  console.log(`\n$ 30 × connect('${uniform.replace(/\?.*/, '')}?load_balance=true')`)
  for (let i = 0; i < 30; i++) clients.push(await connect(uniform))
  await table('1. load_balance=true, 30 connections (expected 10/10/10)', 'demo-uniform', hostConnections(uniform))
  const stats = clusterStats(uniform)
  console.log(`  yb_servers(): ${stats.servers?.length} nodes, refreshes ${stats.refreshes}, balancer "${stats.balancer}"`)
  await closeAll(clients)
  await table('   … after closing all of them', 'demo-uniform', hostConnections(uniform))

  // 2. Topology-aware load balancing.
  const zoneA = url('demo-topology', { topology_keys: 'aws.us-east-1.us-east-1a' })
  for (let i = 0; i < 30; i++) clients.push(await connect(zoneA))
  await table('2. topology_keys=aws.us-east-1.us-east-1a, 30 connections (expected 15/15/0)', 'demo-topology', hostConnections(zoneA))
  await closeAll(clients)

  // 3. A pool of 1..10 with load balancing (psycopg2's SimpleConnectionPool(1, 10, load_balance=True)).
  const poolUrl = url('demo-pool')
  const pool = createPool(poolUrl, { min: 1, max: 10 })
  await Promise.all(Array.from({ length: 10 }, () => pool.query('select pg_sleep(0.3)')))
  await table('3. createPool({ min: 1, max: 10 }), 10 concurrent queries (expected 4/3/3 in some order)', 'demo-pool', pool.hostConnections())
  await pool.end()
  await table('   … after pool.end()', 'demo-pool', pool.hostConnections())

  // 4. A node goes down: avoided for failed_host_ttl_seconds, used again after.
  const node3 = cluster.nodes[2]!
  await node3.stop()
  const failover = url('demo-failover')
  for (let i = 0; i < 6; i++) clients.push(await connect(failover))
  await table(`4. node 3 stopped, 6 connections (expected 3/3/down; marked failed for ${TTL_SECONDS} s)`, 'demo-failover', hostConnections(failover))
  console.log(`  failed hosts: ${clusterStats(failover).failedHosts.join(', ')}`)
  await node3.start()
  clients.push(await connect(failover))
  await table('   node 3 restarted; one more connection within the TTL still avoids it', 'demo-failover', hostConnections(failover))
  await new Promise((r) => setTimeout(r, TTL_SECONDS * 1000 + 100))
  for (let i = 0; i < 3; i++) clients.push(await connect(failover))
  await table(`   after the TTL, 3 more connections all go to node 3 (expected 3 there)`, 'demo-failover', hostConnections(failover))
  await closeAll(clients)
  await table('   … after closing all of them', 'demo-failover', hostConnections(failover))

  // 5. A pool that heals, drawn live.
  console.log('\n5. A pool of 12 under a steady workload; node 3 is killed and restarted')
  await new Promise((r) => setTimeout(r, TTL_SECONDS * 1000 + 100)) // node 3's failed mark from scene 4 runs out first
  const heal = await healScene(cluster.nodes, url('demo-heal'), 'demo-heal', TTL_SECONDS)
  console.log(
    `   healed: 4/4/4 in the pool ${heal.clientEvenAfter.toFixed(1)} s and on the servers ${heal.serverEvenAfter?.toFixed(1) ?? '–'} s after node 3 came back ` +
      `(failed-host TTL ${TTL_SECONDS} s); ${heal.moved} sessions moved; ${heal.queries} queries, ` +
      `${heal.failedAtKill} failed when node 3 was killed, ${heal.failedAfterRestart} after it came back`,
  )

  console.log(`\nDone in ${((Date.now() - t0) / 1000).toFixed(1)} s.`)
}

// Never let the process end with the cluster still up (a pending promise alone does not keep it alive).
const keepAlive = setInterval(() => undefined, 60_000)
main()
  .then(cleanup, async (error: unknown) => {
    // After a signal, failures of interrupted steps are expected: stay quiet.
    if (cleaning === undefined) console.error(error)
    await cleanup()
    process.exitCode = 1
  })
  .finally(() => clearInterval(keepAlive))
