import { createRequire } from 'node:module'
import saslprepReference from '@mongodb-js/saslprep'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CodePointSet, saslprep, SaslprepError } from './saslprep.js'
import { L_CAT, MAPPED_TO_NOTHING, NON_ASCII_SPACE, PROHIBITED, RAND_AL_CAT, UNASSIGNED } from './saslprep-tables.js'

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
  } catch {
    return 'error'
  }
}

describe('saslprep', () => {
  it('handles the RFC 4013 §3 examples', () => {
    expect(saslprep('I\u00adX')).toBe('IX') // soft hyphen mapped to nothing
    expect(saslprep('user')).toBe('user')
    expect(saslprep('USER')).toBe('USER')
    expect(saslprep('\u00aa')).toBe('a') // NFKC
    expect(saslprep('\u2168')).toBe('IX') // NFKC
    expect(() => saslprep('\u0007')).toThrow(/prohibited/) // control character
    expect(() => saslprep('\u0627\u0031')).toThrow(/RandALCat/) // bidi rule
  })

  it('maps non-ASCII spaces to SPACE and keeps a valid RTL string', () => {
    expect(saslprep('a\u00a0b\u3000c')).toBe('a b c')
    expect(saslprep('\u0627\u0031\u0628')).toBe('\u0627\u0031\u0628')
    expect(() => saslprep('\u0627a\u0628')).toThrow(/mixed/)
  })

  it('refuses unassigned code points (stored strings)', () => {
    expect(() => saslprep('\u0221')).toThrow(/unassigned/)
  })

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
  })

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
  })
})
