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
    ['postgres://u:@h', { user: 'u', password: '', host: 'h' }],
    ['postgres://:pw@h', { password: 'pw', host: 'h' }],
    // percent-decoding everywhere
    ['postgres://us%40er:p%40%3A%2Fss@h/my%20db', { user: 'us@er', password: 'p@:/ss', host: 'h', dbname: 'my db' }],
    ['postgres://%C3%BCser@h/d%C3%A9j%C3%A0', { user: 'üser', host: 'h', dbname: 'déjà' }],
    // an unencoded '@' in the password: the last '@' ends the credentials
    ['postgres://u:p@ss@h', { user: 'u', password: 'p@ss', host: 'h' }],
    // '+' is not a space (libpq decodes %XX only)
    ['postgres://h/a+b', { host: 'h', dbname: 'a+b' }],
    // multi-host with per-host ports and IPv6
    ['postgres://h1:5433,h2,[::1]:5434/db', { host: 'h1,h2,::1', port: '5433,,5434', dbname: 'db' }],
    ['postgres://[::1]/db', { host: '::1', dbname: 'db' }],
    ['postgres://[fe80::1%25eth0]:5433', { host: 'fe80::1%eth0', port: '5433' }],
    ['postgres://h1,h2', { host: 'h1,h2' }],
    // empty host: only the port given
    ['postgres://:5433/db', { port: '5433', dbname: 'db' }],
    // unix sockets
    ['postgres://%2Fvar%2Frun%2Fpostgresql/db', { host: '/var/run/postgresql', dbname: 'db' }],
    ['postgres:///db?host=/tmp', { dbname: 'db', host: '/tmp' }],
    ['postgres:///db?host=%2Ftmp%2Fpg', { dbname: 'db', host: '/tmp/pg' }],
    // query parameters, decoded, later ones win
    ['postgres://h?sslmode=require&application_name=my%20app', { host: 'h', sslmode: 'require', application_name: 'my app' }],
    ['postgres://h?a=1&&a=2&', { host: 'h', a: '2' }],
    ['postgres://h1?host=h2', { host: 'h2' }],
    ['postgres://h?options=-c%20search_path%3Dx', { host: 'h', options: '-c search_path=x' }],
  ])('%s', (url, expected) => {
    expect(asObject(parseConnectionString(url))).toEqual(expected)
  })

  test.each([
    ['postgres://h/%zz', 'invalid percent-encoding in database name "%zz"'],
    ['postgres://h/a%00b', 'percent-encoded NUL'],
    ['postgres://[::1/db', 'missing "]"'],
    ['postgres://[::1]x/db', 'unexpected character after IPv6'],
    ['postgres://h?sslmode', 'missing "=" in URL query parameter "sslmode"'],
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
    expect(() => parseConnectionString('postgres://u:s3cr%zzet@h')).toThrow(/invalid percent-encoding in password$/)
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
  ])('%j', (s, expected) => {
    expect(asObject(parseConninfo(s))).toEqual(expected)
  })

  test.each([
    ['localhost', 'missing "=" after "localhost"'],
    ['host a', 'missing "=" after "host"'],
    ['=x', '"=" without a keyword'],
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
  ])('%s', (input, expected) => {
    expect(redactConnectionString(input)).toBe(expected)
    expect(redactConnectionString(input)).not.toContain('secret')
  })
})
