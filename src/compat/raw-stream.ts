/**
 * pg's `connection.stream` (the socket) as pg-copy-streams uses it, for one
 * submitted query:
 *  - writing: raw frontend frames (CopyData, CopyDone) go to the session;
 *    `write` returns false past a high-water mark and 'drain' follows once
 *    the socket took them, like a Node socket.
 *  - reading (COPY TO): pg-copy-streams takes the one 'data' listener off,
 *    pauses, and pulls raw backend bytes with `read()` on 'readable' until
 *    CopyDone; then it puts the listener back and hands it the bytes it did
 *    not read. pgfleet has already decoded those messages, so while the
 *    listener is off each one is re-framed (CopyData with its payload, the
 *    others as an empty frame of their type, whose body pg-copy-streams
 *    never reads) and kept; the frames given back are mapped back to the kept
 *    messages and delivered to the query as pg would.
 * A Node Buffer is used where available: pg-copy-streams is Node-only.
 */
import { BackendCode } from '../protocol/codes.js'
import type { BackendMessage } from '../protocol/messages.js'
import { Emitter } from './emitter.js'

/** Bytes buffered for a reader before socket reads pause (the reader is behind). */
const READ_HIGH_WATER = 1024 * 1024
/** Bytes written before `write` asks the writer to wait for 'drain'. */
const WRITE_HIGH_WATER = 256 * 1024

interface BufferStatics {
  from(bytes: Uint8Array): Uint8Array
  concat(list: Uint8Array[]): Uint8Array
}
const NodeBuffer = (globalThis as { Buffer?: BufferStatics }).Buffer

function concat(parts: Uint8Array[]): Uint8Array {
  if (NodeBuffer) return NodeBuffer.concat(parts)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) (out.set(p, at), (at += p.length))
  return out
}

function frame(message: BackendMessage): Uint8Array {
  const body = message.type === 'CopyData' ? message.data : undefined
  const out = new Uint8Array(5 + (body?.length ?? 0))
  out[0] = (BackendCode as Record<string, number>)[message.type] ?? 0
  new DataView(out.buffer).setUint32(1, 4 + (body?.length ?? 0))
  if (body) out.set(body, 5)
  return out
}

/** The host side: where written bytes go, socket flow control, and the messages given back. */
export interface RawStreamHost {
  writeRaw(bytes: Uint8Array): boolean
  pause(): void
  resume(): void
  drain(): Promise<void>
  redeliver(message: BackendMessage): void
}

/** See the module comment. */
export class RawStream extends Emitter {
  #host: RawStreamHost
  #frames: Uint8Array[] = []
  #frameBytes = 0
  #kept: BackendMessage[] = []
  #unflushed = 0
  #pausedSocket = false
  readonly #onData = (bytes: Uint8Array) => this.#givenBack(bytes)

  constructor(host: RawStreamHost) {
    super()
    this.#host = host
    this.on('data', this.#onData)
  }

  /** True while a reader has taken the 'data' listener off (pg-copy-streams' COPY TO). */
  get capturing(): boolean {
    return !this.listeners('data').includes(this.#onData)
  }

  /** Keep a message for the reader as a raw frame. */
  capture(message: BackendMessage): void {
    const bytes = frame(message)
    this.#frames.push(bytes)
    this.#frameBytes += bytes.length
    // The reader overwrites its one DataRow message on its next message (a COPY
    // followed by a SELECT in one query string brings rows here): keep a copy.
    this.#kept.push(message.type === 'DataRow' ? { ...message } : message)
    if (this.#frameBytes > READ_HIGH_WATER && !this.#pausedSocket) {
      this.#pausedSocket = true
      this.#host.pause()
    }
    this.emit('readable')
  }

  /** Node's readable.read(): every buffered byte, or null. */
  read(): Uint8Array | null {
    if (this.#frames.length === 0 && this.#pausedSocket) {
      this.#pausedSocket = false
      // Resuming delivers the messages the session held back at once, inside this
      // call: they are captured here and returned now. pg-copy-streams ignores the
      // 'readable' they raise while it is in its read() loop, so a null here would
      // strand them (the COPY's last messages among them) until data that never comes.
      this.#host.resume()
    }
    if (this.#frames.length === 0) return null
    const out = concat(this.#frames)
    this.#frames = []
    this.#frameBytes = 0
    return NodeBuffer ? NodeBuffer.from(out) : out
  }

  /** The reader handed back the bytes it did not read: deliver the messages behind them. */
  #givenBack(bytes: Uint8Array): void {
    let count = 0
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let at = 0; at + 5 <= bytes.length; at += 1 + view.getUint32(at + 1)) count++
    const messages = this.#kept.splice(this.#kept.length - count, count)
    this.#kept = []
    for (const m of messages) this.#host.redeliver(m)
  }

  pause(): this {
    return this
  }

  resume(): this {
    return this
  }

  /** Raw frontend bytes (pg-copy-streams frames CopyData itself). */
  write(chunk: Uint8Array | string, encoding?: unknown, callback?: unknown): boolean {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
    this.#host.writeRaw(bytes)
    this.#unflushed += bytes.length
    const cb = typeof encoding === 'function' ? encoding : callback
    if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)())
    if (this.#unflushed < WRITE_HIGH_WATER) return true
    this.#unflushed = 0
    void this.#host.drain().then(() => this.emit('drain'))
    return false
  }

  /** A piped source ended: the session stays open (pg-copy-streams sends CopyDone itself). */
  end(): this {
    return this
  }
}
