/** src/auth/md5.ts against node:crypto's MD5 (WebCrypto has none): a Node oracle, so it lives in test/unit. */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8Encode } from '../../src/auth/bytes.js'
import { md5, md5Hex, md5PasswordMessage } from '../../src/auth/md5.js'

describe('md5', () => {
  it('matches the RFC 1321 §A.5 test suite', () => {
    const suite: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
      ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
    ]
    for (const [input, digest] of suite) expect(md5Hex(utf8Encode(input)), input).toBe(digest)
  })

  it('agrees with OpenSSL (node:crypto) on every length around block boundaries', () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff)
      expect(md5Hex(bytes), `length ${length}`).toBe(createHash('md5').update(bytes).digest('hex'))
    }
  })

  it('agrees with OpenSSL on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(md5(bytes)).toEqual(new Uint8Array(createHash('md5').update(bytes).digest()))
      }),
    )
  })
})

describe('md5PasswordMessage', () => {
  it("gives 'md5' + md5hex(md5hex(password + user) + salt)", () => {
    // md5('penciluser') is what pg_authid.rolpassword holds (after 'md5') for role "user", password "pencil".
    expect(md5Hex(utf8Encode('penciluser'))).toBe('20c46e3762c864548e296b33c3406aa9')
    expect(md5PasswordMessage('user', 'pencil', new Uint8Array([1, 2, 3, 4]))).toBe('md54376eb6913b38f9aaff38dc7cf19ca76')
    expect(md5PasswordMessage('postgres', 'password', new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toBe('md560af60cf473f5b0207a87d042ffb46eb')
  })

  it('hashes non-ASCII user and password as UTF-8, like the server', () => {
    const salt = new Uint8Array([9, 8, 7, 6])
    const inner = createHash('md5').update('pässwörd' + 'jürgen', 'utf8').digest('hex')
    const outer = createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex')
    expect(md5PasswordMessage('jürgen', 'pässwörd', salt)).toBe('md5' + outer)
  })
})
