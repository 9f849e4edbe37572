import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base64Decode, base64Encode, concatBytes, constantTimeEqual, toHex, utf8Decode, utf8Encode, xorBytes } from './bytes.js'

describe('base64', () => {
  it('matches Buffer for any bytes and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        const text = base64Encode(bytes)
        expect(text).toBe(Buffer.from(bytes).toString('base64'))
        expect(base64Decode(text)).toEqual(bytes)
      }),
    )
  })

  it('decodes RFC 4648 §10 vectors', () => {
    for (const [plain, coded] of [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']])
      expect(utf8Decode(base64Decode(coded!)!)).toBe(plain)
  })

  it('rejects non-canonical input', () => {
    for (const bad of ['Zg', 'Zg=', 'Zh==', 'Zm9=', 'Z===', 'Zg==Zg==', 'Zm 9', 'Zm9v\n', 'Zm-v', 'Zm_v', 'Zm9\u00e9', '=Zm9'])
      expect(base64Decode(bad), bad).toBeUndefined()
  })
})

describe('byte helpers', () => {
  it('utf8 round-trips and refuses invalid sequences', () => {
    expect(utf8Decode(utf8Encode('zß水🍌'))).toBe('zß水🍌')
    expect(() => utf8Decode(new Uint8Array([0xc3]))).toThrow()
  })
  it('concat, xor, hex', () => {
    expect(concatBytes(new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3]))).toEqual(new Uint8Array([1, 2, 3]))
    expect(xorBytes(new Uint8Array([0xff, 0x0f]), new Uint8Array([0x0f, 0x0f]))).toEqual(new Uint8Array([0xf0, 0]))
    expect(() => xorBytes(new Uint8Array(1), new Uint8Array(2))).toThrow(RangeError)
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff')
  })
  it('constantTimeEqual compares content and length', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true)
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array(), new Uint8Array())).toBe(true)
  })
})
