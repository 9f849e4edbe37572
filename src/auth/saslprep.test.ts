import { describe, expect, it } from 'vitest'
import { saslprep } from './saslprep.js'

// The differential against @mongodb-js/saslprep (its raw tables need node:module) is test/unit/saslprep-reference.test.ts.
describe('saslprep', () => {
  it('handles the RFC 4013 §3 examples', () => {
    expect(saslprep('I\u00adX')).toBe('IX') // soft hyphen mapped to nothing
    expect(saslprep('\u1806\u00ad')).toBe('') // every character mapped to nothing: the empty string, not an error
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
})
