/**
 * utf8DecodeRange decodes any byte range as TextDecoder (ignoreBOM) decodes a
 * copy of it: valid and invalid UTF-8, a leading BOM, the short ASCII path,
 * and the native path of bytes that have `utf8Slice` (a Buffer, as Bun's
 * transport hands chunks over).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8Decode, utf8DecodeRange } from './utf8.js'

const reference = new TextDecoder('utf-8', { ignoreBOM: true })

/** Bytes that are often UTF-8, sometimes not, with a range inside them. */
const ranged = fc
  .oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }).map((s) => new TextEncoder().encode(s)),
    fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(s)])),
    fc.stringMatching(/^[ -~]{0,12}$/).map((s) => new TextEncoder().encode(s)),
  )
  .chain((bytes) => fc.tuple(fc.constant(bytes), fc.nat({ max: bytes.length }), fc.nat({ max: bytes.length })))
  .map(([bytes, a, b]) => [bytes, Math.min(a, b), Math.max(a, b)] as const)

describe('utf8DecodeRange', () => {
  it('equals TextDecoder on a copy of the range (plain Uint8Array)', () => {
    fc.assert(
      fc.property(ranged, ([bytes, start, end]) => {
        expect(utf8DecodeRange(bytes, start, end)).toBe(reference.decode(bytes.slice(start, end)))
      }),
      { numRuns: 3000 },
    )
  })

  it('equals TextDecoder through a Buffer’s utf8Slice', () => {
    fc.assert(
      fc.property(ranged, ([bytes, start, end]) => {
        const buffer = Buffer.from(bytes)
        expect(utf8DecodeRange(buffer, start, end)).toBe(reference.decode(bytes.slice(start, end)))
      }),
      { numRuns: 3000 },
    )
  })

  it('utf8Decode is the whole-array case', () => {
    expect(utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('\ufeffa')
    expect(utf8Decode(new Uint8Array([0x61, 0xc3]))).toBe('a\ufffd')
  })
})
