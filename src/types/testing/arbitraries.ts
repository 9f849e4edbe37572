/** Test-only generators for the type codecs. */
import fc from 'fast-check'

/** Bytes that are often UTF-8, sometimes not, with a range inside them. */
export const byteRanges = fc
  .oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }).map((s) => new TextEncoder().encode(s)),
    fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(s)])),
    fc.stringMatching(/^[ -~]{0,12}$/).map((s) => new TextEncoder().encode(s)),
  )
  .chain((bytes) => fc.tuple(fc.constant(bytes), fc.nat({ max: bytes.length }), fc.nat({ max: bytes.length })))
  .map(([bytes, a, b]) => [bytes, Math.min(a, b), Math.max(a, b)] as const)
