/**
 * MessageReader hands out the last RowDescription (CommandComplete) again when
 * the next one's body is the same bytes: a repeated query reuses its decoded
 * columns and, through them, its row builder (connection/collector.ts). Only
 * identical bytes may do that: a same-length body that differs anywhere (a
 * name, a type OID, a format) is decoded afresh.
 */
import { describe, expect, it } from 'vitest'
import type { BackendMessage, FieldDescription } from './messages.js'
import { MessageReader } from './reader.js'
import { encodeBackendMessage } from './testing/encode-backend.js'

type Msg<T extends BackendMessage['type']> = Extract<BackendMessage, { type: T }>

const field = (over: Partial<FieldDescription> = {}): FieldDescription => ({
  name: 'a',
  tableOid: 0,
  columnAttr: 0,
  dataTypeOid: 23,
  dataTypeSize: 4,
  dataTypeModifier: -1,
  format: 0,
  ...over,
})
const description = (...fields: FieldDescription[]): BackendMessage => ({ type: 'RowDescription', fields })

/** Feed each message in a chunk of its own (as separate queries' replies arrive) and read it back. */
function readEach(messages: BackendMessage[]): BackendMessage[] {
  const reader = new MessageReader()
  return messages.map((m) => {
    reader.feed(encodeBackendMessage(m))
    return reader.next()!
  })
}

describe('MessageReader repeats', () => {
  it('a RowDescription whose bytes repeat the last one is the same message', () => {
    const [a, b, c] = readEach([description(field()), description(field()), description(field())]) as Msg<'RowDescription'>[]
    expect(b).toBe(a)
    expect(c).toBe(a)
    expect(a!.fields).toEqual([field()])
  })

  for (const [what, other] of [
    ['name', field({ name: 'b' })],
    ['table OID', field({ tableOid: 1 })],
    ['column number', field({ columnAttr: 2 })],
    ['type OID', field({ dataTypeOid: 25 })],
    ['type size', field({ dataTypeSize: 8 })],
    ['type modifier', field({ dataTypeModifier: 4 })],
    ['format', field({ format: 1 })],
  ] as const) {
    it(`a same-length RowDescription with another ${what} is decoded afresh`, () => {
      const [a, b, c] = readEach([description(field()), description(other), description(field())]) as Msg<'RowDescription'>[]
      expect(encodeBackendMessage(description(other)).length).toBe(encodeBackendMessage(description(field())).length)
      expect(b).not.toBe(a)
      expect(b!.fields).toEqual([other])
      expect(c).not.toBe(a) // only the last one is kept
      expect(c!.fields).toEqual([field()])
    })
  }

  it('a RowDescription with another column count or order is decoded afresh', () => {
    const x = field({ name: 'x' })
    const y = field({ name: 'y' })
    const [a, b, c] = readEach([description(x, y), description(y, x), description(x)]) as Msg<'RowDescription'>[]
    expect(b).not.toBe(a)
    expect(b!.fields.map((f) => f.name)).toEqual(['y', 'x'])
    expect(c!.fields.map((f) => f.name)).toEqual(['x'])
  })

  it('repeats are recognised in one chunk and across split chunks', () => {
    const reader = new MessageReader()
    const one = encodeBackendMessage(description(field()))
    reader.feed(new Uint8Array([...one, ...one]))
    const a = reader.next()
    expect(reader.next()).toBe(a)
    // Split in the middle of the body: decoded from the reader's own copy.
    reader.feed(one.subarray(0, 9))
    expect(reader.next()).toBeUndefined()
    reader.feed(one.subarray(9))
    expect(reader.next()).toBe(a)
  })

  it('keeps a copy of the body, not the chunk', () => {
    const reader = new MessageReader()
    const chunk = encodeBackendMessage(description(field()))
    reader.feed(chunk)
    const a = reader.next() as Msg<'RowDescription'>
    // A caller may not do this, but had the reader kept a view of the chunk, the name "b" below would match it.
    chunk[7] = 0x62
    reader.feed(encodeBackendMessage(description(field({ name: 'b' }))))
    const b = reader.next() as Msg<'RowDescription'>
    expect(b).not.toBe(a)
    expect(b.fields[0]!.name).toBe('b')
  })

  it('CommandComplete: the same tag bytes give the same message, another same-length tag its own', () => {
    const tag = (t: string): BackendMessage => ({ type: 'CommandComplete', tag: t })
    const [a, b, c, d] = readEach([tag('SELECT 1'), tag('SELECT 1'), tag('SELECT 2'), tag('INSERT 0 1')]) as Msg<'CommandComplete'>[]
    expect(b).toBe(a)
    expect(c!.tag).toBe('SELECT 2')
    expect(d!.tag).toBe('INSERT 0 1')
  })

  it('a malformed repeat-sized body still fails', () => {
    const reader = new MessageReader()
    reader.feed(encodeBackendMessage({ type: 'CommandComplete', tag: 'SELECT 1' }))
    reader.next()
    // Same length as "SELECT 1\0", no NUL.
    reader.feed(new Uint8Array([0x43, 0, 0, 0, 13, ...new TextEncoder().encode('SELECT 12')]))
    expect(() => reader.next()).toThrow(/NUL-terminated/)
  })
})
