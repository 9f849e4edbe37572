import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SYNC } from './frontend/extended.js'
import { encodeQuery } from './frontend/simple.js'
import { encodeCancelRequest, encodePassword, encodeSASLResponse } from './frontend/startup.js'
import { Writer, concatBytes } from './writer.js'

describe('Writer', () => {
  it('writes big-endian integers, strings and raw bytes', () => {
    const bytes = new Writer(16).byte(0xab).int16(0x1234).int32(0x01020304).cstring('hé').bytes(new Uint8Array([9, 8])).finish()
    expect([...bytes]).toEqual([0xab, 0x12, 0x34, 1, 2, 3, 4, 0x68, 0xc3, 0xa9, 0, 9, 8])
  })

  it('wraps negative and unsigned 32-bit values to the same bytes', () => {
    expect([...new Writer().int32(-1).finish()]).toEqual([0xff, 0xff, 0xff, 0xff])
    expect([...new Writer().int32(0xffffffff).finish()]).toEqual([0xff, 0xff, 0xff, 0xff])
    expect([...new Writer().int16(-2).finish()]).toEqual([0xff, 0xfe])
    expect([...new Writer().int16(65535).finish()]).toEqual([0xff, 0xff])
  })

  it('fills in frame lengths counting the length field but not the type byte', () => {
    const bytes = new Writer().frame(0x51).cstring('x').frame(0x53).frame().int32(7).finish()
    expect([...bytes]).toEqual([0x51, 0, 0, 0, 6, 0x78, 0, 0x53, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 7])
  })

  it('grows past its initial size, keeping earlier bytes', () => {
    const w = new Writer(16)
    const long = 'x'.repeat(10_000) + '€'.repeat(5000)
    w.frame(0x51).cstring(long)
    const bytes = w.finish()
    expect(bytes.length).toBe(1 + 4 + 10_000 + 15_000 + 1)
    expect(new TextDecoder().decode(bytes.subarray(5, bytes.length - 1))).toBe(long)
    expect(new DataView(bytes.buffer, bytes.byteOffset).getInt32(1)).toBe(bytes.length - 1)
  })

  it('writes length-prefixed strings and bytes, null as -1', () => {
    const bytes = new Writer().sizedString('é\0').sizedBytes(new Uint8Array([5])).sizedBytes(null).finish()
    expect([...bytes]).toEqual([0, 0, 0, 3, 0xc3, 0xa9, 0, 0, 0, 0, 1, 5, 0xff, 0xff, 0xff, 0xff])
  })

  it('rejects a NUL inside a String, which would let the rest be read as other fields', () => {
    expect(() => new Writer().cstring('a\0b')).toThrow(TypeError)
  })

  it('encodes surrogate pairs as 4-byte UTF-8', () => {
    expect([...new Writer(16).cstring('😀').finish()]).toEqual([0xf0, 0x9f, 0x98, 0x80, 0])
  })
})

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

describe('Writer string encoding (property)', () => {
  it('cstring and sizedString match TextEncoder for any text, ASCII fast path or not', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), fc.string({ unit: 'grapheme-ascii', maxLength: 100 }))
    fc.assert(
      fc.property(text, fc.string({ unit: 'grapheme-ascii', maxLength: 10 }), (s, prefix) => {
        const expected = new TextEncoder().encode(s)
        const sized = new Writer(16).byte(1).sizedString(s).finish()
        // Compared as hex strings: vitest's deep equality on typed arrays made this test take seconds.
        expect(hex(sized)).toBe(hex(new Uint8Array([1, ...new Uint8Array(new Uint32Array([expected.length]).buffer).reverse(), ...expected])))
        const withoutNul = prefix + s.replaceAll('\0', '')
        expect(hex(new Writer(16).cstring(withoutNul).finish())).toBe(hex(new Uint8Array([...new TextEncoder().encode(withoutNul), 0])))
      }),
    )
    // 100 runs take 0.1–7 s here depending on what fast-check draws and on the machine's load.
  }, 30_000)
})

describe('Writer bytes on the shared slab', () => {
  it('keeps each finished message intact while later Writers write', () => {
    const first = new Writer(8).frame(0x51).cstring('one').finish()
    const copy = [...first]
    for (let i = 0; i < 2000; i++) new Writer(16).frame(0x51).cstring(`message ${i}`).finish()
    expect([...first]).toEqual(copy)
  })

  it('gives two Writers open at once their own bytes, whichever finishes first', () => {
    const a = new Writer(8).frame(0x51).cstring('aaaa')
    const b = new Writer(8).frame(0x50).cstring('bbbb')
    a.cstring('more a, written after b took the slab')
    const bBytes = b.cstring('more b').finish()
    const aBytes = a.finish()
    expect(new TextDecoder().decode(aBytes.subarray(5))).toBe('aaaa\0more a, written after b took the slab\0')
    expect(new TextDecoder().decode(bBytes.subarray(5))).toBe('bbbb\0more b\0')
    expect(new DataView(aBytes.buffer, aBytes.byteOffset).getInt32(1)).toBe(aBytes.length - 1)
    expect(new DataView(bBytes.buffer, bBytes.byteOffset).getInt32(1)).toBe(bBytes.length - 1)
  })

  it('is not held by a Writer that was never finished (an encoder that threw)', () => {
    expect(() => new Writer(8).frame(0x51).cstring('a\0b')).toThrow(TypeError)
    const kept = new Writer(8).frame(0x51).cstring('x')
    const later = new Writer(8).frame(0x53).finish()
    expect([...kept.finish()]).toEqual([0x51, 0, 0, 0, 6, 0x78, 0])
    expect([...later]).toEqual([0x53, 0, 0, 0, 4])
  })

  it('moves a message that outgrows the slab to its own buffer, keeping the open frame', () => {
    const w = new Writer(8).frame(0x64).int32(7)
    const big = new Uint8Array(40_000).fill(1)
    const bytes = w.bytes(big).finish()
    expect(bytes.length).toBe(1 + 4 + 4 + 40_000)
    expect(new DataView(bytes.buffer, bytes.byteOffset).getInt32(1)).toBe(bytes.length - 1)
    expect(bytes[bytes.length - 1]).toBe(1)
  })
})

describe('Writer bytes of their own', () => {
  it('keeps secrets and module constants off the shared slab (no later message pins them, or is pinned by them)', () => {
    const query = encodeQuery('select 1')
    const secrets = [encodePassword('hunter2'), encodeSASLResponse(new Uint8Array(32)), encodeCancelRequest(42, new Uint8Array(4))]
    for (const bytes of [...secrets, SYNC]) {
      expect(bytes.buffer).not.toBe(query.buffer)
      expect(bytes.byteOffset).toBe(0)
      expect(bytes.buffer.byteLength).toBeGreaterThanOrEqual(bytes.length)
      expect(bytes.buffer.byteLength).toBeLessThan(1024)
    }
    expect(encodeQuery('select 2').buffer).toBe(query.buffer)
  })
})

describe('concatBytes', () => {
  it('joins parts into one new array', () => {
    const joined = concatBytes([new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3])])
    expect([...joined]).toEqual([1, 2, 3])
    expect(concatBytes([]).length).toBe(0)
  })
})
