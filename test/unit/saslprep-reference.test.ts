/** SASLprep (src/auth/saslprep.ts) against @mongodb-js/saslprep: its tables code point by code point, and its results. */
import { createRequire } from 'node:module'
import saslprepReference from '@mongodb-js/saslprep'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CodePointSet, saslprep, SaslprepError } from '../../src/auth/saslprep.js'
import { L_CAT, MAPPED_TO_NOTHING, NON_ASCII_SPACE, PROHIBITED, RAND_AL_CAT, UNASSIGNED } from '../../src/auth/saslprep-tables.js'

// The reference package's raw tables (not exported through its package.json "exports").
const require = createRequire(import.meta.url)
const referencePath = require.resolve('@mongodb-js/saslprep').replace(/node\.js$/, 'code-points-src.js')
const referenceTables = require(referencePath) as Record<string, Set<number>>

/** Our result, or 'error' when SASLprep refuses the input. */
function ours(input: string): string {
  try {
    return saslprep(input)
  } catch (error) {
    expect(error).toBeInstanceOf(SaslprepError)
    return 'error'
  }
}
function reference(input: string): string {
  try {
    return saslprepReference(input)
  } catch (error) {
    // The reference crashes (TypeError reading the first code point of '') when every character
    // maps to nothing (RFC 3454 B.1, e.g. U+1806 alone); RFC 4013 then prepares to the empty string.
    if (error instanceof TypeError && [...input].every((char) => mappedToNothing.has(char.codePointAt(0)!))) return ''
    return 'error'
  }
}
const mappedToNothing = new CodePointSet(MAPPED_TO_NOTHING)

describe('saslprep agrees with @mongodb-js/saslprep', () => {
  it('has the same tables as @mongodb-js/saslprep, for every code point', () => {
    const pairs: [string, string][] = [
      ['unassigned_code_points', UNASSIGNED],
      ['commonly_mapped_to_nothing', MAPPED_TO_NOTHING],
      ['non_ASCII_space_characters', NON_ASCII_SPACE],
      ['prohibited_characters', PROHIBITED],
      ['bidirectional_r_al', RAND_AL_CAT],
      ['bidirectional_l', L_CAT],
    ]
    for (const [name, encoded] of pairs) {
      const expected = referenceTables[name]!
      const set = new CodePointSet(encoded)
      let members = 0
      for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
        if (set.has(codePoint) !== expected.has(codePoint)) expect.fail(`${name}: U+${codePoint.toString(16)}`)
        if (expected.has(codePoint)) members++
      }
      expect(members, name).toBe(expected.size)
    }
    // 6 tables × 1.1M code points: ~2 s alone, ~9 s under load (it timed out at 5 s).
  }, 60_000)

  it('gives the same result as @mongodb-js/saslprep for every BMP character in context', () => {
    for (let codePoint = 0x80; codePoint <= 0xffff; codePoint += 3) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue
      const input = `x${String.fromCodePoint(codePoint)}y`
      const result = ours(input)
      if (result !== reference(input)) expect.fail(`U+${codePoint.toString(16)}: ${result} vs ${reference(input)}`)
    }
  }, 30_000)

  it('agrees with @mongodb-js/saslprep on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (input) => {
        expect(ours(input)).toBe(reference(input))
      }),
      { numRuns: 5000 },
    )
  }, 30_000)
})
