/**
 * Looking options up in the option table (src/config/option-table.ts): the
 * row for a spelling, or an error like libpq's `invalid connection option`
 * that names close matches. The table's parsers and defaults live in
 * option-parsers.ts.
 */
import { ConfigError } from '../errors.js'
import { OPTION_TABLE, type OptionSpec } from './option-table.js'

export { OPTION_TABLE, ENV_OPTIONS, type OptionKey, type OptionSpec, type ParsedOptions } from './option-table.js'
export {
  DEFAULT_CANCEL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FAILED_HOST_TTL_SECONDS,
  DEFAULT_YB_SERVERS_REFRESH_INTERVAL,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_RESULT_BYTES,
  DEFAULT_MAX_SCRAM_ITERATIONS,
  DEFAULT_STATEMENT_CACHE_SIZE,
  SSL_MODES,
} from './option-parsers.js'

/** libpq keywords pgfleet knows but does not implement: a clear error beats "unknown". */
const UNSUPPORTED = [
  'sslcrl', 'sslcrldir', 'sslcertmode', 'requirepeer', 'krbsrvname',
  'gsslib', 'gssdelegation', 'replication', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'sslkeylogfile',
]

const BY_NAME = new Map<string, OptionSpec>(OPTION_TABLE.flatMap((spec: OptionSpec) => spec.names.map((n) => [n, spec] as const)))

/** True when `name` is an accepted option spelling (objects: `inObject`). */
export function isKnownOption(name: string, inObject = true): boolean {
  const spec = BY_NAME.get(name)
  return spec !== undefined && (inObject || !spec.objectOnly)
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}

const squash = (s: string) => s.toLowerCase().replace(/[_-]/g, '')

/** Up to three accepted spellings close to `name`. */
export function closeMatches(name: string, inObject: boolean): string[] {
  const wanted = squash(name)
  const names = [...BY_NAME.keys()].filter((n) => isKnownOption(n, inObject))
  return names
    .map((n) => ({ n, d: squash(n) === wanted ? 0 : distance(wanted, squash(n)) }))
    .filter(({ n, d }) => d <= Math.max(1, Math.min(3, Math.floor(n.length / 4))))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ n }) => n)
}

/**
 * The table row for an option spelling. Unknown names fail like libpq's
 * `invalid connection option`, listing close matches; the value is never shown.
 */
export function findOption(name: string, inObject: boolean, via?: string, afterSecret?: string): OptionSpec {
  const spec = BY_NAME.get(name)
  if (spec !== undefined && (inObject || !spec.objectOnly)) return spec
  const from = via ? ` (from ${via})` : ''
  if (UNSUPPORTED.includes(name)) {
    throw new ConfigError(`option "${name}"${from} is not supported by pgfleet`, { option: name })
  }
  if (spec !== undefined) {
    throw new ConfigError(`option "${name}"${from} is accepted only in an options object`, { option: name })
  }
  // `password=my secret=x`: an unknown "option" right after a secret is likely the rest of it; never show it.
  if (afterSecret !== undefined) {
    const what = afterSecret === 'password' ? 'a password' : `"${afterSecret}"`
    throw new ConfigError(`unknown option right after ${what}${from} (not shown: it may be part of that value; quote a value that has spaces)`, {
      option: afterSecret,
    })
  }
  const near = closeMatches(name, inObject)
  const hint = near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : ''
  const guc = ' (set server parameters with options="-c name=value" or startupParams)'
  throw new ConfigError(`unknown option "${name}"${from}${hint}${near.length === 0 ? guc : ''}`, { option: name })
}
