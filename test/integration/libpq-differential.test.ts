/**
 * Differential test: libpq 15 itself (through python3's ctypes,
 * test/support/libpq-conninfo.py) and pgfleet read the same few thousand
 * seeded connection strings (test/support/conninfo-generator.ts); both must
 * agree on (i) whether the string parses and (ii) the keyword → value map
 * (PQconninfoParse against parseConnectionString plus pgfleet's name check),
 * and, for strings both parse, (iii) whether the values are acceptable
 * (libpq's checks on the way to connecting, against parseConfig). Every
 * disagreement must match an entry of ACCEPTED, which says why pgfleet differs
 * on purpose; any other fails the test and prints the first few.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { isConnectionUrl, parseConnectionString, redactConnectionString } from '../../src/config/connection-string.js'
import { isKnownOption } from '../../src/config/options.js'
import { installFileFormats } from '../../src/config/files.js'
import { parseConfig } from '../../src/config/parse.js'
import { generateConnectionStrings } from '../support/conninfo-generator.js'

/** A runtime with files but none of them present: a passfile is accepted, nothing is read. */
const NO_FILES = { readFile: () => undefined, homeDir: () => undefined }
// As the Node entry does: with a readFile but no parsers (the Workers build), a passfile is refused.
installFileFormats()

const SCRIPT = fileURLToPath(new URL('../support/libpq-conninfo.py', import.meta.url))
// PGFLEET_LIBPQ_SEED / PGFLEET_LIBPQ_COUNT try other strings (the suite runs the fixed ones).
const SEED = Number(process.env.PGFLEET_LIBPQ_SEED ?? 20261207)
const COUNT = Number(process.env.PGFLEET_LIBPQ_COUNT ?? 3000)

/** libpq's reading: a map or a parse error; `refused` when a connect attempt refuses a value; `binary` for non-UTF-8 values. */
interface Libpq {
  ok?: Record<string, string>
  error?: string
  refused?: string
  binary?: boolean
}
/** pgfleet's reading: a map (libpq keywords where pgfleet spells them differently) or a parse error; `config` is parseConfig's error. */
interface Ours {
  ok?: Record<string, string>
  error?: string
  config?: string
}
type Kind = 'libpq refuses, pgfleet parses' | 'libpq parses, pgfleet refuses' | 'different values' | 'pgfleet refuses a value libpq accepts' | 'libpq refuses a value pgfleet accepts'
interface Case {
  input: string
  libpq: Libpq
  ours: Ours
  kind?: Kind
  /** `libpq` is libpq's reading of the plain URL (lower-case scheme, no leading white space): libpq reads `input` as key=value and fails. */
  plain?: boolean
}
interface Accepted {
  reason: string
  when: (c: Case) => boolean
}

const libpqErrorNames = (c: Case, name: (k: string) => boolean): boolean => {
  const m = /(?:invalid connection option|invalid URI query parameter:) "([^"]*)"/.exec(c.libpq.error ?? '')
  return m !== null && name(m[1]!)
}
const url = (c: Case): boolean => isConnectionUrl(c.input)
const configSays = (c: Case, re: RegExp): boolean => re.test(c.ours.config ?? '')
/** libpq's refusal is nothing but messages matching `re` (one per host tried; values may hold newlines). */
const refusedSays = (c: Case, re: RegExp): boolean => c.libpq.refused !== undefined && c.libpq.refused.replace(new RegExp(re.source, 'gi'), '').trim() === ''

/**
 * Deliberate differences, one reason each. A disagreement is counted under the
 * first entry that matches it. Keep predicates narrow: they must not hide bugs.
 */
const ACCEPTED: Accepted[] = [
  // Parsing.
  {
    reason: 'pgfleet-only keyword: pgfleet knows keywords libpq 15 does not (its YugabyteDB keys load_balance, topology_keys..., camelCase and pg spellings sslMode, database, ssl..., libpq 16+ keys require_auth, load_balance_hosts..., its own query_timeout...)',
    when: (c) => c.kind === 'libpq refuses, pgfleet parses' && libpqErrorNames(c, (k) => !LIBPQ_KEYWORDS.has(k) && isKnownOption(k, false)),
  },
  {
    reason: 'scheme case: pgfleet reads POSTGRES:// and PostgreSQL:// as URLs, as libpq reads the lower-case scheme; libpq reads them as key=value and fails',
    when: (c) => c.kind === undefined && c.plain === true && !/^postgres(?:ql)?:\/\//.test(c.input.trimStart()),
  },
  {
    reason: 'leading white space: pgfleet skips white space before a URL scheme, then reads it as libpq does; libpq reads it as key=value and fails',
    when: (c) => c.kind === undefined && c.plain === true && /^\s/.test(c.input),
  },
  {
    reason: 'empty query parameter: pgfleet skips an empty URL query parameter (?&a=1, a=1&&b=2); libpq refuses it',
    when: (c) => c.kind === 'libpq refuses, pgfleet parses' && /missing key\/value separator "=" in URI query parameter: ""/.test(c.libpq.error!),
  },
  {
    reason: '"=" in a query value: pgfleet splits a URL query parameter at its first "=" (?options=-c x=y); libpq refuses a second "="',
    when: (c) => c.kind === 'libpq refuses, pgfleet parses' && /extra key\/value separator "="/.test(c.libpq.error!),
  },
  {
    reason: '"@" in a password: pgfleet ends the credentials at the last "@" of the authority; libpq at the first, and would look up (and show in errors) a host named after the rest of the password',
    when: (c) => url(c) && atInHostSection(c.input) && c.kind !== 'libpq refuses a value pgfleet accepts' && c.kind !== 'pgfleet refuses a value libpq accepts',
  },
  {
    reason: 'non-UTF-8: pgfleet refuses percent-encoded bytes that are not UTF-8 (its values are Unicode text); libpq passes the bytes on',
    when: (c) => c.kind === 'libpq parses, pgfleet refuses' && /are not UTF-8/.test(c.ours.error!) && /%[89a-f][0-9a-f]/i.test(c.input),
  },
  {
    reason: 'bad URL port: pgfleet refuses, when parsing and without showing it, a URL port that libpq refuses at connect (showing it: often a password tail after an unencoded "/")',
    when: (c) => c.kind === 'libpq parses, pgfleet refuses' && /a port in the URL/.test(c.ours.error!) && c.libpq.refused !== undefined,
  },
  // Values: pgfleet stricter.
  {
    reason: 'not implemented: pgfleet refuses libpq features it lacks (sslcrl, requirepeer, ssl_*_protocol_version, krbsrvname, replication...) rather than ignore a security setting',
    when: (c) => c.kind === 'pgfleet refuses a value libpq accepts' && configSays(c, /is not supported by pgfleet/),
  },
  {
    reason: 'no GSSAPI: pgfleet refuses gssencmode=require',
    when: (c) => c.kind === 'pgfleet refuses a value libpq accepts' && configSays(c, /does not support GSSAPI/),
  },
  {
    reason: 'UTF-8 only: pgfleet refuses a client_encoding other than UTF-8 (libpq leaves it to the server)',
    when: (c) => c.kind === 'pgfleet refuses a value libpq accepts' && configSays(c, /^invalid client_encoding/),
  },
  {
    reason: 'requiressl: pgfleet takes only 1 and 0; libpq reads any other value (requiressl=true) as 0, sslmode=prefer',
    when: (c) => c.kind === 'pgfleet refuses a value libpq accepts' && configSays(c, /^invalid requiressl/),
  },
  {
    reason: 'keepalives off: pgfleet checks keepalives_idle/interval/count and tcp_user_timeout also with keepalives=0; libpq reads them only when keepalives are on',
    when: (c) => c.kind === 'pgfleet refuses a value libpq accepts' && configSays(c, /^invalid (keepalives_\w+|tcp_user_timeout) /) && /^\s*[+-]?0+\s*$/.test(c.ours.ok!.keepalives ?? ''),
  },
  {
    reason: 'hostaddr zone: pgfleet checks an IPv6 zone (fe80::1%eth0) when dialling, not when parsing; libpq asks getaddrinfo, which refuses an unknown interface',
    when: (c) => c.kind === 'libpq refuses a value pgfleet accepts' && refusedSays(c, /could not parse network address "[^"]*%[^"]*": Name or service not known/),
  },
  {
    reason: 'verify-full with hostaddr only: pgfleet refuses at once; libpq after the TLS handshake ("host name must be specified for a verified SSL connection")',
    when: (c) => c.kind === 'pgfleet refuses a value libpq accepts' && configSays(c, /^host name must be specified for a verified SSL connection/),
  },
  {
    reason: 'sslrootcert=system: pgfleet reads it as libpq 16 does (the system CA store, sslmode verify-full only); libpq 15 takes it for a file name',
    when: (c) => c.kind === 'pgfleet refuses a value libpq accepts' && configSays(c, /may not be used with sslrootcert=system/),
  },
  // Values: pgfleet more lenient.
  {
    reason: 'any-case values: pgfleet reads enum values in any case and without surrounding white space (sslmode=Require); libpq only exact lower case',
    when: (c) => c.kind === 'libpq refuses a value pgfleet accepts' && /^invalid \w+ value: "([^"]*[A-Z][^"]*|\s[^"]*|[^"]*\s)"$/.test(c.libpq.refused!),
  },
  {
    reason: 'keepalives words: pgfleet also reads keepalives=true/false/on/off; libpq only whole numbers',
    when: (c) => c.kind === 'libpq refuses a value pgfleet accepts' && refusedSays(c, /invalid integer value "\s*[a-z]+\s*" for connection option "keepalives"/),
  },
  {
    reason: 'past C int: pgfleet reads whole numbers past the C int range (connect_timeout=99999999999: no limit; keepalives: on); libpq refuses them',
    when: (c) =>
      c.kind === 'libpq refuses a value pgfleet accepts' &&
      refusedSays(c, /invalid integer value "\s*[+-]?\d{10,}\s*" for connection option "(connect_timeout|keepalives|keepalives_\w+|tcp_user_timeout)"/),
  },
  {
    reason: 'blank port: pgfleet reads a port entry of white space as the default port, as an empty one; libpq refuses it',
    when: (c) => c.kind === 'libpq refuses a value pgfleet accepts' && refusedSays(c, /invalid integer value "\s*" for connection option "port"/),
  },
  {
    reason: 'keepalive tuning: libpq hands keepalives_idle/interval/count to setsockopt (the kernel refuses some values) as C ints; JavaScript runtimes cannot set interval and count, pgfleet checks whole numbers only',
    when: (c) =>
      c.kind === 'libpq refuses a value pgfleet accepts' &&
      refusedSays(c, /setsockopt\(TCP_KEEP\w+\) failed: Invalid argument/),
  },
]

/** The URL with a lower-case scheme and no leading white space. */
const plainUrl = (s: string): string => s.trimStart().replace(/^postgres(?:ql)?:\/\//i, (m) => m.toLowerCase())

/** The authority past libpq's first "@" (up to "/" or "?") holds another "@". */
function atInHostSection(input: string): boolean {
  const rest = input.trimStart().replace(/^postgres(?:ql)?:\/\//i, '')
  const first = rest.search(/[@/]/)
  if (first < 0 || rest[first] !== '@') return false
  const section = rest.slice(first + 1).split(/[/?]/)[0]!
  return section.includes('@')
}

let LIBPQ_KEYWORDS = new Set<string>()

/** pgfleet's map, in libpq's terms: requiressl and a URL's ssl=true become sslmode, as libpq stores them. */
function readOurs(input: string): Ours {
  let map: Map<string, string>
  try {
    map = parseConnectionString(input)
  } catch (e) {
    return { error: (e as Error).message }
  }
  const unknown = [...map.keys()].find((k) => !LIBPQ_KEYWORDS.has(k) && !isKnownOption(k, false))
  if (unknown !== undefined) return { error: `unknown option ${JSON.stringify(unknown)}` }
  const ok: Record<string, string> = {}
  const set = (k: string, v: string) => {
    delete ok[k]
    ok[k] = v
  }
  for (const [k, v] of map) {
    if (k === 'requiressl') set('sslmode', v.startsWith('1') ? 'require' : 'prefer')
    else if (k === 'ssl' && v === 'true' && isConnectionUrl(input)) set('sslmode', 'require')
    else set(k, v)
  }
  const out: Ours = { ok }
  try {
    parseConfig(input, {}, NO_FILES)
  } catch (e) {
    out.config = (e as Error).message
  }
  return out
}

const sameMap = (a: Record<string, string>, b: Record<string, string>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v)

/** What kind of disagreement, if any. */
function disagreement(c: Case): Kind | undefined {
  const { libpq, ours } = c
  if (libpq.error !== undefined) return ours.error !== undefined ? undefined : 'libpq refuses, pgfleet parses'
  if (ours.error !== undefined) return 'libpq parses, pgfleet refuses'
  if (!sameMap(libpq.ok!, ours.ok!)) return 'different values'
  if (ours.config !== undefined && libpq.refused === undefined) return 'pgfleet refuses a value libpq accepts'
  if (ours.config === undefined && libpq.refused !== undefined) return 'libpq refuses a value pgfleet accepts'
  return undefined
}

/** Why libpq cannot be run here, or undefined when it can. */
function unavailable(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL("libpq.so.5")'], { encoding: 'utf8' })
  if (r.error) return 'python3 not found'
  if (r.status !== 0) return 'libpq.so.5 not found by python3 ctypes (apt-get install libpq5)'
  return undefined
}

const missing = unavailable()
if (missing !== undefined) console.warn(`libpq differential test skipped: ${missing}`)

test.skipIf(missing !== undefined)(`pgfleet reads ${COUNT} generated connection strings as libpq 15 does`, () => {
  const inputs = generateConnectionStrings(SEED, COUNT)
  // Plain forms of URLs libpq does not take as URLs (POSTGRES://, leading space) ride in the same batch.
  const plain = inputs.filter((s) => isConnectionUrl(s) && plainUrl(s) !== s).map(plainUrl)
  const batch = [...inputs, ...plain]
  const run = spawnSync('python3', [SCRIPT, '--connect', '--keywords'], { input: JSON.stringify(batch), encoding: 'utf8', maxBuffer: 64 << 20 })
  expect(run.status, run.stderr).toBe(0)
  const { keywords, results } = JSON.parse(run.stdout) as { keywords: string[]; results: Libpq[] }
  LIBPQ_KEYWORDS = new Set(keywords)
  expect(results).toHaveLength(batch.length)
  const plainResults = new Map(plain.map((s, i) => [s, results[inputs.length + i]!]))

  // Redaction never throws, and what still parses after it holds no password.
  for (const input of inputs) {
    let before: Map<string, string> | undefined
    let after: Map<string, string> | undefined
    try {
      before = parseConnectionString(input)
      after = parseConnectionString(redactConnectionString(input))
    } catch {
      continue
    }
    for (const k of ['password', 'sslpassword']) {
      const [was, is] = [before.get(k), after.get(k)]
      const hidden = is === undefined || (is.startsWith('***') && (was === undefined || was.length < 2 || !is.includes(was)))
      expect(hidden, `${k} left in ${JSON.stringify(input)}: ${JSON.stringify(is)}`).toBe(true)
    }
  }

  const counts = new Map<string, number>()
  const unexplained: Case[] = []
  let agree = 0
  inputs.forEach((input, i) => {
    // A URL libpq takes as key=value (POSTGRES://, leading space) is compared with libpq's reading of its plain form.
    const plainResult = isConnectionUrl(input) ? plainResults.get(plainUrl(input)) : undefined
    const c: Case = { input, libpq: plainResult ?? results[i]!, ours: readOurs(input), plain: plainResult !== undefined }
    c.kind = disagreement(c)
    if (c.kind === undefined && (!c.plain || disagreement({ ...c, libpq: results[i]! }) === undefined)) {
      agree++
      return
    }
    const hit = ACCEPTED.find((a) => a.when(c))
    if (hit === undefined) unexplained.push(c)
    else counts.set(hit.reason, (counts.get(hit.reason) ?? 0) + 1)
  })

  const pct = ((100 * agree) / inputs.length).toFixed(1)
  const perReason = [...counts].map(([reason, n]) => `${n} ${reason.split(':')[0]}`).join('; ')
  console.log(`libpq differential: ${inputs.length} cases, ${agree} agree (${pct}%), accepted differences: ${perReason || 'none'}, unexplained: ${unexplained.length}`)
  // PGFLEET_LIBPQ_DIFF=file.json writes every unexplained disagreement there, for study.
  if (process.env.PGFLEET_LIBPQ_DIFF) writeFileSync(process.env.PGFLEET_LIBPQ_DIFF, JSON.stringify(unexplained, null, 1))
  const show = unexplained.slice(0, 8).map((c) => `${c.kind}: ${JSON.stringify(c.input)}\n  libpq:   ${JSON.stringify(c.libpq)}\n  pgfleet: ${JSON.stringify(c.ours)}`)
  expect(unexplained.length, `disagreements with no accepted reason:\n${show.join('\n')}`).toBe(0)
}, 30_000)
