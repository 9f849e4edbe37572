import { describe, expect, test } from 'vitest'
import { findPassfilePassword, passfileHost, passfileTooOpen, type PassfileKey } from './passfile.js'

const key: PassfileKey = { host: 'db1.example', port: 5432, database: 'app', user: 'alice' }

describe('password file lines (libpq 34.16)', () => {
  test('the first matching line wins; * matches any field', () => {
    const text = 'other:5432:app:alice:no\n*:5432:app:alice:first\ndb1.example:5432:app:alice:second\n'
    expect(findPassfilePassword(text, key)).toBe('first')
  })
  test('every field must match; no match is undefined', () => {
    expect(findPassfilePassword('db1.example:5433:app:alice:x', key)).toBeUndefined()
    expect(findPassfilePassword('db1.example:5432:other:alice:x', key)).toBeUndefined()
    expect(findPassfilePassword('db1.example:5432:app:bob:x', key)).toBeUndefined()
    expect(findPassfilePassword('db1.example:5432:app', key)).toBeUndefined()
  })
  test('\\ escapes : and \\ in fields and password; the password ends at an unescaped :', () => {
    const k = { ...key, database: 'a:b', user: 'c\\d' }
    expect(findPassfilePassword('db1.example:5432:a\\:b:c\\\\d:p\\:w\\\\d:ignored', k)).toBe('p:w\\d')
  })
  test('* is a wildcard only as a whole field; \\* is a literal star', () => {
    expect(findPassfilePassword('db1.*:5432:app:alice:x', key)).toBeUndefined()
    expect(findPassfilePassword('*:*:*:\\*:x', { ...key, user: '*' })).toBe('x')
    expect(findPassfilePassword('*:*:*:\\*:x', key)).toBeUndefined()
  })
  test('comments, blank lines and CRLF endings', () => {
    expect(findPassfilePassword('# db1.example:5432:app:alice:no\r\n\r\n*:*:*:*:yes\r\n', key)).toBe('yes')
  })
  test('localhost stands for an empty host; a socket directory is matched as written', () => {
    expect(passfileHost('')).toBe('localhost')
    expect(passfileHost('/tmp')).toBe('/tmp')
    expect(passfileHost('/var/run/postgresql/')).toBe('/var/run/postgresql/')
  })
  test('group or world permission bits make the file too open', () => {
    expect(passfileTooOpen(0o100600)).toBe(false)
    expect(passfileTooOpen(0o100400)).toBe(false)
    expect(passfileTooOpen(0o100640)).toBe(true)
    expect(passfileTooOpen(0o100604)).toBe(true)
  })
})
