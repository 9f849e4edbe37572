import { describe, expect, test } from 'vitest'
import { ConfigError } from '../errors.js'
import { isConnectionUrl, parseConnectionString, parseConninfo, redactConnectionString } from './connection-string.js'

const asObject = (m: Map<string, string>) => Object.fromEntries(m)

describe('URL form', () => {
  test.each([
    ['postgres://h', { host: 'h' }],
    ['postgresql://h', { host: 'h' }],
    ['POSTGRESQL://h', { host: 'h' }],
    ['postgres://', {}],
    ['postgresql:///db', { dbname: 'db' }],
    ['postgres://u@h/db', { user: 'u', host: 'h', dbname: 'db' }],
    ['postgres://u:pw@h:5433/db', { user: 'u', password: 'pw', host: 'h', port: '5433', dbname: 'db' }],
    // empty parts are not set at all (libpq), so PGPASSWORD, PGUSER, PGDATABASE still apply
    ['postgres://u:@h', { user: 'u', host: 'h' }],
    ['postgres://:@h/', { host: 'h' }],
    ['postgres://@h', { host: 'h' }],
    ['postgres://:pw@h', { password: 'pw', host: 'h' }],
    ['postgres://h?dbname=&user=', { host: 'h', dbname: '', user: '' }],
    ['postgres://h/?', { host: 'h' }],
    // an unencoded '?' or '#' in the credentials: libpq looks for '@' before the first '/'
    ['postgresql://u:p?ss@host/db', { user: 'u', password: 'p?ss', host: 'host', dbname: 'db' }],
    ['postgresql://u?x:hunter2@h/db', { user: 'u?x', password: 'hunter2', host: 'h', dbname: 'db' }],
    ['postgresql://u:p#ss@host/db', { user: 'u', password: 'p#ss', host: 'host', dbname: 'db' }],
    ['postgresql://u:p:q@h', { user: 'u', password: 'p:q', host: 'h' }],
    ['postgresql://h?x=a@b', { user: 'h?x=a', host: 'b' }],
    ['postgresql://h/db?application_name=a@b', { host: 'h', dbname: 'db', application_name: 'a@b' }],
    ['postgresql://h/db#frag', { host: 'h', dbname: 'db#frag' }],
    // nothing is trimmed (libpq): white space at the end belongs to the last value
    ['postgresql://h/db\n', { host: 'h', dbname: 'db\n' }],
    ['postgresql://h/db?password=secret\t', { host: 'h', dbname: 'db', password: 'secret\t' }],
    ['postgresql://h/db?password=secret%09', { host: 'h', dbname: 'db', password: 'secret\t' }],
    ['  postgresql://h', { host: 'h' }],
    // percent-decoding everywhere
    ['postgres://us%40er:p%40%3A%2Fss@h/my%20db', { user: 'us@er', password: 'p@:/ss', host: 'h', dbname: 'my db' }],
    ['postgres://%C3%BCser@h/d%C3%A9j%C3%A0', { user: 'üser', host: 'h', dbname: 'déjà' }],
    // an unencoded '@' in the password: pgfleet takes the last '@' before the host ends (libpq the first)
    ['postgres://u:p@ss@h', { user: 'u', password: 'p@ss', host: 'h' }],
    ['postgres://u:a?b@c@h/db', { user: 'u', password: 'a?b@c', host: 'h', dbname: 'db' }],
    ['postgres://u:p@s?x=a@b', { user: 'u', password: 'p', host: 's', x: 'a@b' }],
    // '+' is not a space (libpq decodes %XX only)
    ['postgres://h/a+b', { host: 'h', dbname: 'a+b' }],
    // multi-host with per-host ports and IPv6
    ['postgres://h1:5433,h2,[::1]:5434/db', { host: 'h1,h2,::1', port: '5433,,5434', dbname: 'db' }],
    ['postgres://[::1]/db', { host: '::1', dbname: 'db' }],
    ['postgres://[fe80::1%25eth0]:5433', { host: 'fe80::1%eth0', port: '5433' }],
    // libpq's port list has one entry per host even when all are empty: PGPORT does not apply
    ['postgres://h1,h2', { host: 'h1,h2', port: ',' }],
    ['postgres://h1:,h2', { host: 'h1,h2', port: ',' }],
    ['postgres://,', { host: ',', port: ',' }],
    ['postgres://[a,b]:5433', { host: 'a,b', port: '5433' }],
    ['postgres://h%2Cg', { host: 'h,g' }],
    // empty host: only the port given
    ['postgres://:5433/db', { port: '5433', dbname: 'db' }],
    // unix sockets
    ['postgres://%2Fvar%2Frun%2Fpostgresql/db', { host: '/var/run/postgresql', dbname: 'db' }],
    ['postgres:///db?host=/tmp', { dbname: 'db', host: '/tmp' }],
    ['postgres:///db?host=%2Ftmp%2Fpg', { dbname: 'db', host: '/tmp/pg' }],
    // query parameters, decoded, later ones win
    ['postgres://h?sslmode=require&application_name=my%20app', { host: 'h', sslmode: 'require', application_name: 'my app' }],
    ['postgres://h?a=1&&a=2&', { host: 'h', a: '2' }],
    ['postgres://h?&sslmode=require', { host: 'h', sslmode: 'require' }],
    ['postgres://h?sslmode=', { host: 'h', sslmode: '' }],
    // '=' inside a value (libpq refuses it)
    ['postgres://h?options=-c x=y', { host: 'h', options: '-c x=y' }],
    ['postgres://h1?host=h2', { host: 'h2' }],
    ['postgres://h?options=-c%20search_path%3Dx', { host: 'h', options: '-c search_path=x' }],
  ])('%s', (url, expected) => {
    expect(asObject(parseConnectionString(url))).toEqual(expected)
  })

  test.each([
    ['postgres://h/%zz', 'invalid percent-encoding in the database name'],
    ['postgres://h/%C3', 'percent-encoded bytes in the database name are not UTF-8'],
    ['postgres://h/a%00b', 'percent-encoded NUL'],
    ['postgres://[::1/db', 'missing "]"'],
    ['postgres://[]/db', 'empty IPv6 host address'],
    ['postgres://[::1]x/db', 'unexpected character after an IPv6 host address (character 17'],
    ['postgres://h?a=1&sslmode', 'missing "=" in URL query parameter 2'],
    ['postgres://h:0/db', 'a port in the URL is not a number'],
    ['postgres://h/d\0b', 'a NUL character'],
  ])('%s fails', (url, message) => {
    const err = (() => {
      try {
        parseConnectionString(url)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).option).toBe('connectionString')
    expect((err as ConfigError).message).toContain(message)
  })

  test('a malformed password is reported without its text', () => {
    expect(() => parseConnectionString('postgres://u:s3cr%zzet@h')).toThrow(/invalid percent-encoding in the password$/)
    try {
      parseConnectionString('postgres://u:s3cr%zzet@h')
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('s3cr')
    }
  })

  test('isConnectionUrl', () => {
    expect(isConnectionUrl('postgres://x')).toBe(true)
    expect(isConnectionUrl('  postgresql://x')).toBe(true)
    expect(isConnectionUrl('host=postgres://')).toBe(false)
    expect(isConnectionUrl('mysql://x')).toBe(false)
  })
})

describe('key=value form', () => {
  test.each([
    ['', {}],
    ['   ', {}],
    ['host=a', { host: 'a' }],
    ['host = a  port =5433', { host: 'a', port: '5433' }],
    ['host=a,b port=5433,5434 dbname=x user=y', { host: 'a,b', port: '5433,5434', dbname: 'x', user: 'y' }],
    ["password='quoted \\' value' sslmode=require", { password: "quoted ' value", sslmode: 'require' }],
    ["password='' user=u", { password: '', user: 'u' }],
    ["options='-c search_path=a,b'", { options: '-c search_path=a,b' }],
    ['password=a\\ b', { password: 'a b' }],
    ["password='back\\\\slash'", { password: 'back\\slash' }],
    ['host=a\thost=b\n', { host: 'b' }],
    // a trailing lone backslash is dropped (libpq)
    ['password=abc\\', { password: 'abc' }],
    ['sslmode=require\\', { sslmode: 'require' }],
    ['password=a\\\\', { password: 'a\\' }],
    ['password=\\', { password: '' }],
    // a closing quote ends the value; the next keyword may follow at once
    ["password='a'host=b", { password: 'a', host: 'b' }],
    ["password=it's", { password: "it's" }],
    ['host=a host=', { host: '' }],
    // white space: C isspace() only; a no-break space is part of the value
    ['\v\fhost=a\r\n', { host: 'a' }],
    ['host=a\u00a0', { host: 'a\u00a0' }],
  ])('%j', (s, expected) => {
    expect(asObject(parseConninfo(s))).toEqual(expected)
  })

  test.each([
    ['localhost', 'missing "=" after "localhost"'],
    ['host a', 'missing "=" after "host"'],
    ['=x', '"=" without a keyword'],
    ["password='never closed\\", 'unterminated quoted value of "password"'],
    ["password='never closed\\'", 'unterminated quoted value of "password"'],
    ['password=never closed', 'missing "=" after the word at character 16'],
    ["password='never closed", 'unterminated quoted value of "password"'],
  ])('%j fails', (s, message) => {
    expect(() => parseConninfo(s)).toThrow(ConfigError)
    expect(() => parseConninfo(s)).toThrow(message)
    try {
      parseConninfo(s)
    } catch (e) {
      expect((e as ConfigError).option).toBe('connectionString')
      expect((e as Error).message).not.toContain('never closed')
    }
  })
})

test('later duplicates win and move to the end, so aliases resolve by position', () => {
  expect([...parseConnectionString('sslmode=disable requiressl=1 sslmode=verify-full').keys()]).toEqual(['requiressl', 'sslmode'])
  expect([...parseConnectionString('postgres://h?ssl=true&sslmode=disable&ssl=false').keys()]).toEqual(['host', 'sslmode', 'ssl'])
})

describe('no part of a password in any error', () => {
  const MARK = 'Pw0rdMARK'
  const passwords = [MARK, `${MARK}?x`, `a?${MARK}`, `${MARK}/x`, `a/${MARK}`, `a#${MARK}`, `${MARK}%zz`, `${MARK}%00`, `${MARK}%C3`, `a@${MARK}`, `${MARK}:x`, `[${MARK}`]
  // The marker in the password: neither errors nor redaction may show it.
  const urls = (pw: string) => [
    `postgresql://u:${pw}@h/db`,
    `postgresql://u:${pw}@h/db?sslmode`,
    `postgresql://u:${pw}@h:x/db`,
    `postgresql://u:${pw}@[::1/db`,
    `postgresql://u:${pw}@[::1]x/db`,
    `postgresql://u:${pw}@h/%zz`,
    `postgresql://:${pw}@h/db?%zz=1`,
    `postgresql://u:p/${pw}@h/db`,
    `postgresql://h/db?password=${pw}&x`,
    `postgresql://h/db?password=${pw}&%zz=1`,
    `postgresql://h/db?x&sslpassword=${pw}`,
    // "@host" left out: libpq reads the password as a port (an '@' in it would be a host separator)
    ...(pw.includes('@') ? [] : [`postgresql://u:${pw}`, `postgresql://u:${pw}/db`, `postgresql://u:${pw}?a`]),
  ]
  const conninfos = (pw: string) => [
    `password=${pw} oops`,
    `password=${pw} x y=z`,
    `password='${pw}`,
    `password='${pw}\\`,
    `host=h password=${pw} =x`,
    `password = ${pw} user`,
    `sslpassword=${pw} junk`,
  ]
  // The marker in the user name: errors may not show it (redaction keeps user names).
  const users = (pw: string) => [`postgresql://${pw}@h:x`, `postgresql://${pw}:p@h/%zz`, `postgresql://${pw}@[::1`]
  const secretInputs = passwords.flatMap((pw) => [...urls(pw), ...conninfos(pw)])
  const inputs = [...secretInputs, ...passwords.flatMap(users)]

  test.each(inputs)('%s', (input) => {
    let message = ''
    try {
      parseConnectionString(input)
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      message = (e as Error).message
    }
    expect(message).not.toContain('MARK')
    if (secretInputs.includes(input)) expect(redactConnectionString(input)).not.toContain('MARK')
  })

  test('the inputs do fail', () => {
    const failed = inputs.filter((s) => {
      try {
        parseConnectionString(s)
        return false
      } catch {
        return true
      }
    })
    expect(failed.length).toBeGreaterThan(inputs.length / 2)
  })
})

describe('redactConnectionString', () => {
  test.each([
    ['postgres://u:secret@h/db', 'postgres://u:***@h/db'],
    ['postgres://u:se@cret@h:5433/db?x=1', 'postgres://u:***@h:5433/db?x=1'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['postgres://h/db?password=secret&sslmode=require', 'postgres://h/db?password=***&sslmode=require'],
    ['postgres://h/db?sslmode=require&sslpassword=secret', 'postgres://h/db?sslmode=require&sslpassword=***'],
    ['host=h password=secret user=u', 'host=h password=*** user=u'],
    ["host=h password='se cr\\'et' user=u", 'host=h password=*** user=u'],
    ['host=h password = secret', 'host=h password = ***'],
    ['host=h sslpassword=secret', 'host=h sslpassword=***'],
    ["password='unterminated secret", 'password=***'],
    ['postgresql://u:se?cret@h/db', 'postgresql://u:***@h/db'],
    ['postgresql://u:se/cret@h/db', 'postgresql://u:***@h/db'],
    ['postgresql://u:secret', 'postgresql://u:***'],
    ['postgresql://u:secret/db', 'postgresql://u:***'],
    ['POSTGRES://u:secret@h', 'POSTGRES://u:***@h'],
    ['postgresql://h:5432/db?user=a@b', 'postgresql://h:5432/db?user=a@b'],
    ['host=h password=sec ret user=u', 'host=h password=*** *** user=u'],
    ['password=secret\\', 'password=***'],
    ["host=h password='secret\\'", 'host=h password=***'],
    ["password='secret'host=h", 'password=*** host=h'],
  ])('%s', (input, expected) => {
    expect(redactConnectionString(input)).toBe(expected)
    expect(redactConnectionString(input)).not.toContain('secret')
  })
})
