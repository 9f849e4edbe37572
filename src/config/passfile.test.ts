import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
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

/** libpq 15 through python3's ctypes (test/support/libpq-passfile.py); absent where python3 or libpq is missing. */
function libpqPasswords(cases: (PassfileKey & { passfile: string })[]): string[] | undefined {
  const script = join(__dirname, '../../test/support/libpq-passfile.py')
  const input = JSON.stringify(cases.map((c) => ({ passfile: c.passfile, host: c.host, port: c.port, dbname: c.database, user: c.user })))
  const run = spawnSync('python3', [script], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (run.status !== 0) return undefined
  return JSON.parse(run.stdout) as string[]
}

const libpqThere = libpqPasswords([]) !== undefined

describe.skipIf(!libpqThere)('password file: the same password as libpq 15 (differential)', () => {
  test('1500 generated files and connections', () => {
    // Lines built around the connection's own values, so matches, near misses and escapes all occur.
    const piece = fc.stringMatching(/^[ab:\\*#\r ]{0,4}$/)
    const escaped = (v: string) => v.replace(/[:\\]/g, (c) => `\\${c}`)
    const field = (value: string) => fc.oneof(fc.constant('*'), fc.constant(escaped(value)), fc.constant(value), piece)
    const keyArb = fc.record({
      host: fc.constantFrom('a', 'b', 'a:b', '*', 'a\\b'),
      port: fc.constantFrom(5432, 6000),
      database: fc.constantFrom('a', 'b', '*', 'a:b', ''),
      user: fc.constantFrom('a', 'b', ':', 'a\\'),
    })
    const sample = fc.sample(
      keyArb.chain((k) =>
        fc.record({
          ...Object.fromEntries(Object.entries(k).map(([n, v]) => [n, fc.constant(v)])),
          lines: fc.array(
            fc.oneof(
              fc.tuple(field(k.host), fc.constantFrom(String(k.port), '*', '6000', '54\\32'), field(k.database), field(k.user), piece).map((f) => f.join(':')),
              piece,
              fc.constant('#a:5432:a:a:comment'),
            ),
            { maxLength: 4 },
          ),
        }),
      ) as fc.Arbitrary<PassfileKey & { lines: string[] }>,
      { numRuns: 1500, seed: 16 },
    )
    const dir = mkdtempSync(join(tmpdir(), 'pgfleet-passfile-'))
    const cases = sample.map((s, i) => {
      const passfile = join(dir, `pgpass-${i}`)
      writeFileSync(passfile, s.lines.join('\n'))
      chmodSync(passfile, 0o600)
      return { passfile, host: s.host, port: s.port, database: s.database, user: s.user, text: s.lines.join('\n') }
    })
    // libpq skips the file when the database or user is empty; pgfleet's config never has either empty.
    const compared = cases.filter((c) => c.database !== '' && c.user !== '')
    const expected = libpqPasswords(compared)!
    const mismatches = compared
      .map((c, i) => ({ text: c.text, key: { host: c.host, port: c.port, database: c.database, user: c.user }, libpq: expected[i], ours: findPassfilePassword(c.text, c) ?? '' }))
      .filter((m) => m.libpq !== m.ours)
    expect(mismatches.slice(0, 5)).toEqual([])
    expect(compared.length).toBeGreaterThan(500)
    // The sample must exercise matches, not only misses.
    expect(expected.filter((p) => p !== '').length).toBeGreaterThan(100)
  })
})
