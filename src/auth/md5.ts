/**
 * MD5 (RFC 1321) for PostgreSQL's md5 password method. WebCrypto has no MD5,
 * so this is a small pure implementation; it protects nothing by itself and
 * is used only because the server asks for it (AuthenticationMD5Password).
 */
import { concatBytes, toHex, utf8Encode } from './bytes.js'

/** Per-round left-rotation amounts (RFC 1321 §3.4). */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

/** T[i] = floor(abs(sin(i + 1)) * 2^32) (RFC 1321 §3.4). */
const T = Uint32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000))

/** MD5 digest of the bytes (16 bytes). */
export function md5(message: Uint8Array): Uint8Array {
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as 64-bit little endian.
  const paddedLength = (((message.length + 8) >>> 6) + 1) << 6
  const padded = new Uint8Array(paddedLength)
  padded.set(message)
  padded[message.length] = 0x80
  const view = new DataView(padded.buffer)
  const bitLength = message.length * 8
  view.setUint32(paddedLength - 8, bitLength >>> 0, true)
  view.setUint32(paddedLength - 4, Math.floor(bitLength / 0x100000000), true)

  let a0 = 0x67452301
  let b0 = 0xefcdab89
  let c0 = 0x98badcfe
  let d0 = 0x10325476
  const words = new Uint32Array(16)
  for (let block = 0; block < paddedLength; block += 64) {
    for (let i = 0; i < 16; i++) words[i] = view.getUint32(block + i * 4, true)
    let a = a0
    let b = b0
    let c = c0
    let d = d0
    for (let i = 0; i < 64; i++) {
      let f: number
      let g: number
      if (i < 16) {
        f = (b & c) | (~b & d)
        g = i
      } else if (i < 32) {
        f = (d & b) | (~d & c)
        g = (5 * i + 1) & 15
      } else if (i < 48) {
        f = b ^ c ^ d
        g = (3 * i + 5) & 15
      } else {
        f = c ^ (b | ~d)
        g = (7 * i) & 15
      }
      const sum = (a + f + T[i]! + words[g]!) | 0
      const shift = SHIFTS[(i >>> 4) * 4 + (i & 3)]!
      a = d
      d = c
      c = b
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0
    }
    a0 = (a0 + a) | 0
    b0 = (b0 + b) | 0
    c0 = (c0 + c) | 0
    d0 = (d0 + d) | 0
  }
  const digest = new Uint8Array(16)
  const out = new DataView(digest.buffer)
  out.setUint32(0, a0, true)
  out.setUint32(4, b0, true)
  out.setUint32(8, c0, true)
  out.setUint32(12, d0, true)
  return digest
}

/** Lower-case hex MD5 of the bytes. */
export function md5Hex(message: Uint8Array): string {
  return toHex(md5(message))
}

/**
 * The PasswordMessage payload for AuthenticationMD5Password (protocol 55.2.1):
 * 'md5' + md5hex(md5hex(password + user) + salt). The inner hash is what
 * pg_authid stores for md5 roles.
 */
export function md5PasswordMessage(user: string, password: string, salt: Uint8Array): string {
  const inner = md5Hex(utf8Encode(password + user))
  return 'md5' + md5Hex(concatBytes(utf8Encode(inner), salt))
}
