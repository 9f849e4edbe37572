/**
 * A seeded generator of connection strings, good and bad, for the libpq
 * differential test (test/unit/libpq-differential.test.ts): URL and key=value
 * forms, percent-encoding (valid, invalid, %00, non-UTF-8), quoting and
 * escapes, IPv6 brackets, multi-host lists with and without ports, empty
 * values, junk numbers, case variants of schemes and keywords, white space at
 * the ends, unknown keywords and passwords with special characters.
 *
 * `service` is left out: it names a file to read, which is not parsing
 * (src/config/service-file.test.ts covers it).
 */
import { mulberry32 } from './hostile-fuzz.js'

type Rng = () => number
/** A seeded PRNG, so every run tests the same strings. */
export const prng = mulberry32
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const chance = (r: Rng, p: number): boolean => r() < p
const times = <T>(r: Rng, min: number, max: number, f: () => T): T[] => Array.from({ length: min + Math.floor(r() * (max - min + 1)) }, f)

const INTS = ['0', '1', '2', '5', '10', '-1', '-5', '2147483647', '99999999999', 'x', '1.5', ' 5', '+5', '', '5s', '3000000']
const BOOLS = ['0', '1', '2', 'true', 'false', 'yes', 'on', 'off', 'TRUE', 'maybe', '']
const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'Require', 'VERIFY-FULL', 'bogus', '']
const PATHS = ['/tmp/x.pem', 'C:\\certs\\ca.pem', 'system', '', "it's", 'a b']
const TEXT = ['app', 'my app', 'déjà', "o'brien", 'a,b', 'x=y', '', 'a\\b', '-c search_path=a,b']

/** libpq 15 keywords (less passfile, service, hostaddr) with plausible and junk values. */
export const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  host: ['h', 'localhost', '127.0.0.1', '::1', 'h1,h2', 'h1,,h3', '/tmp', '', ' h ', 'a@b'],
  hostaddr: ['127.0.0.1', '::1', '127.0.0.1,127.0.0.2', '127.0.0.1,', 'localhost', '', '300.1.1.1'],
  passfile: ['/tmp/pgfleet-no-such-passfile', ''],
  port: ['5432', '5433,5434', '5433,', ',', '0', '65536', 'x', '', ' 5432', '5432,x'],
  user: ['u', 'us er', 'ü', '', 'a@b'],
  password: ['pw', 'p@ss', "it's", 'a b', 'p?w', 'p/w', 'p#w', 'p\\w', '', 'p:w', '%zz'],
  dbname: ['db', 'my db', '', 'postgresql://h/db', 'a/b'],
  options: TEXT,
  application_name: TEXT,
  fallback_application_name: TEXT,
  client_encoding: ['UTF8', 'utf-8', 'auto', 'LATIN1', ''],
  channel_binding: ['disable', 'prefer', 'require', 'Require', 'x', ''],
  connect_timeout: INTS,
  keepalives: [...INTS, ...BOOLS],
  keepalives_idle: INTS,
  keepalives_interval: INTS,
  keepalives_count: INTS,
  tcp_user_timeout: INTS,
  sslmode: SSLMODES,
  sslcompression: BOOLS,
  sslsni: BOOLS,
  sslcert: PATHS,
  sslkey: PATHS,
  sslrootcert: PATHS,
  sslpassword: ['pw', "it's", ''],
  sslcrl: PATHS,
  sslcrldir: PATHS,
  requirepeer: ['postgres'],
  ssl_min_protocol_version: ['TLSv1.2', 'TLSv1.3', 'TLSv9', ''],
  ssl_max_protocol_version: ['TLSv1.3', 'x'],
  gssencmode: ['disable', 'prefer', 'require', 'x'],
  krbsrvname: ['postgres'],
  gsslib: ['gssapi'],
  replication: ['database', 'true', 'x'],
  target_session_attrs: ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby', 'Primary', 'x', ''],
  requiressl: ['1', '0', 'true', 'x', ''],
}

/** Keywords libpq 15 does not know: pgfleet's own, its YugabyteDB and camelCase spellings, libpq 16+, typos. */
const OTHER_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  load_balance: ['true', 'any', 'x'],
  topology_keys: ['aws.us-east-1.us-east-1a', 'x'],
  loadBalance: ['true'],
  ssl: ['true', 'false', '1', 'require', 'x'],
  database: ['db'],
  username: ['u'],
  sslMode: SSLMODES,
  require_auth: ['md5', 'x'],
  load_balance_hosts: ['random', 'x'],
  sslnegotiation: ['direct', 'postgres'],
  query_timeout: ['1000', 'x'],
  statement_cache_size: ['0', '100'],
  Host: ['h'],
  SSLMODE: ['require'],
  foo: ['bar'],
  '': ['x'],
}

/** Characters and escapes that stress the parsers, mixed into values. */
const SPECIALS = ['?', '/', '#', '@', ':', ',', '&', '=', '%40', '%2F', '%3F', '%20', '%zz', '%2', '%', '%00', '%FF', '%C3%A9', '%c3%a9', ' ', '\t', '\n', "'", '\\', '[', ']', '+', 'é']

function spice(r: Rng, value: string): string {
  if (!chance(r, 0.25)) return value
  const at = Math.floor(r() * (value.length + 1))
  return value.slice(0, at) + pick(r, SPECIALS) + value.slice(at)
}

function keyword(r: Rng): [string, readonly string[]] {
  const table = chance(r, 0.1) ? OTHER_KEYWORDS : KEYWORDS
  const name = pick(r, Object.keys(table))
  return [name, table[name]!]
}

/** Escape for key=value: quoted with \' and \\, or unquoted with backslashes. */
function conninfoValue(r: Rng, v: string): string {
  const style = r()
  if (style < 0.4) return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (style < 0.75) return v.replace(/[\\\s']/g, (c) => `\\${c}`) || "''"
  if (style < 0.85) return v // raw: may break at spaces or quotes
  if (style < 0.9) return `'${v}` // unterminated
  if (style < 0.95) return `${v}\\` // trailing backslash
  return `'${v}\\'` // escaped closing quote: unterminated
}

function conninfo(r: Rng): string {
  const pairs = times(r, 0, 4, () => {
    const [k, values] = keyword(r)
    const v = spice(r, pick(r, values))
    const eq = pick(r, ['=', '=', '=', ' = ', '= ', ' =', ''])
    return `${k}${eq}${conninfoValue(r, v)}`
  })
  const sep = () => pick(r, [' ', ' ', '  ', '\t', '\n', ''])
  return pairs.map((p) => p + sep()).join('')
}

const HOSTS = ['h', 'db.example.com', '127.0.0.1', '[::1]', '[fe80::1%25eth0]', '[::1', '[]', '[::1]x', '', '%2Ftmp', '%2F', 'h%zz', 'h%2Cg', '[a,b]', 'h h', 'ü']
const PORTS = ['', ':5432', ':5433', ':', ':0', ':65536', ':x', ':%35432', ': 5432', ':5432x', ':+5432']

function authority(r: Rng): string {
  const hosts = times(r, 1, 3, () => spice(r, pick(r, HOSTS)) + (chance(r, 0.5) ? pick(r, PORTS) : ''))
  return hosts.join(',')
}

function userinfo(r: Rng): string {
  const user = spice(r, pick(r, ['u', 'user', '', 'us%40er', 'ü', 'u%zz']))
  const password = spice(r, pick(r, KEYWORDS.password!))
  const form = r()
  if (form < 0.25) return ''
  if (form < 0.45) return `${user}@`
  if (form < 0.95) return `${user}:${password}@`
  return `${user}:${password}` // the @host left out
}

function query(r: Rng): string {
  const params = times(r, 1, 4, () => {
    const [k, values] = keyword(r)
    const v = spice(r, pick(r, values)).replace(/[%&]/g, (c) => (chance(r, 0.7) ? encodeURIComponent(c) : c))
    return pick(r, [`${k}=${v}`, `${k}=${v}`, `${k}=${v}`, k, '', `${k}=${v}=x`])
  })
  return `?${params.join('&')}${chance(r, 0.1) ? '&' : ''}`
}

function url(r: Rng): string {
  const scheme = pick(r, ['postgresql://', 'postgresql://', 'postgresql://', 'postgres://', 'postgres://', 'POSTGRES://', 'PostgreSQL://', 'postgresql:/', 'postgresql:'])
  const lead = chance(r, 0.05) ? pick(r, [' ', '\t', '\n']) : ''
  const path = chance(r, 0.6) ? `/${spice(r, pick(r, ['db', 'my%20db', '', 'd%zz', 'a/b', 'db ', 'postgres']))}` : ''
  const q = chance(r, 0.5) ? query(r) : ''
  const tail = chance(r, 0.05) ? pick(r, [' ', '\t', '\n', '%09']) : ''
  return `${lead}${scheme}${userinfo(r)}${authority(r)}${path}${q}${tail}`
}

/** `count` connection strings from `seed`, about half of each form; no NUL characters. */
export function generateConnectionStrings(seed: number, count: number): string[] {
  const r = prng(seed)
  return Array.from({ length: count }, () => (chance(r, 0.5) ? url(r) : conninfo(r)))
}
