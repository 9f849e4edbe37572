/**
 * Connection strings → a flat map of keyword → text value, as libpq's
 * PQconninfoParse reads them (libpq docs, 34.1.1 "Connection Strings";
 * conninfo_parse and conninfo_uri_parse_options in fe-connect.c). Two forms:
 *
 * - URL: `postgres[ql]://[user[:password]@][host[:port][,...]][/dbname][?k=v&...]`.
 *   Every part is percent-decoded. Hosts may be `[IPv6]`; a unix socket
 *   directory is given percent-encoded (`%2Ftmp`) or as `?host=/tmp`. Hosts and
 *   ports become libpq's comma lists: `host=h1,h2`, `port=5433,`. Empty parts
 *   (user, password, dbname) are not set at all, so the environment and the
 *   password file still apply; nothing is trimmed.
 * - key=value: `host=a,b port=5433 password='it\'s'`; spaces around `=` are
 *   allowed, values may be single-quoted, `\` escapes the next character (a
 *   trailing lone `\` is dropped).
 *
 * Names are not checked here; the option table does that. Later duplicates
 * win and move to the end of the map, so aliases (`requiressl`, `ssl`) that
 * set the same option resolve by position, as in libpq. No text of the input
 * ever appears in a URL error (an unencoded `/`, `?` or `@` can shift any part
 * of a password into any other part), nor in a key=value error once a
 * password-like keyword has been seen.
 */
import { ConfigError } from '../errors.js'
import { C_INTEGER, isCSpace } from './values.js'

const OPTION = 'connectionString'
const URL_SCHEME = /^postgres(?:ql)?:\/\//i
/** Keywords whose values are secrets (password, sslpassword, misspellings); passfile is a path. */
const SECRET_KEY = /pass(?!file)/i

/** True when `s` is a `postgres://` or `postgresql://` URL (any case; leading white space allowed). */
export function isConnectionUrl(s: string): boolean {
  return URL_SCHEME.test(s.trimStart())
}

/** Parse either form into keyword → value; later duplicates win, as in libpq. */
export function parseConnectionString(s: string): Map<string, string> {
  // A C string ends at NUL: libpq would read a shorter string than the one given.
  if (s.includes('\0')) throw fail('a NUL character (U+0000) in the connection string')
  return isConnectionUrl(s) ? parseConnectionUrl(s) : parseConninfo(s)
}

function fail(message: string): ConfigError {
  return new ConfigError(`invalid connection string: ${message}`, { option: OPTION })
}

/** Set `key`, moving it to the end so the map's order is the order of last writes. */
function store(out: Map<string, string>, key: string, value: string): void {
  out.delete(key)
  out.set(key, value)
}

/** Percent-decode one URL part (libpq conninfo_uri_decode); `what` names it in errors, its text is never shown. */
function decode(text: string, what: string): string {
  if (!text.includes('%')) return text
  if (/%(?![0-9a-fA-F]{2})/.test(text)) throw fail(`invalid percent-encoding in ${what}`)
  // libpq refuses %00: a NUL cannot travel in a C string (nor in the protocol).
  if (/%00/.test(text)) throw fail(`percent-encoded NUL (%00) in ${what}`)
  try {
    return decodeURIComponent(text)
  } catch {
    throw fail(`percent-encoded bytes in ${what} are not UTF-8`)
  }
}

/** Index of the first of `chars` in `s` at or after `from`, or `s.length`. */
function scan(s: string, chars: string, from: number): number {
  let i = from
  while (i < s.length && !chars.includes(s[i]!)) i++
  return i
}

/**
 * Where the credentials end: the `@` libpq finds before the first `/`, or -1.
 * libpq takes the first `@`; an unencoded `@` in a password then puts the rest
 * of the password into a host name, which is looked up in DNS and shown in
 * errors. pgfleet takes the last `@` before the first `/` or `?` after it.
 */
function credentialsEnd(rest: string): number {
  const first = scan(rest, '@/', 0)
  if (rest[first] !== '@') return -1
  const hostEnd = scan(rest, '/?', first + 1)
  const last = rest.lastIndexOf('@', hostEnd - 1)
  return last > first ? last : first
}

/** The length of the `postgres[ql]://` prefix, after leading white space, or 0. */
function urlPrefixLength(url: string): number {
  const lead = url.length - url.trimStart().length
  const m = URL_SCHEME.exec(url.slice(lead))
  return m ? lead + m[0].length : 0
}

/** libpq's port check at connect time (parse_int_param, then 1..65535); empty means the default. */
const validPort = (p: string): boolean => p === '' || (C_INTEGER.test(p) && Number(p) >= 1 && Number(p) <= 65535)

/** Parse a `postgres://` URL (libpq conninfo_uri_parse_options). */
export function parseConnectionUrl(url: string): Map<string, string> {
  const out = new Map<string, string>()
  const prefix = urlPrefixLength(url)
  if (prefix === 0) throw fail('expected a postgres:// or postgresql:// URL')
  const rest = url.slice(prefix)
  let p = 0

  const at = credentialsEnd(rest)
  if (at >= 0) {
    const userinfo = rest.slice(0, at)
    const colon = userinfo.indexOf(':')
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo
    // Empty user or password: not set, so PGUSER / PGPASSWORD / the password file apply.
    if (user !== '') store(out, 'user', decode(user, 'the user name'))
    const password = colon >= 0 ? userinfo.slice(colon + 1) : ''
    if (password !== '') store(out, 'password', decode(password, 'the password'))
    p = at + 1
  }

  // host[:port] entries, separated by commas, each host maybe [IPv6].
  let hosts = ''
  let ports = ''
  let stop = ''
  for (;;) {
    let host: string
    if (rest[p] === '[') {
      const close = rest.indexOf(']', p + 1)
      if (close < 0) throw fail('missing "]" after an IPv6 host address')
      if (close === p + 1) throw fail('empty IPv6 host address "[]"')
      host = rest.slice(p + 1, close)
      p = close + 1
      if (p < rest.length && !':/?,'.includes(rest[p]!)) {
        throw fail(`unexpected character after an IPv6 host address (character ${prefix + p + 1}; expected ":", "/", "?" or ",")`)
      }
    } else {
      const end = scan(rest, ':/?,', p)
      host = rest.slice(p, end)
      p = end
    }
    hosts += host
    stop = rest[p] ?? ''
    if (stop === ':') {
      const end = scan(rest, '/?,', p + 1)
      ports += rest.slice(p + 1, end)
      p = end
      stop = rest[p] ?? ''
    }
    if (stop !== ',') break
    p++
    hosts += ','
    ports += ','
  }
  if (hosts !== '') store(out, 'host', decode(hosts, 'the host list'))
  const portList = ports === '' ? undefined : decode(ports, 'the port list')
  if (portList !== undefined) store(out, 'port', portList)

  if (stop === '/') {
    const end = scan(rest, '?', p + 1)
    const dbname = rest.slice(p + 1, end)
    // Empty: not set, so PGDATABASE applies (libpq).
    if (dbname !== '') store(out, 'dbname', decode(dbname, 'the database name'))
    p = end
    stop = rest[p] ?? ''
  }
  if (stop === '?') parseUrlQuery(rest.slice(p + 1), out)
  // libpq would refuse such a port at connect and show it; it is often a password's tail
  // after an unencoded "/" or a missing "@", so refuse it here without showing it.
  if (portList !== undefined && out.get('port') === portList && !portList.split(',').every(validPort)) {
    throw fail('a port in the URL is not a number from 1 to 65535 (not shown: percent-encode "@", "/" and ":" in user names and passwords)')
  }
  return out
}

/** `k=v&k=v` (libpq conninfo_uri_parse_params). Empty parameters are skipped; a value may hold `=`. */
function parseUrlQuery(query: string, out: Map<string, string>): void {
  const pairs = query.split('&')
  for (let n = 0; n < pairs.length; n++) {
    const pair = pairs[n]!
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const what = `URL query parameter ${n + 1}`
    if (eq < 0) throw fail(`missing "=" in ${what}`)
    const key = decode(pair.slice(0, eq), `the name of ${what}`)
    store(out, key, decode(pair.slice(eq + 1), `the value of ${what}`))
  }
}

/** Parse a libpq key=value string (libpq conninfo_parse). */
export function parseConninfo(s: string): Map<string, string> {
  const out = new Map<string, string>()
  let i = 0
  const n = s.length
  // Once a password-like keyword was seen, any later word may be a piece of an unquoted password.
  let secretSeen = false
  const shown = (word: string, at: number) => (secretSeen ? `the word at character ${at + 1}` : JSON.stringify(word))
  const skipSpace = () => {
    while (i < n && isCSpace(s[i])) i++
  }
  for (;;) {
    skipSpace()
    if (i >= n) break
    const start = i
    while (i < n && !isCSpace(s[i]) && s[i] !== '=') i++
    const key = s.slice(start, i)
    skipSpace()
    if (s[i] !== '=') throw fail(`missing "=" after ${shown(key, start)}`)
    if (key === '') throw fail(`"=" without a keyword before it (character ${i + 1})`)
    i++
    skipSpace()
    let value = ''
    if (s[i] === "'") {
      i++
      for (;;) {
        // A backslash before the end leaves the quote open: libpq reports it unterminated.
        if (i >= n) throw fail(`unterminated quoted value of ${shown(key, start)}`)
        const c = s[i]!
        if (c === '\\') {
          if (i + 1 < n) value += s[i + 1]
          i += 2
        } else if (c === "'") {
          i++
          break
        } else {
          value += c
          i++
        }
      }
    } else {
      while (i < n && !isCSpace(s[i])) {
        // `\` escapes the next character; a trailing lone `\` is dropped (libpq).
        if (s[i] === '\\') i++
        if (i < n) value += s[i]
        i++
      }
    }
    store(out, key, value)
    if (SECRET_KEY.test(key)) secretSeen = true
  }
  return out
}

/**
 * Replace the password of a connection string (either form) with `***`, for
 * logs and error messages. Never throws, even on malformed input. Errs on the
 * side of hiding: a URL password that libpq would misread because of an
 * unencoded `/` (or a missing `@host`) is hidden too, and so are the words
 * after an unquoted key=value password that have no `=` of their own.
 */
export function redactConnectionString(s: string): string {
  return isConnectionUrl(s) ? redactUrl(s) : redactConninfo(s)
}

function redactUrl(s: string): string {
  const prefix = urlPrefixLength(s)
  const rest = s.slice(prefix)
  let out = rest
  const at = credentialsEnd(rest)
  const colon = rest.indexOf(':')
  const slash = scan(rest, '/', 0)
  const lateAt = rest.slice(0, scan(rest, '?', slash)).lastIndexOf('@')
  if (at >= 0) {
    if (colon >= 0 && colon < at) out = `${rest.slice(0, colon)}:***${rest.slice(at)}`
  } else if (lateAt > slash && colon >= 0 && colon < slash) {
    // `user:pa/ss@host`: libpq reads host "user", port "pa", dbname "ss@host".
    out = `${rest.slice(0, colon)}:***${rest.slice(lateAt)}`
  } else if (colon >= 0 && colon < slash) {
    // `user:password` with the `@host` left out: libpq reads the password as a port
    // (and what follows a `/` or `?` in it as more parts); the URL cannot work, hide the rest.
    if (!validPort(rest.slice(colon + 1, scan(rest, '/?,', colon + 1)))) out = `${rest.slice(0, colon)}:***`
  }
  out = out.replace(/([?&][^=&]*pass(?!file)[^=&]*=)[^&]*/gi, '$1***')
  return s.slice(0, prefix) + out
}

function redactConninfo(s: string): string {
  let out = ''
  let i = 0
  const n = s.length
  let hiding = false
  while (i < n) {
    const start = i
    while (i < n && isCSpace(s[i])) i++
    while (i < n && !isCSpace(s[i]) && s[i] !== '=') i++
    const word = s.slice(start, i)
    let j = i
    while (j < n && isCSpace(s[j])) j++
    if (s[j] !== '=') {
      // A word without "=": after an unquoted password it is probably more of it.
      out += hiding ? word.replace(/\S+/g, '***') : word
      continue
    }
    j++
    while (j < n && isCSpace(s[j])) j++
    let end = j
    if (s[end] === "'") {
      end++
      while (end < n && s[end] !== "'") end += s[end] === '\\' ? 2 : 1
      end = Math.min(end + 1, n)
    } else {
      while (end < n && !isCSpace(s[end])) end += s[end] === '\\' ? 2 : 1
      end = Math.min(end, n)
    }
    const secret = SECRET_KEY.test(word)
    // After a closing quote the next keyword may follow at once; keep it apart from the "***".
    out += s.slice(start, j) + (secret ? (end < n && !isCSpace(s[end]) ? '*** ' : '***') : s.slice(j, end))
    hiding = secret && s[j] !== "'"
    i = end
  }
  return out
}
