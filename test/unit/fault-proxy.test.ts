// Self-test of the fault-injection proxy against a real local TCP echo server:
// each mode is checked on the wire, with short bounded waits (no PostgreSQL).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as net from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** An echo server that also records what each connection sent it. */
interface Echo {
  port: number
  /** Bytes received per accepted connection, in order of accept. */
  received: number[]
  /** Connections on which the server saw a FIN. */
  ended: () => number
  close(): Promise<void>
}

async function startEcho(): Promise<Echo> {
  const received: number[] = []
  const sockets = new Set<net.Socket>()
  let ended = 0
  const server = net.createServer((socket) => {
    const index = received.push(0) - 1
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('data', (chunk) => (received[index] += chunk.length))
    socket.on('end', () => ended++)
    socket.on('close', () => sockets.delete(socket))
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    ended: () => ended,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A raw client that records bytes and lifecycle events. */
interface Client {
  socket: net.Socket
  data: () => Buffer
  /** Bytes received so far (cheap, unlike data()). */
  size: () => number
  /** 'end', 'close' and 'error:<code>' in order of arrival. */
  events: string[]
}

const clients: net.Socket[] = []
async function connect(proxy: FaultProxy): Promise<Client> {
  const socket = net.connect({ host: proxy.host, port: proxy.port })
  clients.push(socket)
  const chunks: Buffer[] = []
  const events: string[] = []
  let size = 0
  socket.on('data', (c: Buffer) => {
    chunks.push(c)
    size += c.length
  })
  socket.on('end', () => events.push('end'))
  socket.on('close', () => events.push('close'))
  socket.on('error', (e: NodeJS.ErrnoException) => events.push(`error:${e.code}`))
  // A connection reset at accept may fail before 'connect' is seen: wait for either.
  await new Promise((resolve) => {
    socket.once('connect', resolve)
    socket.once('close', resolve)
  })
  return { socket, data: () => Buffer.concat(chunks), size: () => size, events }
}

/** Polls `cond` every 5 ms; fails after `ms`. */
async function until(cond: () => boolean, ms = 1000, what = 'condition'): Promise<void> {
  const end = performance.now() + ms
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(5)
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function roundTrip(client: Client, text: string): Promise<void> {
  const before = client.size()
  client.socket.write(text)
  await until(() => client.size() >= before + text.length, 1000, `echo of ${text}`)
  expect(client.data().subarray(before).toString()).toBe(text)
}

let echo: Echo
let proxy: FaultProxy
async function setup(): Promise<void> {
  echo = await startEcho()
  proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: echo.port } })
}
afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy()
  await proxy?.close()
  await echo?.close()
})

describe('fault proxy', () => {
  it('passes bytes both ways, and 8 MB intact', { timeout: 10_000 }, async () => {
    await setup()
    const client = await connect(proxy)
    await roundTrip(client, 'hello')
    const big = randomBytes(8 * 1024 * 1024)
    client.socket.write(big)
    // A generous bound: this takes ~0.2 s alone, more when other test files share the CPU.
    await until(() => client.size() >= big.length + 5, 5000, '8 MB echo')
    expect(client.data().subarray(5).equals(big)).toBe(true)
    expect([proxy.accepted(), proxy.connections()]).toEqual([1, 1])
    // FIN travels through: the echo server ends back, and the client closes cleanly.
    client.socket.end()
    await until(() => client.events.includes('close'), 1000, 'close')
    expect(client.events).toEqual(['end', 'close'])
    await until(() => proxy.connections() === 0, 500, 'no connections')
  })

  it('listens on another loopback address', async () => {
    echo = await startEcho()
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: echo.port }, host: '127.0.0.2' })
    expect(proxy.host).toBe('127.0.0.2')
    await roundTrip(await connect(proxy), 'x')
  })

  it('blackhole: open and new connections get silence, no FIN, no RST; bytes are dropped', async () => {
    await setup()
    const old = await connect(proxy)
    await roundTrip(old, 'before')
    proxy.setMode({ kind: 'blackhole' })
    old.socket.write('lost')
    const fresh = await connect(proxy) // the kernel still accepts
    fresh.socket.write('lost too')
    await sleep(300)
    expect(old.data().toString()).toBe('before')
    expect(fresh.data().length).toBe(0)
    expect([old.events, fresh.events]).toEqual([[], []])
    expect(echo.received).toEqual([6]) // nothing reached the server; fresh was never dialled
    expect(proxy.connections()).toBe(2)
  })

  it('heal: new connections work after pass; lost ones stay silent', async () => {
    await setup()
    const old = await connect(proxy)
    await roundTrip(old, 'a')
    proxy.setMode({ kind: 'blackhole' })
    old.socket.write('dropped')
    await sleep(50)
    proxy.setMode({ kind: 'pass' })
    await roundTrip(await connect(proxy), 'healed')
    old.socket.write('still lost')
    await sleep(200)
    expect(old.data().toString()).toBe('a')
    expect(old.events).toEqual([])
  })

  it('delay: adds the delay each way and keeps order when it shrinks', async () => {
    await setup()
    const client = await connect(proxy)
    proxy.setMode({ kind: 'delay', ms: 100 })
    const t0 = performance.now()
    await roundTrip(client, 'ping')
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200)
    client.socket.write('a')
    await sleep(20)
    proxy.setMode({ kind: 'delay', ms: 0 })
    client.socket.write('b')
    await until(() => client.size() === 6, 1000, 'a and b')
    expect(client.data().toString()).toBe('pingab')
  })

  it('cut to-client after N bytes with end: exactly N bytes, then a clean close', async () => {
    await setup()
    const client = await connect(proxy)
    proxy.setMode({ kind: 'cut', afterBytes: 10, direction: 'to-client', how: 'end' })
    await roundTrip(client, 'abcd') // 4 of 10 counted
    client.socket.write('x'.repeat(100)) // the chunk that crosses 10 is split
    await until(() => client.events.includes('close'), 1000, 'close')
    expect(client.data().toString()).toBe('abcdxxxxxx')
    expect(client.events).toEqual(['end', 'close'])
  })

  it('cut to-client after N bytes with reset: exactly N bytes, then ECONNRESET', async () => {
    await setup()
    const client = await connect(proxy)
    proxy.setMode({ kind: 'cut', afterBytes: 10, direction: 'to-client', how: 'reset' })
    client.socket.write('y'.repeat(100))
    await until(() => client.events.includes('close'), 1000, 'close')
    expect(client.data().toString()).toBe('y'.repeat(10))
    expect(client.events).toEqual(['error:ECONNRESET', 'close'])
  })

  it('cut to-server: the server gets exactly N bytes and a FIN, the client a close', async () => {
    await setup()
    const client = await connect(proxy)
    await roundTrip(client, 'pre') // counted from when the mode applies, not from connect
    proxy.setMode({ kind: 'cut', afterBytes: 30, direction: 'to-server', how: 'end' })
    client.socket.write('z'.repeat(100))
    await until(() => client.events.includes('close') && echo.ended() === 1, 1000, 'close and server FIN')
    expect(echo.received).toEqual([33])
    expect(client.events).toEqual(['end', 'close'])
  })

  it('reset: resets open connections and every new one', async () => {
    await setup()
    const old = await connect(proxy)
    await roundTrip(old, 'hi')
    proxy.setMode({ kind: 'reset' })
    await until(() => old.events.includes('close'), 1000, 'old close')
    expect(old.events).toEqual(['error:ECONNRESET', 'close'])
    const fresh = await connect(proxy)
    await until(() => fresh.events.includes('close'), 1000, 'fresh close')
    expect(fresh.events).toEqual(['error:ECONNRESET', 'close'])
    expect(echo.received).toEqual([2])
    expect(proxy.accepted()).toBe(2)
  })

  it('cutAll: end sends FIN, reset sends RST, black-holed ones included', async () => {
    await setup()
    const a = [await connect(proxy), await connect(proxy)]
    proxy.cutAll('end')
    await until(() => a.every((c) => c.events.includes('close')), 1000, 'FIN closes')
    for (const c of a) expect(c.events).toEqual(['end', 'close'])
    proxy.setMode({ kind: 'blackhole' })
    const b = [await connect(proxy), await connect(proxy)]
    proxy.cutAll('reset')
    await until(() => b.every((c) => c.events.includes('close')), 1000, 'RST closes')
    for (const c of b) expect(c.events).toEqual(['error:ECONNRESET', 'close'])
    await until(() => proxy.connections() === 0, 500, 'no connections')
  })

  it('close() is quick with black-holed and delayed connections open', async () => {
    await setup()
    const passing = await connect(proxy)
    proxy.setMode({ kind: 'delay', ms: 5000 })
    passing.socket.write('pending') // a delay timer is armed
    await sleep(20)
    proxy.setMode({ kind: 'blackhole' })
    await connect(proxy)
    await connect(proxy)
    const t0 = performance.now()
    await proxy.close()
    expect(performance.now() - t0).toBeLessThan(200)
    expect(proxy.connections()).toBe(0)
    await proxy.close() // idempotent
  })

  it('close() leaves no handle that keeps a process alive', { timeout: 10_000 }, async () => {
    // A child process sets up the worst case, closes, and must exit on its own.
    const script = `
      import * as net from 'node:net'
      import { startFaultProxy } from './test/support/fault-proxy.ts'
      const echo = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1')
      await new Promise((r) => echo.once('listening', r))
      const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: echo.address().port } })
      const open = () => new Promise((r) => { const s = net.connect(proxy.port, proxy.host, () => r(s)); s.on('error', () => {}) })
      proxy.setMode({ kind: 'blackhole' })
      const b = await open()
      proxy.setMode({ kind: 'delay', ms: 60000 })
      const a = await open()
      a.write('x') // arms a one-minute timer in the proxy
      await new Promise((r) => setTimeout(r, 20))
      await proxy.close()
      a.destroy(); b.destroy(); echo.close()
      console.log('closed')
    `
    // Timed from the child's 'closed' line, not from spawn: tsx start-up varies with load.
    const { code, lingeredMs } = await new Promise<{ code: number | null; lingeredMs: number }>((resolve) => {
      let closedAt = Number.NaN
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT })
      const kill = setTimeout(() => child.kill('SIGKILL'), 8000)
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('closed')) closedAt = performance.now()
      })
      child.on('exit', (exitCode) => {
        clearTimeout(kill)
        resolve({ code: exitCode, lingeredMs: performance.now() - closedAt })
      })
    })
    expect(code).toBe(0)
    expect(lingeredMs).toBeLessThan(500) // NaN (never closed) fails too
  })

  it('rejects bad modes', async () => {
    await setup()
    expect(() => proxy.setMode({ kind: 'delay', ms: -1 })).toThrow(RangeError)
    expect(() => proxy.setMode({ kind: 'cut', afterBytes: 1.5, direction: 'to-client', how: 'end' })).toThrow(RangeError)
  })
})
