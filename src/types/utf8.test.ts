/**
 * utf8DecodeRange decodes any byte range as TextDecoder (ignoreBOM) decodes a
 * copy of it: valid and invalid UTF-8, a leading BOM, the short ASCII path,
 * (the native path of a Buffer's `utf8Slice` is checked in
 * test/unit/utf8-slice.test.ts, beside Node's Buffer).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { byteRanges as ranged } from './testing/arbitraries.js'
import { asciiDecodeRange, asciiShort, utf8Decode, utf8DecodeRange } from './utf8.js'

const reference = new TextDecoder('utf-8', { ignoreBOM: true })

describe('utf8DecodeRange', () => {
  it('equals TextDecoder on a copy of the range (plain Uint8Array)', () => {
    fc.assert(
      fc.property(ranged, ([bytes, start, end]) => {
        expect(utf8DecodeRange(bytes, start, end)).toBe(reference.decode(bytes.slice(start, end)))
      }),
      { numRuns: 3000 },
    )
  })

  it('utf8Decode is the whole-array case', () => {
    expect(utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('\ufeffa')
    expect(utf8Decode(new Uint8Array([0x61, 0xc3]))).toBe('a\ufffd')
  })
})

describe('asciiShort', () => {
  it('builds every length from 0 to 12 at any offset, and refuses more', () => {
    const bytes = new TextEncoder().encode('~abcdefghijklmnop')
    for (let start = 0; start < 4; start++)
      for (let n = 0; n <= 12; n++) expect(asciiShort(bytes, start, start + n)).toBe('~abcdefghijklmnop'.slice(start, start + n))
    expect(() => asciiShort(bytes, 0, 13)).toThrow(RangeError)
  })
})

describe('asciiDecodeRange', () => {
  it('equals TextDecoder on a copy of the range, plain or a Buffer (latin1Slice for ASCII)', () => {
    fc.assert(
      fc.property(ranged, ([bytes, start, end]) => {
        const expected = reference.decode(bytes.slice(start, end))
        expect(asciiDecodeRange(bytes, start, end)).toBe(expected)
        expect(asciiDecodeRange(Buffer.from(bytes), start, end)).toBe(expected)
      }),
      { numRuns: 3000 },
    )
  })
})
