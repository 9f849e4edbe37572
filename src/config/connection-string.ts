/**
 * Connection strings → a flat map of keyword → text value, as libpq reads them
 * (libpq docs, 34.1.1 "Connection Strings"). Two forms:
 *
 * - URL: `postgres[ql]://[user[:password]@][host[:port][,...]][/dbname][?k=v&...]`.
 *   Every part is percent-decoded. Hosts may be `[IPv6]`; a unix socket
 *   directory is given percent-encoded (`%2Ftmp`) or as `?host=/tmp`. Hosts and
 *   ports become libpq's comma lists: `host=h1,h2`, `port=5433,` (an empty port
 *   entry means the default), `port` only when some host had one.
 * - key=value: `host=a,b port=5433 password='it\'s'`; spaces around `=` are
 *   allowed, values may be single-quoted, `\` escapes the next character.
 *
 * Names are not checked here; the option table does that. No value ever
 * appears in an error: it might be a password.
 */
import { ConfigError } from '../errors.js'

const OPTION = 'connectionString'
const URL_SCHEME = /^postgres(?:ql)?:\/\//i

/** True when `s` is a `postgres://` or `postgresql://` URL. */
export function isConnectionUrl(s: string): boolean {
  return URL_SCHEME.test(s.trimStart())
}

/** Parse either form into keyword → value; later duplicates win, as in libpq. */
export function parseConnectionString(s: string): Map<string, string> {
  return isConnectionUrl(s) ? parseConnectionUrl(s.trim()) : parseConninfo(s)
}

function fail(message: string): ConfigError {
  return new ConfigError(`invalid connection string: ${message}`, { option: OPTION })
}

/**
 * Percent-decode one URL component. `what` names the component for errors;
 * the token itself is shown only for components that cannot be secret.
 */
function decode(text: string, what: string, secret = false): string {
  const where = secret ? what : `${what} ${JSON.stringify(text)}`
  // libpq refuses %00: a NUL cannot travel in a C string (nor in the protocol).
  if (/%00/.test(text)) throw fail(`percent-encoded NUL (%00) in ${where}`)
  try {
    return decodeURIComponent(text)
  } catch {
    throw fail(`invalid percent-encoding in ${where}`)
  }
}

/** One `host[:port]` entry of the URL authority; IPv6 must be bracketed. */
function parseUrlHost(entry: string): { host: string; port: string } {
  let host: string
  let rest: string
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']')
    if (close < 0) throw fail(`missing "]" in IPv6 host address ${JSON.stringify(entry)}`)
    host = decode(entry.slice(1, close), 'host')
    if (host === '') throw fail('empty IPv6 host address "[]"')
    rest = entry.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) {
      throw fail(`unexpected character after IPv6 host address ${JSON.stringify(entry)}`)
    }
  } else {
    const colon = entry.indexOf(':')
    host = colon < 0 ? entry : entry.slice(0, colon)
    rest = colon < 0 ? '' : entry.slice(colon)
    host = decode(host, 'host')
  }
  const port = rest.startsWith(':') ? decode(rest.slice(1), 'port') : ''
  return { host, port }
}

/** Parse a `postgres://` URL. */
export function parseConnectionUrl(url: string): Map<string, string> {
  const out = new Map<string, string>()
  let rest = url.replace(URL_SCHEME, '')
  let query = ''
  const q = rest.indexOf('?')
  if (q >= 0) {
    query = rest.slice(q + 1)
    rest = rest.slice(0, q)
  }
  const slash = rest.indexOf('/')
  const authority = slash >= 0 ? rest.slice(0, slash) : rest
  const path = slash >= 0 ? rest.slice(slash + 1) : ''

  // The last '@' ends the credentials, so an unencoded '@' in a password works.
  const at = authority.lastIndexOf('@')
  const hostPart = at >= 0 ? authority.slice(at + 1) : authority
  if (at >= 0) {
    const userinfo = authority.slice(0, at)
    const colon = userinfo.indexOf(':')
    const user = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'user')
    if (user !== '') out.set('user', user)
    if (colon >= 0) out.set('password', decode(userinfo.slice(colon + 1), 'password', true))
  }

  if (hostPart !== '') {
    const entries = hostPart.split(',').map(parseUrlHost)
    if (entries.some((e) => e.host !== '')) out.set('host', entries.map((e) => e.host).join(','))
    if (entries.some((e) => e.port !== '')) out.set('port', entries.map((e) => e.port).join(','))
  }
  if (path !== '') out.set('dbname', decode(path, 'database name'))

  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    if (eq < 0) throw fail(`missing "=" in URL query parameter ${JSON.stringify(decode(pair, 'query parameter name'))}`)
    const key = decode(pair.slice(0, eq), 'query parameter name')
    const secret = /password/i.test(key)
    out.set(key, decode(pair.slice(eq + 1), `value of ${key}`, secret))
  }
  return out
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v'

/** Parse a libpq key=value string (libpq's conninfo_parse). */
export function parseConninfo(s: string): Map<string, string> {
  const out = new Map<string, string>()
  let i = 0
  const n = s.length
  const skipSpace = () => {
    while (i < n && isSpace(s[i])) i++
  }
  while (true) {
    skipSpace()
    if (i >= n) break
    const start = i
    while (i < n && !isSpace(s[i]) && s[i] !== '=') i++
    const key = s.slice(start, i)
    skipSpace()
    if (s[i] !== '=') throw fail(`missing "=" after ${JSON.stringify(key)}`)
    if (key === '') throw fail('"=" without a keyword before it')
    i++
    skipSpace()
    let value = ''
    if (s[i] === "'") {
      i++
      let closed = false
      while (i < n) {
        const c = s[i]
        if (c === '\\' && i + 1 < n) {
          value += s[i + 1]
          i += 2
        } else if (c === "'") {
          i++
          closed = true
          break
        } else {
          value += c
          i++
        }
      }
      if (!closed) throw fail(`unterminated quoted value of ${JSON.stringify(key)}`)
    } else {
      while (i < n && !isSpace(s[i])) {
        if (s[i] === '\\' && i + 1 < n) i++
        value += s[i]
        i++
      }
    }
    out.set(key, value)
  }
  return out
}

/**
 * Replace the password of a connection string (either form) with `***`, for
 * logs and error messages. Never throws, even on malformed input.
 */
export function redactConnectionString(s: string): string {
  if (isConnectionUrl(s)) {
    let out = s.replace(/^(\s*postgres(?:ql)?:\/\/)([^/?]*)/i, (_m, scheme: string, authority: string) => {
      const at = authority.lastIndexOf('@')
      if (at < 0) return scheme + authority
      const userinfo = authority.slice(0, at)
      const colon = userinfo.indexOf(':')
      if (colon < 0) return scheme + authority
      return `${scheme}${userinfo.slice(0, colon)}:***${authority.slice(at)}`
    })
    out = out.replace(/([?&][^=&]*password=)[^&]*/gi, '$1***')
    return out
  }
  // key=value: quoted values may contain escaped quotes and spaces.
  return s.replace(/(\b\w*password\s*=\s*)('(?:\\.|[^'\\])*'?|(?:\\.|\S)*)/gi, '$1***')
}
