/**
 * Cluster layouts built from the template: the main cluster global setup
 * starts once (3 nodes, a standby, TLS matrix servers), and extra clusters a
 * test file starts for itself (so it may stop and kill nodes freely).
 * No vitest imports here: global setup uses this module.
 */
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { TestCerts } from './certs.js'
import { buildTemplate } from './template.js'
import { startServer, type NodeInfo, type PgServer, type ServerTlsFiles } from './pg-server.js'
import { writeTopology, type TopologyNode } from './topology.js'

/** What global setup provides to every test file as `inject('pg')`. */
export interface HarnessInfo {
  /** Root of everything (os.tmpdir()/pgfleet-test-<pid>). */
  baseDir: string
  /** PostgreSQL server bin directory. */
  binDir: string
  /** Major version of the main cluster's servers ('18' unless $TEST_PG_VERSION or $TEST_PG_BIN says otherwise). */
  major: string
  /** Data directory that nodes copy. */
  templateDir: string
  /** Where yb_servers() reads `<name>.json`. */
  topologyDir: string
  /** Main nodes 127.0.0.1, .2, .3 on port 5433; ssl on with the good certificate. */
  nodes: NodeInfo[]
  /** Streaming standby of nodes[0] on 127.0.0.4:5433 (hot standby, ssl on). */
  standby: NodeInfo
  /** TLS matrix: good = nodes[0]; others on 127.0.0.1 ports 5441, 5442, 5443. */
  tls: { good: NodeInfo; wrongName: NodeInfo; untrusted: NodeInfo; off: NodeInfo }
  certs: TestCerts
  /** The rows of topology 'default' (the 3 main nodes). */
  defaultTopology: TopologyNode[]
}

/** Port of the main nodes and the standby. */
export const MAIN_PORT = 5433

/** Server TLS files for the good certificate. */
export function goodTls(certs: TestCerts): ServerTlsFiles {
  return { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert }
}

/** The default topology: like a YugabyteDB seed, two nodes in zone 1a and one in 1b. */
export function defaultTopologyOf(nodes: ReadonlyArray<{ host: string; port: number }>): TopologyNode[] {
  const zones = ['us-east-1a', 'us-east-1a', 'us-east-1b']
  return nodes.map((n, i) => ({ host: n.host, port: n.port, cloud: 'aws', region: 'us-east-1', zone: zones[i] ?? 'us-east-1c' }))
}

/** Inputs shared by every cluster start. */
export interface ClusterContext {
  baseDir: string
  templateDir: string
  topologyDir: string
  certs: TestCerts
}

/**
 * Starts the main layout in parallel; stops whatever started if anything
 * fails, then rethrows (with the server log tail in the message).
 */
export async function startMainCluster(ctx: ClusterContext): Promise<{ servers: PgServer[]; info: Omit<HarnessInfo, 'binDir' | 'major' | 'certs' | 'baseDir' | 'templateDir' | 'topologyDir'> }> {
  const started: PgServer[] = []
  const track = async (p: Promise<PgServer>): Promise<PgServer> => {
    const s = await p
    started.push(s)
    return s
  }
  const common = { baseDir: ctx.baseDir, template: ctx.templateDir }
  const topologyConf = { 'pgfleet.topology': 'default' }
  try {
    const node1 = track(startServer({ ...common, name: 'node1', host: '127.0.0.1', port: MAIN_PORT, ssl: true, tls: goodTls(ctx.certs), extraConf: topologyConf }))
    const standby = node1.then((n1) =>
      track(
        startServer({
          ...common,
          name: 'standby',
          host: '127.0.0.4',
          port: MAIN_PORT,
          ssl: true,
          tls: goodTls(ctx.certs),
          standbyOf: { host: n1.host, port: n1.port },
          extraConf: { hot_standby: 'on', ...topologyConf },
        }),
      ),
    )
    const all = await Promise.allSettled([
      node1,
      track(startServer({ ...common, name: 'node2', host: '127.0.0.2', port: MAIN_PORT, ssl: true, tls: goodTls(ctx.certs), extraConf: topologyConf })),
      track(startServer({ ...common, name: 'node3', host: '127.0.0.3', port: MAIN_PORT, ssl: true, tls: goodTls(ctx.certs), extraConf: topologyConf })),
      standby,
      track(
        startServer({
          ...common,
          name: 'tls-wrongname',
          host: '127.0.0.1',
          port: 5441,
          ssl: true,
          tls: { cert: ctx.certs.wrongName.cert, key: ctx.certs.wrongName.key, ca: ctx.certs.ca.cert },
          extraConf: topologyConf,
        }),
      ),
      track(
        startServer({
          ...common,
          name: 'tls-untrusted',
          host: '127.0.0.1',
          port: 5442,
          ssl: true,
          tls: { cert: ctx.certs.untrusted.cert, key: ctx.certs.untrusted.key, ca: ctx.certs.ca.cert },
          extraConf: topologyConf,
        }),
      ),
      track(startServer({ ...common, name: 'tls-off', host: '127.0.0.1', port: 5443, ssl: false, extraConf: topologyConf })),
    ])
    const failed = all.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed.length > 0) throw new Error(failed.map((f) => (f.reason as Error).message).join('\n\n'))
    const [n1, n2, n3, sb, wrong, untrusted, off] = all.map((r) => (r as PromiseFulfilledResult<PgServer>).value.info())
    const nodes = [n1!, n2!, n3!]
    return {
      servers: started,
      info: {
        nodes,
        standby: sb!,
        tls: { good: n1!, wrongName: wrong!, untrusted: untrusted!, off: off! },
        defaultTopology: defaultTopologyOf(nodes),
      },
    }
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()))
    throw err
  }
}

/** Options of {@link startExtraClusterWith}. */
export interface ExtraClusterOptions {
  /** Number of nodes (hosts 127.0.0.<hostBase> … <hostBase+count-1>). */
  count: number
  /** First host's last octet; default 10. Tests use 10–30. */
  hostBase?: number
  /** One port per test file, e.g. 5450 + n. */
  port: number
  /** ssl = on with the good certificate (default true). */
  ssl?: boolean
  /** Per-node overrides of the topology rows (by index); nodeType, cloud, region, zone, publicIp. */
  topology?: Array<Partial<Omit<TopologyNode, 'host' | 'port'>>>
  /** More postgresql.conf settings for every node. */
  extraConf?: Record<string, string>
  /**
   * PostgreSQL major version of these nodes (default the suite's): another
   * version gets its own template (initdb once, in this cluster's directory).
   */
  major?: string
}

/** A cluster of nodes owned by one test file. */
export interface ExtraCluster {
  /** Servers in host order; each can stop(), kill(), start(), restart(). */
  nodes: PgServer[]
  /** Topology name these nodes' yb_servers() read by default (`extra-<port>`). */
  topologyName: string
  /** Rewrites this cluster's default topology (e.g. add/remove nodes, mark read replicas). */
  setTopology(nodes: readonly TopologyNode[]): Promise<void>
  /** Stops every node (immediate). */
  stop(): Promise<void>
  /** Stops every node and removes their directories (use in afterAll). */
  destroy(): Promise<void>
}

/**
 * Starts `count` nodes from the template, each reading topology
 * `extra-<port>`, which initially lists all of them (zones us-east-1a, 1b, 1c
 * cycling, all primary, unless `topology` overrides).
 */
export async function startExtraClusterWith(ctx: ClusterContext, opts: ExtraClusterOptions): Promise<ExtraCluster> {
  const hostBase = opts.hostBase ?? 10
  if (opts.count < 1 || hostBase < 2 || hostBase + opts.count - 1 > 254) throw new Error('startExtraCluster: bad count/hostBase')
  const topologyName = `extra-${opts.port}`
  const ssl = opts.ssl ?? true
  const hosts = Array.from({ length: opts.count }, (_, i) => `127.0.0.${hostBase + i}`)
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c']
  await writeTopology(
    ctx.topologyDir,
    topologyName,
    hosts.map((host, i) => ({ host, port: opts.port, cloud: 'aws', region: 'us-east-1', zone: zones[i % 3]!, ...(opts.topology?.[i] ?? {}) })),
  )
  const templateDir =
    opts.major === undefined ? ctx.templateDir : await buildTemplate(ctx.baseDir, ctx.topologyDir, opts.major, `template-${opts.major}-${opts.port}`)
  const results = await Promise.allSettled(
    hosts.map((host) =>
      startServer({
        major: opts.major,
        baseDir: ctx.baseDir,
        template: templateDir,
        name: `extra-${opts.port}-${host}`,
        host,
        port: opts.port,
        ssl,
        tls: ssl ? goodTls(ctx.certs) : undefined,
        extraConf: { 'pgfleet.topology': topologyName, ...(opts.extraConf ?? {}) },
      }),
    ),
  )
  const nodes = results.filter((r): r is PromiseFulfilledResult<PgServer> => r.status === 'fulfilled').map((r) => r.value)
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()))
  }
  const destroy = async (): Promise<void> => {
    await stop()
    await Promise.all(hosts.map((host) => rm(join(ctx.baseDir, `extra-${opts.port}-${host}`), { recursive: true, force: true })))
    if (templateDir !== ctx.templateDir) await rm(dirname(templateDir), { recursive: true, force: true })
  }
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed.length > 0) {
    await destroy()
    throw new Error(failed.map((f) => (f.reason as Error).message).join('\n\n'))
  }
  return {
    nodes,
    topologyName,
    setTopology: (rows) => writeTopology(ctx.topologyDir, topologyName, rows),
    stop,
    destroy,
  }
}
