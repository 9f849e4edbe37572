/**
 * The password file (libpq 34.16 "The Password File"): lines of
 * `hostname:port:database:username:password`. Each of the first four fields
 * is a literal or `*` (matches anything); `\` escapes `:` and `\`; lines
 * starting with `#` are comments; the first matching line wins. Pure: the
 * caller reads the file (src/connection/password.ts).
 */

/** What a line is matched against: one host of the connection. */
export interface PassfileKey {
  /** The host name the user gave (or hostaddr when no name was given). */
  host: string
  port: number
  database: string
  user: string
}

/**
 * The host field a connection is looked up under: libpq uses `localhost` for
 * an empty host (and for its compiled-in default socket directory, which
 * pgfleet does not have: a socket directory is matched as written).
 */
export function passfileHost(host: string): string {
  return host === '' ? 'localhost' : host
}

/**
 * Match one field of `line` (from `at`) against `wanted` as libpq's
 * pwdfMatchesString does; returns the index after the field's `:` or -1.
 * `*` matches only as a whole field.
 */
function matchField(line: string, at: number, wanted: string): number {
  if (line[at] === '*' && line[at + 1] === ':') return at + 2
  let i = at
  let w = 0
  while (i < line.length) {
    let c = line[i]!
    let escaped = false
    if (c === '\\' && i + 1 < line.length) {
      i++
      c = line[i]!
      escaped = true
    }
    // libpq: an unescaped ':' ends the field only once the value is used up; before that it matches a ':' in the value.
    if (c === ':' && !escaped && w === wanted.length) return i + 1
    if (w >= wanted.length || c !== wanted[w]) return -1
    i++
    w++
  }
  return -1
}

/** The password field: up to the next unescaped `:` (libpq ignores anything after it), backslashes removed. */
function passwordField(line: string, at: number): string {
  let out = ''
  for (let i = at; i < line.length && line[i] !== ':'; i++) {
    if (line[i] === '\\' && i + 1 < line.length) i++
    out += line[i]
  }
  return out
}

/** The password of the first line matching `key`, or undefined. */
export function findPassfilePassword(text: string, key: PassfileKey): string | undefined {
  const fields = [passfileHost(key.host), String(key.port), key.database, key.user]
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r+$/, '') // libpq strips every trailing CR and LF
    if (line === '' || line.startsWith('#')) continue
    let at = 0
    for (const field of fields) {
      at = matchField(line, at, field)
      if (at < 0) break
    }
    if (at < 0) continue
    return passwordField(line, at)
  }
  return undefined
}

/** libpq ignores a password file readable or writable by group or others (not checked on Windows). */
export function passfileTooOpen(mode: number): boolean {
  return (mode & 0o077) !== 0
}
