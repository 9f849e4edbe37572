/**
 * The cached `yb_servers()` list of one factory.
 *
 * Refreshed lazily on use (no interval timer, so nothing here keeps a process
 * alive), at most every `ybServersRefreshInterval` seconds, one refresh at a
 * time: concurrent callers share one promise. A stale list is served at once
 * while a refresh runs in the background; only the very first load is awaited.
 */
import { ConnectionError } from '../errors.js'
import type { Clock, NodeAddress, QueryServers, ServerRow } from './types.js'

/** What discovery found. */
export interface ServerList {
  /** The rows, or null when `yb_servers()` does not exist (plain PostgreSQL). */
  rows: readonly ServerRow[] | null
  /** True when the user reached the cluster through public IPs: dial `publicIp`. */
  usePublicIp: boolean
  /** When the list was fetched (clock ms). */
  fetchedAt: number
}

/** Seeds, refresh interval and query of one ServerCache. */
export interface ServerCacheOptions {
  /** The hosts the user listed, asked in order. */
  seeds: readonly NodeAddress[]
  /** Seconds between refreshes. */
  refreshIntervalSeconds: number
  queryServers: QueryServers
  clock: Clock
  /** Background refresh failures (the stale list stays in use). */
  onError?: (error: unknown) => void
}

/** After a failed background refresh, try again no sooner than this. */
const RETRY_AFTER_FAILURE_MS = 5_000

/** The cached yb_servers() list of one cluster: refreshed at most every interval, one refresh at a time, never blocking a connect the cached list can serve. */
export class ServerCache {
  #list: ServerList | undefined
  #inflight: Promise<ServerList> | undefined
  #lastAttemptAt = -Infinity
  #refreshCount = 0
  #lastError: unknown

  readonly #options: ServerCacheOptions

  constructor(options: ServerCacheOptions) {
    this.#options = options
  }

  /** The cached rows; null when none are known (plain PostgreSQL, or not loaded yet). */
  get(): ServerRow[] | null {
    return this.#list?.rows == null ? null : [...this.#list.rows]
  }

  /** The cached list as loaded, undefined before the first load. */
  current(): ServerList | undefined {
    return this.#list
  }

  /** Refreshes started so far. */
  get refreshes(): number {
    return this.#refreshCount
  }

  /** Why the last refresh failed, if it did. */
  get lastRefreshError(): unknown {
    return this.#lastError
  }

  /**
   * The list to balance over: the cached one when there is one (starting a
   * background refresh when it is stale), else the first load, awaited.
   */
  load(queryServers?: QueryServers): Promise<ServerList> {
    const list = this.#list
    if (list === undefined) return this.refresh(queryServers)
    if (this.#isStale(list)) {
      // Errors are kept and reported; the stale list keeps serving.
      this.refresh(queryServers).catch(() => undefined)
    }
    return Promise.resolve(list)
  }

  /**
   * Start a refresh unless one is running; resolves the new list.
   * `queryServers` is the caller's own (its credentials and TLS settings), so
   * one caller's wrong password never poisons discovery for the others;
   * default: the one given at construction.
   */
  refresh(queryServers: QueryServers = this.#options.queryServers): Promise<ServerList> {
    if (this.#inflight !== undefined) return this.#inflight
    this.#refreshCount += 1
    this.#lastAttemptAt = this.#options.clock.now()
    const run = this.#fetch(queryServers).then(
      (list) => {
        this.#list = list
        this.#lastError = undefined
        this.#inflight = undefined
        return list
      },
      (error: unknown) => {
        this.#lastError = error
        this.#inflight = undefined
        if (this.#list !== undefined) this.#options.onError?.(error)
        throw error
      },
    )
    this.#inflight = run
    return run
  }

  #isStale(list: ServerList): boolean {
    if (this.#inflight !== undefined) return false
    const now = this.#options.clock.now()
    if (now - list.fetchedAt < this.#intervalMs()) return false
    // After a failed attempt, wait a little before asking again.
    return this.#lastError === undefined || now - this.#lastAttemptAt >= Math.min(RETRY_AFTER_FAILURE_MS, this.#intervalMs())
  }

  #intervalMs(): number {
    return this.#options.refreshIntervalSeconds * 1000
  }

  /** Ask the seeds in order, then the known nodes, until one answers. */
  async #fetch(queryServers: QueryServers): Promise<ServerList> {
    const tried: string[] = []
    let lastError: unknown
    for (const node of this.#addressesToAsk()) {
      let rows: ServerRow[] | null
      try {
        rows = await queryServers(node)
      } catch (error) {
        // Only network failures move on; auth or database errors would fail
        // on every node alike, so they reach the caller at once.
        if (!(error instanceof ConnectionError)) throw error
        tried.push(`${node.host}:${node.port} (${error.message})`)
        lastError = error
        continue
      }
      const now = this.#options.clock.now()
      if (rows === null || rows.length === 0) return { rows: null, usePublicIp: false, fetchedAt: now }
      return { rows, usePublicIp: this.#reachedThroughPublicIp(rows), fetchedAt: now }
    }
    throw new ConnectionError(`Could not reach any host to discover the cluster: ${tried.join('; ')}`, {
      cause: lastError,
      safeToRetry: true,
    })
  }

  #addressesToAsk(): NodeAddress[] {
    const out: NodeAddress[] = []
    const seen = new Set<string>()
    const add = (node: NodeAddress) => {
      const id = `${node.host.toLowerCase()}:${node.port}`
      if (seen.has(id)) return
      seen.add(id)
      out.push(node)
    }
    this.#options.seeds.forEach(add)
    const rows = this.#list?.rows
    if (rows != null) {
      for (const row of rows) add(this.#list?.usePublicIp && row.publicIp !== '' ? { host: row.publicIp, port: row.port } : row)
    }
    return out
  }

  /**
   * The user connected through public IPs when a listed host is some row's
   * public_ip and none is a row's private host (the smart drivers' rule).
   */
  #reachedThroughPublicIp(rows: readonly ServerRow[]): boolean {
    const seeds = new Set(this.#options.seeds.map((s) => s.host.toLowerCase()))
    const isPrivate = rows.some((r) => seeds.has(r.host.toLowerCase()))
    if (isPrivate) return false
    return rows.some((r) => r.publicIp !== '' && seeds.has(r.publicIp.toLowerCase()))
  }
}
