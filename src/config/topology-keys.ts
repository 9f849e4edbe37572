/**
 * `topology_keys`: a comma list of `cloud.region.zone[:level]` (YugabyteDB
 * smart drivers). `zone` may be `*` for every zone of the region. Levels run
 * 1..10 (default 1, tried first); gaps are allowed (`:1,:3`, or only `:2`),
 * unlike @yugabytedb/pg, which crashes on them.
 */
import type { TopologyKey } from './types.js'
import { invalidValue, type ValueOrigin } from './values.js'

/** Highest preference level accepted after `:`. */
export const MAX_TOPOLOGY_LEVEL = 10

const EXPECTED = `cloud.region.zone with an optional :level from 1 to ${MAX_TOPOLOGY_LEVEL} (zone may be *)`

/** Parse one entry such as `aws.us-east-1.us-east-1a:2`. */
function parseEntry(entry: string, origin: ValueOrigin): TopologyKey {
  const bad = () => invalidValue(origin, entry, EXPECTED, 'entry')
  const text = entry.trim()
  let place = text
  let level = 1
  const colon = text.lastIndexOf(':')
  if (colon >= 0) {
    place = text.slice(0, colon)
    const digits = text.slice(colon + 1)
    if (!/^\d{1,2}$/.test(digits)) throw bad()
    level = Number(digits)
    if (level < 1 || level > MAX_TOPOLOGY_LEVEL) throw bad()
  }
  const parts = place.split('.')
  if (parts.length !== 3 || parts.some((p) => p.trim() === '')) throw bad()
  const [cloud, region, zone] = parts.map((p) => p.trim()) as [string, string, string]
  // Only the zone may be a wildcard (as in the smart drivers).
  if (cloud === '*' || region === '*') throw bad()
  return { cloud, region, zone, level }
}

/**
 * Parse a topology key list: a comma-separated string, or (in objects) an
 * array of entries. An empty string means no keys.
 */
export function parseTopologyKeys(raw: unknown, origin: ValueOrigin): TopologyKey[] {
  let entries: string[]
  if (typeof raw === 'string') {
    if (raw.trim() === '') return []
    entries = raw.split(',')
  } else if (Array.isArray(raw) && raw.every((e) => typeof e === 'string')) {
    entries = raw as string[]
  } else {
    throw invalidValue(origin, raw, `a comma-separated list of ${EXPECTED}`)
  }
  return entries.map((e) => parseEntry(e, origin))
}
