/**
 * Multi-host lists (libpq 34.1.1.3 "Specifying Multiple Hosts"): hosts and
 * ports are separate comma lists; one port serves every host, or there is one
 * port per host, an empty entry meaning the default. Objects may also give
 * `hosts: ['h1:5433', '[::1]:5434', { host, port }]`.
 */
import { ConfigError } from '../errors.js'
import type { HostSpec } from './types.js'
import { invalidValue, parseInteger, type ValueOrigin } from './values.js'

/** Default port (libpq DEF_PGPORT). */
export const DEFAULT_PORT = 5432
/** Default host when none is given or an entry is empty (libpq uses localhost where unix sockets are unavailable). */
export const DEFAULT_HOST = 'localhost'

/** A host of an object `hosts` list; the port is optional there. */
export interface HostEntry {
  host: string
  port?: number
}

/** A port number 1..65535 from text or a number. */
export function parsePort(raw: unknown, origin: ValueOrigin): number {
  return parseInteger(raw, origin, { min: 1, max: 65535 })
}

/** `host=a,b` or (objects) `host: ['a', 'b']` → host names, spaces trimmed. */
export function parseHostList(raw: unknown, origin: ValueOrigin): string[] {
  if (typeof raw === 'string') return raw.split(',').map((h) => h.trim())
  if (Array.isArray(raw) && raw.every((h) => typeof h === 'string')) {
    return (raw as string[]).flatMap((h) => h.split(',')).map((h) => h.trim())
  }
  throw invalidValue(origin, raw, 'a host name, a comma-separated list of them, or an array of them')
}

/** `port=5433,,5434` → [5433, undefined, 5434]; numbers and arrays accepted from objects. */
export function parsePortList(raw: unknown, origin: ValueOrigin): (number | undefined)[] {
  if (typeof raw === 'number') return [parsePort(raw, origin)]
  const items: unknown[] | undefined =
    typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw.flatMap((p) => (typeof p === 'string' ? p.split(',') : [p])) : undefined
  if (items === undefined) throw invalidValue(origin, raw, 'a port number from 1 to 65535 or a comma-separated list of them')
  return items.map((p) => (typeof p === 'string' && p.trim() === '' ? undefined : parsePort(p, origin)))
}

/** Parse `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (no port). */
export function parseHostEntry(raw: unknown, origin: ValueOrigin): HostEntry {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const { host, port } = raw as { host?: unknown; port?: unknown }
    if (typeof host !== 'string') throw invalidValue(origin, raw, 'entries "host", "host:port" or { host, port }')
    return port === undefined || port === null ? { host: host.trim() } : { host: host.trim(), port: parsePort(port, origin) }
  }
  if (typeof raw !== 'string') throw invalidValue(origin, raw, 'entries "host", "host:port" or { host, port }')
  const text = raw.trim()
  if (text.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(text)
    if (!m) throw invalidValue(origin, raw, 'an IPv6 entry "[address]" or "[address]:port"')
    return m[2] === undefined ? { host: m[1]! } : { host: m[1]!, port: parsePort(m[2], origin) }
  }
  const colons = text.split(':').length - 1
  // Unix socket directories and bare IPv6 addresses carry no port.
  if (colons === 0 || text.startsWith('/') || colons > 1) return { host: text }
  const [host, port] = text.split(':') as [string, string]
  return { host, port: parsePort(port, origin) }
}

/** Object `hosts: [...]` → entries. */
export function parseHostEntries(raw: unknown, origin: ValueOrigin): HostEntry[] {
  const list = typeof raw === 'string' ? raw.split(',') : raw
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidValue(origin, raw, 'a non-empty array of "host", "host:port" or { host, port }')
  }
  return list.map((e) => parseHostEntry(e, origin))
}

/**
 * Pair hosts with ports, libpq rules: a port list of length 1 applies to every
 * host; otherwise it must have one entry per host; an absent or empty entry
 * is the default port. An entry's own port (object `hosts`) wins. An empty
 * host is the default host.
 */
export function pairHostsWithPorts(
  hosts: readonly HostEntry[],
  ports: readonly (number | undefined)[] | undefined,
  portOption = 'port',
): HostSpec[] {
  const needPorts = hosts.some((h) => h.port === undefined)
  if (needPorts && ports !== undefined && ports.length !== 1 && ports.length !== hosts.length) {
    throw new ConfigError(`could not match ${ports.length} port numbers to ${hosts.length} hosts`, { option: portOption })
  }
  return hosts.map((h, i) => ({
    host: h.host === '' ? DEFAULT_HOST : h.host,
    port: h.port ?? (ports === undefined ? undefined : ports.length === 1 ? ports[0] : ports[i]) ?? DEFAULT_PORT,
  }))
}

/**
 * A host for messages and map keys: `127.0.0.1:5433`, `[::1]:5432`, or for a
 * unix socket directory the socket path `/tmp/.s.PGSQL.5432`.
 */
export function describeHost(h: HostSpec): string {
  if (h.host.startsWith('/')) return `${h.host.replace(/\/+$/, '')}/.s.PGSQL.${h.port}`
  if (h.host.includes(':')) return `[${h.host}]:${h.port}`
  return `${h.host}:${h.port}`
}
