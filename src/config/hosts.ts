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
  /** libpq hostaddr: the numeric address dialled instead of resolving `host`. */
  hostaddr?: string
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

/** RFC 4291 text form: eight hex groups, one `::` for a run of zeros, an IPv4 tail allowed, a %zone suffix. */
function isIPv6(address: string): boolean {
  // An interface (zone) suffix, as getaddrinfo takes it: fe80::1%eth0.
  const zone = address.indexOf('%')
  if (zone >= 0 && !/^%[\w.-]+$/.test(address.slice(zone))) return false
  const text = zone >= 0 ? address.slice(0, zone) : address
  const halves = text.split('::')
  if (halves.length > 2) return false
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')))
  const all = groups.flat()
  const last = all[all.length - 1]
  const v4Tail = last !== undefined && last.includes('.')
  if (v4Tail && !IPV4.test(last)) return false
  const hex = v4Tail ? all.slice(0, -1) : all
  if (!hex.every((g) => HEX_GROUP.test(g))) return false
  const size = hex.length + (v4Tail ? 2 : 0)
  return halves.length === 2 ? size <= 7 : size === 8
}

/** True for a numeric IPv4 or IPv6 address (what libpq's hostaddr takes). */
export function isNumericAddress(text: string): boolean {
  return IPV4.test(text) || isIPv6(text)
}

/** `hostaddr=127.0.0.1,,::1` → addresses ('' where the entry is empty: that host is resolved by name). */
export function parseHostaddrList(raw: unknown, origin: ValueOrigin): string[] {
  // Not trimmed: libpq hands each entry to getaddrinfo as written.
  const list = typeof raw === 'string' ? raw.split(',') : parseHostList(raw, origin)
  for (const address of list) {
    if (address !== '' && !isNumericAddress(address)) {
      throw invalidValue(origin, address, 'numeric IPv4 or IPv6 addresses (give names in host)', 'entry')
    }
  }
  return list
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
  return hosts.map((h, i) => {
    const port = h.port ?? (ports === undefined ? undefined : ports.length === 1 ? ports[0] : ports[i]) ?? DEFAULT_PORT
    // libpq: with hostaddr and no host name, the address also names the host (passfile, messages).
    const host = h.host !== '' ? h.host : h.hostaddr || DEFAULT_HOST
    return h.hostaddr ? { host, port, hostaddr: h.hostaddr } : { host, port }
  })
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

/**
 * Where to dial a host: its hostaddr when given (libpq: no name lookup), the
 * socket file for a unix socket directory, else the host name.
 */
export function dialTarget(h: HostSpec): { host: string; port: number; path?: string } {
  if (h.hostaddr !== undefined) return { host: h.hostaddr, port: h.port }
  if (h.host.startsWith('/')) return { host: h.host, port: h.port, path: `${h.host.replace(/\/+$/, '')}/.s.PGSQL.${h.port}` }
  return { host: h.host, port: h.port }
}
