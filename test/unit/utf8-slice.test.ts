/**
 * utf8DecodeRange through a Buffer's native utf8Slice (how Bun's transport
 * hands chunks over) decodes exactly as TextDecoder (ignoreBOM) does: valid
 * and invalid UTF-8, a leading BOM, any range.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8DecodeRange } from '../../src/types/utf8.js'
import { byteRanges as ranged } from '../../src/types/testing/arbitraries.js'

const reference = new TextDecoder('utf-8', { ignoreBOM: true })

describe('utf8DecodeRange on a Buffer', () => {
  it('equals TextDecoder through utf8Slice', () => {
    fc.assert(
      fc.property(ranged, ([bytes, start, end]) => {
        const buffer = Buffer.from(bytes)
        expect(utf8DecodeRange(buffer, start, end)).toBe(reference.decode(bytes.slice(start, end)))
      }),
      { numRuns: 3000 },
    )
  })

})
