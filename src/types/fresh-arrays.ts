/**
 * New arrays for values that outlive their result (rows in `rowMode: 'array'`,
 * array values), copied with slice() from templates: `new Array(n)` and `[]`
 * have allocation sites that V8 may switch to the old generation once most of
 * what they made survives (row values do), and from then on each array costs
 * several times as much (bench/micro-rows.ts: array rows ~2.5M/s in half the
 * runs, ~9M/s in the others). slice() tracks no such site.
 */

/** Null-filled templates by length, for the common short lengths. */
const NULLS: null[][] = Array.from({ length: 65 }, (_, n) => new Array<null>(n).fill(null))

/** A new array of `n` nulls, to be filled in place. */
export function nullArray(n: number): unknown[] {
  return n < NULLS.length ? NULLS[n]!.slice() : new Array<null>(n).fill(null)
}

/** A new empty array. */
export function emptyArray(): unknown[] {
  return NULLS[0]!.slice()
}
