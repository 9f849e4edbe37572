import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors.js'
import { DEFAULT_MAX_MESSAGE_BYTES as CONFIG_DEFAULT_MAX_MESSAGE_BYTES, parseConfig } from '../config/index.js'
import type { BackendMessage } from './messages.js'
import { DEFAULT_MAX_MESSAGE_BYTES, MessageReader } from './reader.js'
import { backendMessage, chunksAt, splitPoints } from './testing/arbitraries.js'
import { hex, i16, i32, msg } from './testing/bytes.js'
import { dataRowValues } from './backend/rows.js'
import { comparable, dataRow, encodeBackendMessage, encodeBackendMessages } from './testing/encode-backend.js'

function drain(reader: MessageReader): BackendMessage[] {
  const out: BackendMessage[] = []
  // The reader overwrites its one DataRow message on each next(): keep copies.
  for (let m = reader.next(); m !== undefined; m = reader.next()) out.push(m.type === 'DataRow' ? { ...m } : m)
  return out
}

/** Feed each chunk and drain after each (how Wire uses the reader). */
function readAll(chunks: Uint8Array[], reader = new MessageReader()): BackendMessage[] {
  const out: BackendMessage[] = []
  for (const chunk of chunks) {
    reader.feed(chunk)
    out.push(...drain(reader))
  }
  return out
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

const READY = hex('5a 00000005 49')
const DATA_ROW = hex('44 0000000f 0002 00000001 31 ffffffff')

describe('MessageReader', () => {
  it('reads several messages from one chunk, then waits for more', () => {
    const reader = new MessageReader()
    reader.feed(new Uint8Array([...DATA_ROW, ...READY, 0x5a, 0, 0]))
    expect(comparable(reader.next()!)).toEqual({ type: 'DataRow', values: [new Uint8Array([0x31]), null] })
    expect(reader.next()).toEqual({ type: 'ReadyForQuery', status: 'I' })
    expect(reader.next()).toBeUndefined()
    expect(reader.buffered).toBe(3)
    reader.feed(new Uint8Array([0, 5, 0x54]))
    expect(reader.next()).toEqual({ type: 'ReadyForQuery', status: 'T' })
    expect(reader.buffered).toBe(0)
    expect(reader.next()).toBeUndefined()
  })

  it('decodes a message inside one chunk without copying it', () => {
    const reader = new MessageReader()
    const chunk = new Uint8Array([...READY, ...DATA_ROW])
    reader.feed(chunk)
    reader.next()
    const row = reader.next() as Extract<BackendMessage, { type: 'DataRow' }>
    expect(row.bytes).toBe(chunk)
    expect(dataRowValues(row)[0]!.byteOffset).toBe(READY.length + 11)
  })

  it('accepts messages split one byte at a time, and views stay valid after later feeds', () => {
    const stream = encodeBackendMessages([
      dataRow([new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7)]),
      { type: 'CommandComplete', tag: 'SELECT 1' },
    ])
    const reader = new MessageReader()
    const out: BackendMessage[] = []
    for (const b of stream) {
      reader.feed(new Uint8Array([b]))
      out.push(...drain(reader))
    }
    for (let i = 0; i < 5; i++) reader.feed(READY)
    expect(out.map(comparable)).toEqual([
      { type: 'DataRow', values: [new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7)] },
      { type: 'CommandComplete', tag: 'SELECT 1' },
    ])
  })

  it('keeps queued chunks when fed several times before next()', () => {
    const reader = new MessageReader()
    const stream = new Uint8Array([...READY, ...DATA_ROW, ...READY])
    reader.feed(stream.subarray(0, 3))
    reader.feed(stream.subarray(3, 9))
    reader.feed(stream.subarray(9))
    expect(reader.buffered).toBe(stream.length)
    expect(drain(reader).map((m) => m.type)).toEqual(['ReadyForQuery', 'DataRow', 'ReadyForQuery'])
  })

  it('reads a large message split across many chunks', () => {
    const value = new Uint8Array(1_000_000).map((_, i) => i & 0xff)
    const stream = encodeBackendMessage({ type: 'CopyData', data: value })
    const chunks: Uint8Array[] = []
    for (let i = 0; i < stream.length; i += 65536) chunks.push(stream.subarray(i, i + 65536))
    const out = readAll(chunks)
    expect(out).toHaveLength(1)
    const data = (out[0] as Extract<BackendMessage, { type: 'CopyData' }>).data
    expect(data.length).toBe(value.length)
    expect(data.every((b, i) => b === value[i])).toBe(true)
  })

  describe('message length checks (before any body byte is buffered)', () => {
    it.each([
      ['0', 0, /invalid message length 0: expected at least 4/],
      ['3', 3, /invalid message length 3: expected at least 4/],
      ['2^31', 2 ** 31, /message length 2147483648 exceeds the limit of 268435456 bytes/],
      ['2^32 - 1', 2 ** 32 - 1, /message length 4294967295 exceeds the limit/],
    ])('length %s is a ProtocolError', (_name, length, pattern) => {
      const error = thrownBy(() => new MessageReader().feed(new Uint8Array([0x44, ...i32(length)])))
      expect(error).toBeInstanceOf(ProtocolError)
      expect((error as ProtocolError).message).toMatch(pattern)
    })

    it('the default cap is 256 MiB, the same constant the max_message_bytes option defaults to', () => {
      expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(256 * 1024 * 1024)
      expect(CONFIG_DEFAULT_MAX_MESSAGE_BYTES).toBe(DEFAULT_MAX_MESSAGE_BYTES)
      expect(parseConfig('postgres://u@h/d').maxMessageBytes).toBe(DEFAULT_MAX_MESSAGE_BYTES)
      const over = new Uint8Array([0x44, ...i32(DEFAULT_MAX_MESSAGE_BYTES + 1)])
      expect(() => new MessageReader().feed(over)).toThrow(/message length 268435457 exceeds the limit of 268435456 bytes/)
    })

    it('length 4 (empty body) is accepted', () => {
      expect(readAll([hex('31 00000004')])).toEqual([{ type: 'ParseComplete' }])
    })

    it('a length above maxMessageBytes fails; exactly at the cap is accepted', () => {
      const atCap = msg('d', new Array(96).fill(1)) // length 100
      expect(readAll([atCap], new MessageReader({ maxMessageBytes: 100 }))).toHaveLength(1)
      const over = msg('d', new Array(97).fill(1))
      expect(() => new MessageReader({ maxMessageBytes: 100 }).feed(over)).toThrow(/message length 101 exceeds the limit of 100 bytes/)
    })

    it('a huge declared length throws as soon as the header is complete, even split across feeds', () => {
      const reader = new MessageReader({ maxMessageBytes: 1024 })
      reader.feed(new Uint8Array([0x64, 0x7f]))
      expect(reader.buffered).toBe(2)
      expect(() => reader.feed(new Uint8Array([0xff, 0xff, 0xff, 1, 2, 3]))).toThrow(/exceeds the limit of 1024/)
      expect(reader.buffered).toBe(0)
    })

    it('a large legal declared length does not allocate it up front', () => {
      const reader = new MessageReader()
      reader.feed(new Uint8Array([0x64, ...i32(DEFAULT_MAX_MESSAGE_BYTES), 1, 2, 3]))
      expect(reader.next()).toBeUndefined()
      expect(reader.buffered).toBe(8)
    })

    it('an unknown type byte fails on its first byte, naming it', () => {
      const reader = new MessageReader()
      reader.feed(READY)
      expect(() => reader.feed(new Uint8Array([0x78]))).toThrow(/unknown backend message type 'x' \(0x78\)/)
    })

    it('rejects invalid maxMessageBytes', () => {
      expect(() => new MessageReader({ maxMessageBytes: 3 })).toThrow(RangeError)
      expect(() => new MessageReader({ maxMessageBytes: 2 ** 31 })).toThrow(RangeError)
      expect(() => new MessageReader({ maxMessageBytes: 1.5 })).toThrow(RangeError)
    })
  })

  it('stays failed after an error: feed and next throw the same error', () => {
    const reader = new MessageReader()
    reader.feed(msg('Z', [0x58]))
    const error = thrownBy(() => reader.next())
    expect(error).toBeInstanceOf(ProtocolError)
    expect(thrownBy(() => reader.next())).toBe(error)
    expect(thrownBy(() => reader.feed(READY))).toBe(error)

    const framing = new MessageReader()
    const first = thrownBy(() => framing.feed(new Uint8Array([0x44, 0, 0, 0, 1])))
    expect(thrownBy(() => framing.next())).toBe(first)
    expect(thrownBy(() => framing.feed(READY))).toBe(first)
  })

  it('a malformed DataRow from the fast path is a ProtocolError naming DataRow', () => {
    const reader = new MessageReader()
    reader.feed(msg('D', i16(2), i32(1), [9]))
    const error = thrownBy(() => reader.next())
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as Error).message).toMatch(/DataRow.*column count 2 needs at least 8 bytes/)
  })

  it('hands out one DataRow object, overwritten by the next next(); the bytes it pointed at stay', () => {
    const reader = new MessageReader()
    const chunk = encodeBackendMessages([dataRow([new Uint8Array([0x31])]), dataRow([new Uint8Array([0x32]), null])])
    reader.feed(chunk)
    const first = reader.next() as Extract<BackendMessage, { type: 'DataRow' }>
    const kept = { ...first }
    const second = reader.next()
    expect(second).toBe(first)
    expect(comparable(kept)).toEqual({ type: 'DataRow', values: [new Uint8Array([0x31])] })
    expect(comparable(second!)).toEqual({ type: 'DataRow', values: [new Uint8Array([0x32]), null] })
    // Nothing left: the shared message lets the consumed chunk go.
    expect(reader.next()).toBeUndefined()
    expect(first.bytes).not.toBe(chunk)
    expect(first.bytes.length).toBe(0)
  })
})

describe('MessageReader properties', () => {
  const messages = fc.array(backendMessage, { minLength: 1, maxLength: 20 })
  const streamAndSplits = messages.chain((list) => {
    const bytes = encodeBackendMessages(list)
    return fc.tuple(fc.constant(list), fc.constant(bytes), splitPoints(bytes.length))
  })

  it('any chunking of a valid stream decodes to the same messages', () => {
    fc.assert(
      fc.property(streamAndSplits, ([list, bytes, points]) => {
        expect(readAll(chunksAt(bytes, points)).map(comparable)).toEqual(list.map(comparable))
      }),
      { numRuns: 500 },
    )
  })

  it('feeding every chunk before reading gives the same messages', () => {
    fc.assert(
      fc.property(streamAndSplits, ([list, bytes, points]) => {
        const reader = new MessageReader()
        for (const chunk of chunksAt(bytes, points)) reader.feed(chunk)
        expect(reader.buffered).toBe(bytes.length)
        expect(drain(reader).map(comparable)).toEqual(list.map(comparable))
        expect(reader.buffered).toBe(0)
      }),
      { numRuns: 300 },
    )
  })

  function onlyProtocolErrors(bytes: Uint8Array, points: number[]): void {
    const reader = new MessageReader({ maxMessageBytes: 4096 })
    try {
      readAll(chunksAt(bytes, points), reader)
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error
    }
  }

  it('random bytes in random chunks never throw anything but ProtocolError', () => {
    const random = fc.uint8Array({ maxLength: 300 }).chain((b) => fc.tuple(fc.constant(b), splitPoints(b.length)))
    fc.assert(
      fc.property(random, ([bytes, points]) => onlyProtocolErrors(bytes, points)),
      { numRuns: 2000 },
    )
  })

  it('corrupted valid streams never throw anything but ProtocolError', () => {
    const corrupted = streamAndSplits.chain(([, bytes, points]) =>
      fc.tuple(
        fc.constant(bytes),
        fc.constant(points),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
      ),
    )
    fc.assert(
      fc.property(corrupted, ([bytes, points, edits, cut]) => {
        const copy = bytes.slice(0, Math.max(1, bytes.length - (cut % 8)))
        for (const [at, value] of edits) copy[at % copy.length] = value
        onlyProtocolErrors(copy, points.filter((p) => p < copy.length))
      }),
      { numRuns: 2000 },
    )
  })
})
