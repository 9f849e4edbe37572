/**
 * A socket plus the message reader: bytes in, typed backend messages out.
 * Two modes: `next()` pulls one message (the linear startup handshake uses it),
 * `setHandler()` pushes every message to one callback (steady state, fast path).
 * `pause()` stops delivery between two messages, even mid-chunk, so a slow row
 * consumer holds back the socket (backpressure).
 */
import { ConnectionError, ErrorCode, ProtocolError, TlsError } from '../errors.js'
import type { BackendMessage } from '../protocol/messages.js'
import { MessageReader } from '../protocol/reader.js'
import type { Socket } from '../transport/socket.js'

type Handler = (message: BackendMessage) => void

/** A socket read as backend messages, pulled (startup) or pushed to one handler (steady state). */
export class Wire {
  private readonly reader: MessageReader
  private handler: Handler | undefined
  private waiter: { resolve: (m: BackendMessage) => void; reject: (e: Error) => void } | undefined
  private paused = false
  /** Set once the wire has ended (the reason may still be unbuilt: see `error`). */
  private ended = false
  private failure: Error | undefined
  /** The closed socket's reason, built only when someone asks for it (see `error`). */
  private closedReason: Error | undefined
  private closeListeners: (() => void)[] = []

  constructor(
    readonly socket: Socket,
    maxMessageBytes: number,
    private readonly address: string,
  ) {
    this.reader = new MessageReader({ maxMessageBytes })
    // Handlers made by calls, not function literals stored into properties:
    // V8 allocates those in old space, where they keep the whole session past
    // young-generation GCs (see Connection.flusherOf).
    socket.onData = Wire.reading(this)
    socket.onClose = Wire.closing(this)
  }

  /** Each chunk read goes through the reader to the handler or waiter. */
  private static reading(wire: Wire): (chunk: Uint8Array) => void {
    return (chunk) => {
      try {
        wire.reader.feed(chunk)
      } catch (error) {
        return wire.fail(error as Error)
      }
      wire.deliver()
    }
  }

  /**
   * A TLS failure reported by the close (Workers verify lazily: a bad
   * certificate surfaces as the first read failing) stays a TlsError. The
   * ConnectionError of any other close is built only when asked for: a
   * clean close after close() has nobody to tell (an Error with its stack
   * cost ~8 µs and 0.5 KB per connect).
   */
  private static closing(wire: Wire): (error?: Error) => void {
    return (error) => {
      if (error instanceof TlsError) return wire.fail(error)
      wire.closedReason = error
      wire.end(undefined)
    }
  }

  /** The error that ended this wire, if it has ended. */
  get error(): Error | undefined {
    if (!this.ended) return undefined
    return (this.failure ??= this.closedError())
  }

  /** Whether the wire has ended (cheaper than `error`, which may build the error). */
  get isEnded(): boolean {
    return this.ended
  }

  write(bytes: Uint8Array): void {
    if (this.ended) return
    this.socket.write(bytes)
  }

  /**
   * The next message already received, or undefined (then await next()); a
   * malformed one fails the wire and next() rejects with why. Startup only.
   */
  poll(): BackendMessage | undefined {
    return this.ended || this.waiter ? undefined : this.readOne()
  }

  /** Pull the next message (startup only; do not mix with setHandler). */
  next(): Promise<BackendMessage> {
    if (this.ended) return Promise.reject(this.error)
    const message = this.readOne()
    if (message) return Promise.resolve(message)
    // A malformed message buffered behind the last one fails the wire inside
    // readOne(): reject now, or the waiter below would wait on a dead wire.
    if (this.ended) return Promise.reject(this.error)
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject }
    })
  }

  /** Switch to push mode: every message, including buffered ones, goes to handler. */
  setHandler(handler: Handler): void {
    this.handler = handler
    this.deliver()
  }

  /** Called once when the wire ends; `error` then tells why (built on first read). */
  onClose(listener: () => void): void {
    if (this.ended) listener()
    else this.closeListeners.push(listener)
  }

  pause(): void {
    if (this.paused) return
    this.paused = true
    this.socket.pause()
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.socket.resume()
    this.deliver()
  }

  /** End the wire: reject a pending pull, tell listeners, destroy the socket. */
  fail(error: Error): void {
    this.end(error)
  }

  /** End the wire with `error`, or (undefined) with the socket's close, its error built lazily. */
  private end(error: Error | undefined): void {
    if (this.ended) return
    this.ended = true
    this.failure = error
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.reject(this.error!)
    this.socket.destroy()
    const listeners = this.closeListeners
    this.closeListeners = []
    for (const listener of listeners) listener()
  }

  private closedError(): Error {
    const cause = this.closedReason
    return new ConnectionError(`connection to ${this.address} closed${cause ? `: ${cause.message}` : ''}`, {
      code: ErrorCode.ConnectionClosed,
      cause,
      address: this.address,
    })
  }

  private readOne(): BackendMessage | undefined {
    try {
      return this.reader.next()
    } catch (error) {
      this.fail(error instanceof ProtocolError ? error : new ProtocolError(String(error), { cause: error }))
      return undefined
    }
  }

  private deliver(): void {
    if (this.waiter) {
      const message = this.readOne()
      if (!message) return
      const waiter = this.waiter
      this.waiter = undefined
      waiter.resolve(message)
      return
    }
    const handler = this.handler
    if (!handler) return
    while (!this.paused && !this.ended) {
      const message = this.readOne()
      if (!message) return
      try {
        handler(message)
      } catch (error) {
        // A message the session cannot handle ends it; it must never escape
        // into the socket's data callback and crash the process.
        this.fail(error instanceof ProtocolError ? error : new ProtocolError(`cannot handle ${message.type}: ${(error as Error).message}`, { cause: error }))
      }
    }
  }
}
