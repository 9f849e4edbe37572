/**
 * Test-only byte builders, written independently of Writer so fixtures check
 * the codec against the spec rather than against itself.
 */
const encoder = new TextEncoder()

/** Bytes from a hex string; spaces are ignored. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '')
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16)
  return out
}

export const i16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff]
export const i32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
/** A String: UTF-8 then NUL. */
export const str = (s: string): number[] => [...encoder.encode(s), 0]
/** UTF-8 without terminator. */
export const utf8 = (s: string): number[] => [...encoder.encode(s)]

/** A typed message: type letter, Int32 length (counting itself), body. */
export function msg(letter: string, ...body: number[][]): Uint8Array {
  const flat = body.flat()
  return new Uint8Array([letter.charCodeAt(0), ...i32(flat.length + 4), ...flat])
}

/** An untyped startup-phase packet: Int32 length then body. */
export function packet(...body: number[][]): Uint8Array {
  const flat = body.flat()
  return new Uint8Array([...i32(flat.length + 4), ...flat])
}
