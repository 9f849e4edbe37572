/**
 * Test doubles for the balancer: a scripted cluster whose nodes accept, refuse
 * or reject connects, answer yb_servers(), and whose sessions end on demand.
 * Used by the unit tests only.
 */
import type { Config } from '../../config/types.js'
import { ConnectionError, PgError } from '../../errors.js'
import type { Clock, NodeAddress, ServerRow } from '../types.js'
import type { SessionState } from '../session-attrs.js'

/** A Config with the defaults of the spec, overridden by `patch`. */
export function makeConfig(patch: Partial<Config> = {}): Config {
  return {
    hosts: [{ host: '127.0.0.1', port: 5433 }],
    user: 'yugabyte',
    database: 'yugabyte',
    startupParams: {},
    sslmode: 'disable',
    sslnegotiation: 'postgres',
    channelBinding: 'prefer',
    minProtocolVersion: 0,
    maxProtocolVersion: 0,
    connectTimeoutMs: 0,
    queryTimeoutMs: 0,
    cancelTimeoutMs: 1000,
    keepAlive: { enabled: true, idleMs: 0 },
    maxResultBytes: 0,
    targetSessionAttrs: 'any',
    loadBalanceHosts: 'disable',
    loadBalance: 'any',
    topologyKeys: [],
    ybServersRefreshInterval: 300,
    fallbackToTopologyKeysOnly: false,
    failedHostTtlSeconds: 5,
    statementCacheSize: 100,
    maxMessageBytes: 1 << 30,
    maxScramIterations: 100_000,
    ...patch,
  }
}

/** A row of yb_servers() with test defaults. */
export function row(host: string, patch: Partial<ServerRow> = {}): ServerRow {
  return {
    host,
    port: 5433,
    numConnections: 0,
    nodeType: 'primary',
    cloud: 'aws',
    region: 'us-east-1',
    zone: 'us-east-1a',
    publicIp: '',
    uuid: `uuid-${host}`,
    ...patch,
  }
}

/** A hand-driven clock. */
export class FakeClock implements Clock {
  constructor(public ms = 1_000_000) {}
  now(): number {
    return this.ms
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000
  }
}

/** A session whose end the test controls. */
export class FakeSession {
  readonly closed: Promise<void>
  private resolveClosed!: () => void
  ended = false
  constructor(
    readonly dialled: NodeAddress,
    readonly state: SessionState,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve))
  }
  /** End the session (user close, server kill, socket error: all resolve `closed`). */
  end(): void {
    if (this.ended) return
    this.ended = true
    this.resolveClosed()
  }
}

/** How a fake node answers a connect. */
export type NodeBehaviour = 'up' | 'refuse' | 'auth-error' | 'hang'

export interface FakeNode {
  behaviour: NodeBehaviour
  state: SessionState
}

/** A cluster of fake nodes keyed by dialled `host:port`. */
export class FakeCluster {
  readonly nodes = new Map<string, FakeNode>()
  readonly sessions: FakeSession[] = []
  readonly dials: string[] = []
  readonly serverQueries: string[] = []
  /** What yb_servers() returns; null = plain PostgreSQL. */
  rows: ServerRow[] | null
  /** When set, yb_servers() waits for this promise before answering. */
  queryGate: Promise<void> | undefined

  constructor(rows: ServerRow[] | null, extraHosts: string[] = []) {
    this.rows = rows
    for (const r of rows ?? []) {
      this.add(`${r.host}:${r.port}`)
      if (r.publicIp !== '') this.add(`${r.publicIp}:${r.port}`)
    }
    for (const h of extraHosts) this.add(h.includes(':') ? h : `${h}:5433`)
  }

  add(address: string, node: Partial<FakeNode> = {}): void {
    this.nodes.set(address, { behaviour: 'up', state: { readOnly: false, inRecovery: false }, ...node })
  }

  set(address: string, patch: Partial<FakeNode>): void {
    const node = this.nodes.get(address.includes(':') ? address : `${address}:5433`)
    if (node === undefined) throw new Error(`no fake node ${address}`)
    Object.assign(node, patch)
  }

  readonly connectNode = async (node: NodeAddress): Promise<FakeSession> => {
    const id = `${node.host}:${node.port}`
    this.dials.push(id)
    await Promise.resolve()
    const fake = this.nodes.get(id)
    if (fake === undefined || fake.behaviour === 'refuse') {
      throw new ConnectionError(`connect ECONNREFUSED ${id}`, { address: id })
    }
    if (fake.behaviour === 'auth-error') {
      throw new PgError({ severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "yugabyte"' })
    }
    if (fake.behaviour === 'hang') return new Promise<FakeSession>(() => undefined)
    const session = new FakeSession(node, { ...fake.state })
    this.sessions.push(session)
    return session
  }

  readonly queryServers = async (node: NodeAddress): Promise<ServerRow[] | null> => {
    const id = `${node.host}:${node.port}`
    this.serverQueries.push(id)
    if (this.queryGate !== undefined) await this.queryGate
    const fake = this.nodes.get(id)
    if (fake === undefined || fake.behaviour === 'refuse') throw new ConnectionError(`connect ECONNREFUSED ${id}`)
    if (fake.behaviour === 'auth-error') {
      throw new PgError({ severity: 'FATAL', code: '28P01', message: 'password authentication failed' })
    }
    return this.rows === null ? null : this.rows.map((r) => ({ ...r }))
  }

  /** Open sessions per dialled host. */
  openByHost(): Map<string, number> {
    const out = new Map<string, number>()
    for (const s of this.sessions) if (!s.ended) out.set(s.dialled.host, (out.get(s.dialled.host) ?? 0) + 1)
    return out
  }

  endAll(): void {
    for (const s of this.sessions) s.end()
  }
}

/** Let pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}
