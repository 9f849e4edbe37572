/**
 * The password file read as libpq 15 reads it: generated files and
 * connections, the password libpq picks (PQconnectStartParams + PQpass
 * through python3's ctypes) against src/config/passfile.ts.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { findPassfilePassword, type PassfileKey } from '../../src/config/passfile.js'

/** libpq 15 through python3's ctypes (test/support/libpq-passfile.py); absent where python3 or libpq is missing. */
function libpqPasswords(cases: (PassfileKey & { passfile: string })[]): string[] | undefined {
  const script = join(__dirname, '../support/libpq-passfile.py')
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
