/**
 * COPY through a Connection on a fake socket (copy.ts, copy-out.ts; protocol
 * docs 55.2.6): the exchange in each direction, a server error mid-COPY,
 * COPY being exclusive (a query queued meanwhile is written only after the
 * COPY's ReadyForQuery), and COPY TO's bounded buffer pausing the socket.
 * The operations alone, against a recording host, are in power-ops.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { PgError } from '../errors.js'
import type { FrontendMessage } from '../protocol/testing/index.js'
import { copyFrom, copyTo } from './copy.js'
import { backend as b, openSession } from './testing/fake-server.js'

const decoder = new TextDecoder()
const text = (m: FrontendMessage) => (m.type === 'CopyData' ? decoder.decode(m.data) : `(${m.type})`)

describe('COPY FROM STDIN', () => {
  it('Query, then CopyData and CopyDone after CopyInResponse; resolves with the row count; a query queued meanwhile waits for the COPY', async () => {
    const { connection, backend } = await openSession()
    const copy = copyFrom(connection, 'copy t from stdin', ['1\n', '2\n'])
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'copy t from stdin' }])
    const behind = connection.query('select 1')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(backend.take()).toEqual([]) // exclusive: nothing else is written while the COPY runs
    backend.send(b.copyIn())
    const sent = await backend.read()
    expect(sent.map((m) => m.type)).toEqual(['CopyData', 'CopyDone'])
    expect(text(sent[0]!)).toBe('1\n2\n')
    backend.send(b.commandComplete('COPY 2'), b.ready())
    expect(await copy).toEqual({ rowCount: 2 })
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'select 1' }])
    backend.send(b.commandComplete('SELECT 0'), b.ready())
    await behind
  })

  it('a server error mid-COPY rejects with the PgError and stops reading the source; the session stays usable', async () => {
    const { connection, backend } = await openSession()
    let pulled = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    async function* source() {
      pulled++
      yield '1\n'
      await gate
      pulled++
      yield '2\n'
    }
    const copy = copyFrom(connection, 'copy t from stdin', source()).catch((e: unknown) => e)
    await backend.read()
    backend.send(b.copyIn(), b.error('22P02', 'invalid input syntax for type integer'), b.ready())
    const error = await copy
    expect(error).toBeInstanceOf(PgError)
    expect(error).toMatchObject({ code: '22P02', query: 'copy t from stdin' })
    release()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(pulled).toBe(1)
    expect(backend.take().filter((m) => m.type === 'CopyDone')).toEqual([]) // the server dropped out of COPY already
    expect(connection.isReady).toBe(true)
  })
})

describe('COPY TO STDOUT', () => {
  it('yields each CopyData chunk and the row count of the CommandComplete', async () => {
    const { connection, backend } = await openSession()
    const stream = copyTo(connection, 'copy t to stdout')
    const chunks: string[] = []
    const reading = (async () => {
      for await (const chunk of stream) chunks.push(decoder.decode(chunk))
    })()
    expect(await backend.read()).toEqual([{ type: 'Query', sql: 'copy t to stdout' }])
    backend.send(b.copyOut(), b.copyData('1\n'), b.copyData('2\n'), b.copyDone(), b.commandComplete('COPY 2'), b.ready())
    await reading
    expect(chunks).toEqual(['1\n', '2\n'])
    expect(stream.rowCount).toBe(2)
  })

  it('a consumer behind the high-water mark pauses the socket, and taking chunks resumes it', async () => {
    const { connection, backend } = await openSession()
    const iterator = copyTo(connection, 'copy t to stdout', { highWaterBytes: 2 })[Symbol.asyncIterator]()
    const first = iterator.next()
    await backend.read()
    backend.send(b.copyOut(), b.copyData('ab'), b.copyData('cd'), b.copyDone(), b.commandComplete('COPY 2'), b.ready())
    expect(backend.socket.isPaused).toBe(true) // 'ab' fills the buffer: reading stops before 'cd'
    expect(connection.pending).toBe(1)
    const got = [await first, await iterator.next(), await iterator.next()].map((r) => (r.done ? 'done' : decoder.decode(r.value)))
    expect(got).toEqual(['ab', 'cd', 'done'])
    expect(backend.socket.isPaused).toBe(false)
    expect(connection.pending).toBe(0)
  })

  it('a server error mid-COPY ends the iteration with the PgError', async () => {
    const { connection, backend } = await openSession()
    const iterator = copyTo(connection, 'copy t to stdout')[Symbol.asyncIterator]()
    const first = iterator.next()
    await backend.read()
    backend.send(b.copyOut(), b.copyData('1\n'), b.error('57014', 'canceling statement due to user request'), b.ready())
    expect(decoder.decode((await first).value as Uint8Array)).toBe('1\n')
    await expect(iterator.next()).rejects.toMatchObject({ code: '57014' })
  })
})
