/**
 * RawStream, pg's `connection.stream` for pg-copy-streams (raw-stream.ts),
 * with a scripted host: read() returns what resuming the session delivers at
 * once, so a reader that ignores 'readable' inside its own read loop (as
 * pg-copy-streams does) is never left waiting on bytes already captured.
 */
import { describe, expect, it } from 'vitest'
import type { BackendMessage } from '../protocol/messages.js'
import { MessageReader } from '../protocol/reader.js'
import { comparable, dataRow, encodeBackendMessages } from '../protocol/testing/index.js'
import { RawStream, type RawStreamHost } from './raw-stream.js'

const copyData = (n: number): BackendMessage => ({ type: 'CopyData', data: new Uint8Array(n).fill(0x78) })

describe('RawStream read()', () => {
  it('returns the messages the session delivers while resuming, instead of null', () => {
    const held: BackendMessage[] = []
    let paused = false
    let stream: RawStream
    const host: RawStreamHost = {
      writeRaw: () => true,
      pause: () => void (paused = true),
      resume: () => {
        paused = false
        // Like Wire.resume(): the held-back messages are delivered synchronously.
        for (const m of held.splice(0)) stream.capture(m)
      },
      drain: () => Promise.resolve(),
      redeliver: () => undefined,
    }
    stream = new RawStream(host)
    stream.removeAllListeners('data') // the reader takes the 'data' listener off
    // Past the high-water mark the socket pauses; the session holds the COPY's tail.
    stream.capture(copyData(1024 * 1024 + 1))
    expect(paused).toBe(true)
    held.push(copyData(10), { type: 'CopyDone' } as BackendMessage)
    expect(stream.read()?.length).toBe(5 + 1024 * 1024 + 1)
    const tail = stream.read()
    expect(paused).toBe(false)
    expect(tail?.length).toBe(5 + 10 + 5)
    expect(tail?.[tail.length - 5]).toBe(0x63) // 'c' CopyDone
    expect(stream.read()).toBeNull()
  })

  it('keeps a copy of each captured DataRow (the reader overwrites its one DataRow message)', () => {
    const redelivered: BackendMessage[] = []
    const stream = new RawStream({
      writeRaw: () => true,
      pause: () => undefined,
      resume: () => undefined,
      drain: () => Promise.resolve(),
      redeliver: (m) => void redelivered.push(m),
    })
    const onData = stream.listeners('data')[0]!
    stream.removeAllListeners('data')
    const reader = new MessageReader()
    reader.feed(encodeBackendMessages([dataRow([new Uint8Array([0x31])]), dataRow([new Uint8Array([0x32])])]))
    for (let m = reader.next(); m !== undefined; m = reader.next()) stream.capture(m)
    const unread = stream.read()!
    stream.on('data', onData)
    stream.emit('data', unread)
    expect(redelivered.map(comparable)).toEqual([
      { type: 'DataRow', values: [new Uint8Array([0x31])] },
      { type: 'DataRow', values: [new Uint8Array([0x32])] },
    ])
  })
})
