import { describe, expect, it } from 'vitest'
import { ConnectionError, ErrorCode, TlsError } from '../errors.js'
import { capabilitiesOf, type RuntimeName } from './testing/runtimes.js'
import { HIGH_WATER_BYTES, pullChannel, startDirectTls, StreamSocket, type Channel, type ChannelEvents, type PullStream, type TlsUpgrade } from './core.js'
import type { TlsInfo, TlsUpgradeOptions } from './socket.js'

/** A scripted runtime channel: writes are taken at once ('sync') or wait for finishWrite() ('async'). */
class FakeChannel implements Channel {
  events!: ChannelEvents
  flowing = false
  written: Uint8Array[] = []
  calls: string[] = []
  private pending: { resolve: () => void; reject: (error: Error) => void }[] = []

  constructor(private readonly mode: 'sync' | 'async' = 'sync') {}

  open(events: ChannelEvents): void {
    this.events = events
  }
  write(data: Uint8Array): Promise<void> | undefined {
    this.written.push(data)
    if (this.mode === 'sync') return undefined
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }))
  }
  /** Complete (or fail) the oldest pending write. */
  finishWrite(error?: Error): void {
    const next = this.pending.shift()!
    if (error) next.reject(error)
    else next.resolve()
  }
  get pendingWrites(): number {
    return this.pending.length
  }
  pause(): void {
    this.flowing = false
  }
  resume(): void {
    this.flowing = true
  }
  close(): void {
    this.calls.push('close')
  }
  destroy(): void {
    this.calls.push('destroy')
  }
  detach(): void {
    this.calls.push('detach')
  }
  ref(): void {
    this.calls.push('ref')
  }
  unref(): void {
    this.calls.push('unref')
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))
const bytes = (n: number) => new Uint8Array(n)
const verifyFull: TlsUpgradeOptions = { servername: 'db', rejectUnauthorized: true, checkServerIdentity: true }
const INFO: TlsInfo = { authorized: true, alpnProtocol: 'postgresql' }

function socketOver(channel: Channel, upgrade?: TlsUpgrade, runtime: RuntimeName = 'node') {
  const socket = new StreamSocket(channel, 'db:5432', capabilitiesOf(runtime), upgrade ?? (() => Promise.reject(new Error('no TLS'))))
  const got = { data: [] as Uint8Array[], closes: [] as (Error | undefined)[] }
  socket.onClose = (error) => got.closes.push(error)
  return { socket, got }
}

describe('StreamSocket write queue', () => {
  it('hands writes to a runtime that takes them at once; drain is immediate', async () => {
    const channel = new FakeChannel('sync')
    const { socket } = socketOver(channel)
    expect(socket.write(bytes(HIGH_WATER_BYTES * 2))).toBe(true)
    expect(channel.written).toHaveLength(1)
    await socket.drain()
  })

  it('sends one write at a time, in order; past the high-water mark write() says wait, and drain() resolves once all is out', async () => {
    const channel = new FakeChannel('async')
    const { socket } = socketOver(channel)
    const a = bytes(10)
    const b = bytes(HIGH_WATER_BYTES)
    expect(socket.write(a)).toBe(true)
    expect(socket.write(b)).toBe(false)
    expect(channel.written).toEqual([a])
    let drained = false
    void socket.drain().then(() => (drained = true))
    channel.finishWrite()
    await tick()
    expect(channel.written).toEqual([a, b])
    expect(drained).toBe(false)
    channel.finishWrite()
    await tick()
    expect(drained).toBe(true)
    expect(socket.write(bytes(1))).toBe(true)
  })

  it('a failed write destroys the channel and closes once with PGFLEET_CONNECTION_LOST; later writes are refused', async () => {
    const channel = new FakeChannel('async')
    const { socket, got } = socketOver(channel)
    socket.write(bytes(1))
    socket.write(bytes(1))
    const drained = socket.drain()
    channel.finishWrite(Object.assign(new Error('Broken pipe (os error 32)'), { code: 'EPIPE' }))
    await drained
    expect(channel.calls).toEqual(['destroy'])
    expect(got.closes).toHaveLength(1)
    expect(got.closes[0]).toBeInstanceOf(ConnectionError)
    expect(got.closes[0]).toMatchObject({ code: ErrorCode.ConnectionLost, message: 'connection to db:5432 lost: Broken pipe (os error 32)' })
    expect(socket.write(bytes(1))).toBe(false)
  })

  it('close() flushes the queue first; whatever ends our own close is a clean close, reported once', async () => {
    const channel = new FakeChannel('async')
    const { socket, got } = socketOver(channel)
    socket.write(bytes(1))
    socket.close()
    expect(socket.write(bytes(1))).toBe(false)
    await tick()
    expect(channel.calls).toEqual([])
    channel.finishWrite()
    await tick()
    expect(channel.calls).toEqual(['close'])
    channel.events.end(new Error('reset while closing'))
    channel.events.end()
    socket.destroy()
    expect(got.closes).toEqual([undefined])
  })
})

describe('StreamSocket delivery and close', () => {
  it('reads nothing until there is a receiver, and nothing while paused', () => {
    const channel = new FakeChannel()
    const { socket } = socketOver(channel)
    socket.resume()
    expect(channel.flowing).toBe(false)
    const data: Uint8Array[] = []
    socket.onData = (chunk) => data.push(chunk)
    expect(channel.flowing).toBe(true)
    socket.pause()
    expect(channel.flowing).toBe(false)
    socket.resume()
    channel.events.data(bytes(3))
    expect(data).toHaveLength(1)
  })

  it('an end with an error is PGFLEET_CONNECTION_LOST; nothing is delivered after the close', () => {
    const channel = new FakeChannel()
    const { socket, got } = socketOver(channel)
    const data: Uint8Array[] = []
    socket.onData = (chunk) => data.push(chunk)
    channel.events.end(Object.assign(new Error('ECONNRESET: connection reset by peer, read'), { code: 'ECONNRESET' }))
    channel.events.data(bytes(1))
    expect(data).toEqual([])
    expect(got.closes).toHaveLength(1)
    expect(got.closes[0]).toMatchObject({ code: ErrorCode.ConnectionLost })
  })

  it('destroy() closes at once with no error', () => {
    const channel = new FakeChannel()
    const { socket, got } = socketOver(channel)
    socket.destroy()
    socket.destroy()
    expect(channel.calls).toEqual(['destroy'])
    expect(got.closes).toEqual([undefined])
  })
})

describe('StreamSocket.startTls', () => {
  it('pauses, flushes, detaches, swaps the channel; writes made during the handshake go over TLS; unref is kept', async () => {
    const plain = new FakeChannel('async')
    const secure = new FakeChannel('sync')
    let finishHandshake!: () => void
    const { socket } = socketOver(plain, () => new Promise((resolve) => (finishHandshake = () => resolve({ channel: secure, info: INFO }))))
    const data: Uint8Array[] = []
    socket.onData = (chunk) => data.push(chunk)
    socket.unref()
    socket.write(bytes(8))
    const upgraded = socket.startTls(verifyFull)
    expect(plain.flowing).toBe(false)
    await tick()
    expect(plain.calls).toEqual(['unref'])
    plain.finishWrite()
    await tick()
    expect(plain.calls).toEqual(['unref', 'detach'])
    const duringHandshake = bytes(4)
    socket.write(duringHandshake)
    expect(plain.written).toHaveLength(1)
    finishHandshake()
    await expect(upgraded).resolves.toBe(INFO)
    expect(socket.tls).toBe(INFO)
    expect(secure.written).toEqual([duringHandshake])
    expect(secure.calls).toEqual(['unref'])
    expect(secure.flowing).toBe(true)
    plain.events.data(bytes(1))
    plain.events.end(new Error('the raw socket under TLS'))
    secure.events.data(bytes(2))
    expect(data.map((c) => c.length)).toEqual([2])
    await expect(socket.startTls(verifyFull)).rejects.toThrow('connection is already encrypted')
  })

  it("refuses what the runtime's capability row lacks: the socket closes with that error", async () => {
    const plain = new FakeChannel()
    const { socket, got } = socketOver(plain, undefined, 'deno')
    const error = await socket.startTls({ ...verifyFull, checkServerIdentity: false }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TlsError)
    expect(error).toMatchObject({ code: ErrorCode.TlsRuntimeLimit })
    expect(plain.calls).toEqual(['detach', 'destroy'])
    expect(got.closes).toEqual([error])
  })

  it('a failed handshake closes the socket with its error; startTls on a closed socket is refused', async () => {
    const failure = new TlsError('certificate has wrong host name', { code: ErrorCode.TlsCertificate })
    const { socket, got } = socketOver(new FakeChannel(), () => Promise.reject(failure))
    await expect(socket.startTls(verifyFull)).rejects.toBe(failure)
    expect(got.closes).toEqual([failure])
    await expect(socket.startTls(verifyFull)).rejects.toThrow('closed before the TLS handshake')
  })

  it('closing during the handshake tells the upgrade (abandoned), and a channel that still arrives is destroyed', async () => {
    const late = new FakeChannel()
    let finish!: () => void
    let abandoned!: AbortSignal
    const { socket } = socketOver(new FakeChannel(), (_options, signal) => {
      abandoned = signal
      return new Promise((resolve) => (finish = () => resolve({ channel: late, info: INFO })))
    })
    const upgraded = socket.startTls(verifyFull).catch((e: unknown) => e)
    await tick()
    expect(abandoned.aborted).toBe(false)
    socket.destroy()
    expect(abandoned.aborted).toBe(true)
    finish()
    expect(await upgraded).toMatchObject({ code: ErrorCode.TlsHandshake })
    expect(late.calls).toEqual(['destroy'])
  })

  it('startDirectTls: the dial signal bounds the handshake; on abort the socket is destroyed with its reason', async () => {
    const plain = new FakeChannel()
    const { socket, got } = socketOver(plain, () => new Promise(() => undefined))
    const controller = new AbortController()
    const opening = startDirectTls(socket, verifyFull, controller.signal)
    const reason = new ConnectionError('timeout expired', { code: ErrorCode.ConnectTimeout })
    controller.abort(reason)
    await expect(opening).rejects.toBe(reason)
    expect(plain.calls).toContain('destroy')
    expect(got.closes).toHaveLength(1)
  })
})

/** A PullStream whose reads the test answers one by one. */
function scriptedStream() {
  const reads: { resolve: (chunk: Uint8Array | null) => void; reject: (error: Error) => void }[] = []
  const calls: string[] = []
  const stream: PullStream = {
    read: () => new Promise((resolve, reject) => reads.push({ resolve, reject })),
    write: async () => undefined,
    close: async () => void calls.push('close'),
    abort: () => void calls.push('abort'),
  }
  return { stream, reads, calls }
}

describe('pullChannel', () => {
  it('reads while resumed and stops in the pause called from data, so no read is in flight at an upgrade', async () => {
    const { stream, reads } = scriptedStream()
    const channel = pullChannel(stream)
    const data: number[] = []
    channel.open({ data: (chunk) => (data.push(chunk.length), chunk.length === 2 && channel.pause()), end: () => undefined })
    expect(reads).toHaveLength(0)
    channel.resume()
    reads.shift()!.resolve(bytes(1))
    await tick()
    reads.shift()!.resolve(bytes(2))
    await tick()
    expect(data).toEqual([1, 2])
    expect(reads).toHaveLength(0)
    expect(() => channel.detach!()).not.toThrow()
  })

  it('refuses an upgrade while a read is pending', () => {
    const { stream } = scriptedStream()
    const channel = pullChannel(stream)
    channel.open({ data: () => undefined, end: () => undefined })
    channel.resume()
    expect(() => channel.detach!()).toThrow(TlsError)
  })

  it('ends once: clean at end of stream, with the error when a read fails, clean after close()', async () => {
    const ends: unknown[] = []
    const run = async (finish: (read: ReturnType<typeof scriptedStream>['reads'][number]) => void, closeFirst = false) => {
      const { stream, reads } = scriptedStream()
      const channel = pullChannel(stream)
      channel.open({ data: () => undefined, end: (error) => ends.push(error) })
      channel.resume()
      if (closeFirst) channel.close()
      finish(reads.shift()!)
      await tick()
    }
    const failure = new Error('Connection reset by peer (os error 104)')
    await run((read) => read.resolve(null))
    await run((read) => read.reject(failure))
    await run((read) => read.reject(new Error('Bad resource ID')), true)
    expect(ends).toEqual([undefined, failure, undefined])
  })
})
