import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha224 } from '../../src/tls/sha224.js'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('sha224', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(hex(sha224(new TextEncoder().encode('abc')))).toBe('23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7')
    expect(hex(sha224(new Uint8Array()))).toBe('d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f')
    expect(hex(sha224(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525',
    )
  })

  it('agrees with OpenSSL around block boundaries and on random input', () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 7 + length) & 0xff)
      expect(hex(sha224(bytes)), `length ${length}`).toBe(createHash('sha224').update(bytes).digest('hex'))
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => hex(sha224(bytes)) === createHash('sha224').update(bytes).digest('hex')))
  })
})
