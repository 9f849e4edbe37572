/**
 * SASLprep (RFC 4013): the stringprep profile SCRAM applies to passwords.
 * Own implementation over compact RFC 3454 range tables (saslprep-tables.ts)
 * because @mongodb-js/saslprep needs Node's Buffer (and zlib) when its module
 * loads, which breaks Deno and Cloudflare Workers, and adds ~560 KB of tables.
 * NFKC comes from String.prototype.normalize, as in that package.
 */
import { L_CAT, MAPPED_TO_NOTHING, NON_ASCII_SPACE, PROHIBITED, RAND_AL_CAT, UNASSIGNED } from './saslprep-tables.js'

/** A sorted list of inclusive code-point ranges (a saslprep-tables.ts string: gaps and lengths as hex numbers) with a binary-search lookup. */
export class CodePointSet {
  readonly #starts: Uint32Array
  readonly #ends: Uint32Array
  constructor(encoded: string) {
    const numbers: number[] = []
    let value = 0
    for (const char of encoded) {
      const digit = parseInt(char, 32)
      value = value * 16 + (digit & 15)
      if (digit < 16) {
        numbers.push(value)
        value = 0
      }
    }
    const starts: number[] = []
    const ends: number[] = []
    let end = -1
    for (let i = 0; i < numbers.length; ) {
      const head = numbers[i++]!
      const start = end + 1 + Math.floor(head / 2)
      end = head % 2 === 1 ? start + numbers[i++]! + 1 : start
      starts.push(start)
      ends.push(end)
    }
    this.#starts = Uint32Array.from(starts)
    this.#ends = Uint32Array.from(ends)
  }
  has(codePoint: number): boolean {
    let low = 0
    let high = this.#starts.length - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (codePoint < this.#starts[mid]!) high = mid - 1
      else if (codePoint > this.#ends[mid]!) low = mid + 1
      else return true
    }
    return false
  }
}

let tables: Record<'unassigned' | 'nothing' | 'space' | 'prohibited' | 'randAL' | 'l', CodePointSet> | undefined

/** Decoded on first non-ASCII use, so ASCII-only programs never pay for it. */
function getTables() {
  tables ??= {
    unassigned: new CodePointSet(UNASSIGNED),
    nothing: new CodePointSet(MAPPED_TO_NOTHING),
    space: new CodePointSet(NON_ASCII_SPACE),
    prohibited: new CodePointSet(PROHIBITED),
    randAL: new CodePointSet(RAND_AL_CAT),
    l: new CodePointSet(L_CAT),
  }
  return tables
}

/** Thrown when the input is not valid for SASLprep (prohibited, unassigned, bad bidi). */
export class SaslprepError extends Error {
  override name = 'SaslprepError'
}

/**
 * Prepare a string with SASLprep as a "stored string" (unassigned code points
 * prohibited). Throws SaslprepError when the input is not allowed.
 */
export function saslprep(input: string): string {
  // RFC 4013 on printable ASCII is the identity (no mapping, NFKC-stable, no RandALCat).
  if (/^[\x20-\x7e]*$/.test(input)) return input
  const t = getTables()
  // §2.1 mapping: non-ASCII spaces → SPACE, B.1 → nothing; then §2.2 NFKC.
  let mapped = ''
  for (const char of input) {
    const codePoint = char.codePointAt(0)!
    if (t.space.has(codePoint)) mapped += ' '
    else if (!t.nothing.has(codePoint)) mapped += char
  }
  const normalized = mapped.normalize('NFKC')
  const codePoints = Array.from(normalized, (char) => char.codePointAt(0)!)
  // §2.3 prohibited output, §2.5 unassigned code points.
  if (codePoints.some((codePoint) => t.prohibited.has(codePoint))) throw new SaslprepError('SASLprep: prohibited character')
  if (codePoints.some((codePoint) => t.unassigned.has(codePoint))) throw new SaslprepError('SASLprep: unassigned code point')
  // §2.4 bidi (RFC 3454 §6): no RandALCat with LCat; RandALCat strings start and end with one.
  const hasRandAL = codePoints.some((codePoint) => t.randAL.has(codePoint))
  if (hasRandAL) {
    if (codePoints.some((codePoint) => t.l.has(codePoint))) throw new SaslprepError('SASLprep: RandALCat and LCat characters mixed')
    if (!t.randAL.has(codePoints[0]!) || !t.randAL.has(codePoints[codePoints.length - 1]!))
      throw new SaslprepError('SASLprep: RandALCat string must start and end with RandALCat characters')
  }
  return normalized
}
