/**
 * The host book of one cluster: connections this process has open (or is
 * opening) per node, and nodes that recently failed to connect.
 *
 * One book per cluster is shared by every factory and pool of the process
 * (`sharedHostBooks`), so two pools on one cluster balance together, while each
 * keeps its own policy (topology keys, mode). Everything here is synchronous:
 * a count is reserved at pick time, before any I/O, so concurrent connects
 * spread evenly without a lock.
 */
import type { HostSpec } from '../config/types.js'
import { hostKey } from './candidates.js'

/** A counted connection slot. `release` decrements exactly once, however often it is called. */
export interface Reservation {
  readonly key: string
  release(): void
}

interface NodeEntry {
  open: number
  /** Host shown in snapshots: the last address dialled for this node. */
  label: NodeLabel
}

interface NodeLabel {
  host: string
  port: number
}

/** Live counts and failed-host marks for one cluster. */
export class HostBook {
  readonly #nodes = new Map<string, NodeEntry>()
  /** node key → time (ms) it was marked failed. */
  readonly #failedAt = new Map<string, number>()

  /**
   * Count one more connection to `key`, now. The returned reservation must be
   * released when the connect fails or the session ends (both is fine).
   */
  reserve(key: string, dialled: NodeLabel): Reservation {
    let entry = this.#nodes.get(key)
    if (entry === undefined) {
      entry = { open: 0, label: dialled }
      this.#nodes.set(key, entry)
    }
    entry.label = dialled
    entry.open += 1
    const counted = entry
    let released = false
    return {
      key,
      release: () => {
        if (released) return
        released = true
        // Never below zero, even if an entry were shared oddly.
        counted.open = Math.max(0, counted.open - 1)
      },
    }
  }

  /** Connections open or being opened to `key`. */
  open(key: string): number {
    return this.#nodes.get(key)?.open ?? 0
  }

  /** Every node this book has counted, with its dialled address and current count. */
  entries(): Array<{ key: string; host: string; port: number; open: number }> {
    return [...this.#nodes].map(([key, { open, label }]) => ({ key, host: label.host, port: label.port, open }))
  }

  /**
   * Open connections per host, for `hostConnections()`. Keys are the dialled
   * host, or `host:port` when two nodes share a host. Nodes whose count fell
   * back to 0 stay in the map with 0.
   */
  snapshot(): Map<string, number> {
    const hostCount = new Map<string, number>()
    for (const { label } of this.#nodes.values()) hostCount.set(label.host, (hostCount.get(label.host) ?? 0) + 1)
    const out = new Map<string, number>()
    for (const { open, label } of this.#nodes.values()) {
      const name = hostCount.get(label.host) === 1 ? label.host : `${label.host}:${label.port}`
      out.set(name, (out.get(name) ?? 0) + open)
    }
    return out
  }

  /** Remember that `key` failed to connect at `now` (ms). */
  markFailed(key: string, now: number): void {
    this.#failedAt.set(key, now)
  }

  /** Forget a failure mark (the node answered again). */
  clearFailed(key: string): void {
    this.#failedAt.delete(key)
  }

  /**
   * True while `key` failed less than `ttlMs` ago. Each caller passes its own
   * TTL (failed_host_ttl_seconds is a per-pool option); expired marks are dropped.
   */
  isFailed(key: string, now: number, ttlMs: number): boolean {
    const at = this.#failedAt.get(key)
    if (at === undefined) return false
    if (now - at < ttlMs) return true
    if (now - at >= MAX_FAILED_TTL_MS) this.#failedAt.delete(key)
    return false
  }

  /** When `key` was last marked failed (ms), undefined when it carries no mark. */
  failedSince(key: string): number | undefined {
    return this.#failedAt.get(key)
  }

  /** Keys marked failed less than `ttlMs` ago. */
  failedKeys(now: number, ttlMs: number): string[] {
    return [...this.#failedAt.keys()].filter((key) => this.isFailed(key, now, ttlMs))
  }

  /** The dialled `host:port` of a node, for messages. */
  describe(key: string): string {
    const label = this.#nodes.get(key)?.label
    return label === undefined ? key : `${label.host}:${label.port}`
  }
}

/**
 * Marks older than this are dropped whatever the caller's TTL; no accepted
 * failed_host_ttl_seconds is longer (the smart drivers cap it well below).
 */
const MAX_FAILED_TTL_MS = 24 * 60 * 60 * 1000

/** Books (and server lists) by cluster key. */
export class HostBookRegistry {
  readonly #books = new Map<string, HostBook>()
  readonly #caches = new Map<string, unknown>()

  /**
   * The shared value under `key` (the cluster's server list cache), created
   * on first use, so every connect and pool on a cluster discovers it once.
   */
  sharedFor<T>(key: string, create: () => T): T {
    let value = this.#caches.get(key) as T | undefined
    if (value === undefined) {
      value = create()
      this.#caches.set(key, value)
    }
    return value
  }

  /** The book of the cluster `key`, created on first use. */
  bookFor(key: string): HostBook {
    let book = this.#books.get(key)
    if (book === undefined) {
      book = new HostBook()
      this.#books.set(key, book)
    }
    return book
  }
}

/**
 * The process-wide registry: pools on the same cluster share a book through
 * it. Kept on globalThis so the ESM and CJS builds (or two bundled copies)
 * loaded in one process still share it.
 */
export const sharedHostBooks: HostBookRegistry = ((globalThis as Record<symbol, unknown>)[Symbol.for('pgfleet.hostBooks')] ??=
  new HostBookRegistry()) as HostBookRegistry

/**
 * Identity of a cluster from the hosts the user listed: the sorted, de-duplicated
 * `host:port` list (host lower-cased, hostaddr appended when given). Database and user do not matter: every
 * session on a node loads it the same.
 */
export function clusterKeyOf(hosts: readonly HostSpec[]): string {
  const seeds = new Set(hosts.map(hostKey))
  return [...seeds].sort().join(',')
}
