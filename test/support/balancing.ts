/**
 * Small helpers for the balancing integration tests (test/integration/
 * balancing-*.test.ts): URLs for a per-test topology and application_name,
 * client and server counts in node order, polling.
 */
import { randomUUID } from 'node:crypto'
import type { Client } from '../../src/index.js'
import { serverConnectionCounts } from './admin.js'
import { TRUST_USER, DATABASE } from './users.js'

export interface Addr {
  host: string
  port: number
}

/** A unique application_name (pg_stat_activity filter) for one test. */
export function appName(tag: string): string {
  return `lb-${tag}-${randomUUID().slice(0, 8)}`
}

/**
 * A connection URL with `seeds` as hosts, the trust user, and the session
 * reading topology `topology` through `options=-c pgfleet.topology=...`.
 */
export function lbUrl(
  seeds: readonly Addr[],
  params: Record<string, string | number | boolean>,
  opts: { topology?: string; user?: string; password?: string; database?: string } = {},
): string {
  const hosts = seeds.map((s) => `${s.host}:${s.port}`).join(',')
  const user = encodeURIComponent(opts.user ?? TRUST_USER)
  const auth = opts.password === undefined ? user : `${user}:${encodeURIComponent(opts.password)}`
  const query: Record<string, string> = { sslmode: 'disable' }
  if (opts.topology !== undefined) query.options = `-c pgfleet.topology=${opts.topology}`
  for (const [k, v] of Object.entries(params)) query[k] = String(v)
  // Percent-encoding (not URLSearchParams' '+' for a space: libpq URLs decode only %XX).
  const search = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')
  return `postgresql://${auth}@${hosts}/${encodeURIComponent(opts.database ?? DATABASE)}?${search}`
}

/** The values of a host → count map in the order of `nodes` (missing hosts are 0). */
export function inOrder(map: ReadonlyMap<string, number>, nodes: readonly Addr[]): number[] {
  return nodes.map((n) => map.get(n.host) ?? map.get(`${n.host}:${n.port}`) ?? 0)
}

/** Server-side counts (pg_stat_activity) in node order. */
export async function serverCounts(nodes: readonly Addr[], app: string): Promise<number[]> {
  return inOrder(await serverConnectionCounts(nodes, app), nodes)
}

/**
 * Polls `read` until `ok` holds or `timeoutMs` passes; returns the last value
 * (assert on it, so a timeout shows what was seen).
 */
export async function eventually<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (ok(value) || Date.now() > deadline) return value
    await sleep(50)
  }
}

/** Server counts once they equal `expected` (or the last seen after `timeoutMs`). */
export function serverCountsEventually(nodes: readonly Addr[], app: string, expected: readonly number[], timeoutMs = 5000): Promise<number[]> {
  return eventually(
    () => serverCounts(nodes, app),
    (c) => c.every((n, i) => n === expected[i]),
    timeoutMs,
  )
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Close every client, ignoring ones already ended. */
export async function closeAll(clients: readonly Client[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
}

/** Sum of the values of a map. */
export function total(map: ReadonlyMap<string, number>): number {
  let n = 0
  for (const v of map.values()) n += v
  return n
}
