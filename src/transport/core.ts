/**
 * The transport core: one Socket (./socket.ts) for every runtime. It owns
 * what the Socket contract asks beyond moving bytes: the write queue with
 * backpressure and drain(), pause/resume, one onClose with the failure
 * classified (./errors.ts), close after the queue is flushed, ref/unref that
 * survive the TLS upgrade, the upgrade itself (pause, flush, refuse what the
 * runtime cannot do (./capabilities.ts), swap the channel) and direct TLS
 * bounded by the dial's signal. A runtime adds only a Channel (open, read,
 * write, close) and its TLS upgrade. No runtime imports.
 */
import { ErrorCode, TlsError } from '../errors.js'
import { onAbort, raceSignal, type StopSignal } from '../deadline.js'
import { refuseTls, type Capabilities } from './capabilities.js'
import { lostError } from './errors.js'
import type { Socket, TlsInfo, TlsUpgradeOptions } from './socket.js'

/** What a channel reports to the core. */
export interface ChannelEvents {
  data(chunk: Uint8Array): void
  /** The stream ended: cleanly without an error. Called at most once. */
  end(error?: unknown): void
}

/** The runtime side: one connected byte stream (plain or TLS). */
export interface Channel {
  /** Called once by the core; the channel reports data only between resume() and pause(). */
  open(events: ChannelEvents): void
  /** Send all of `data`: undefined when the runtime took it at once, else a promise settled once it is out. */
  write(data: Uint8Array): Promise<void> | undefined
  pause(): void
  resume(): void
  /** Graceful close (after the queue is flushed); `end` follows. */
  close(): void
  /** Close at once; must not throw. */
  destroy(): void
  /** Before the upgrade: stop reporting (and throw when a pending read makes the upgrade impossible). */
  detach?(): void
  ref?(): void
  unref?(): void
}

/**
 * Replaces the plain channel by its TLS upgrade; called paused, with the
 * write queue flushed. `abandoned` aborts when the socket closes during the
 * handshake: close what the upgrade has opened (the plain channel is destroyed by the core).
 */
export type TlsUpgrade = (options: TlsUpgradeOptions, abandoned: AbortSignal) => Promise<{ channel: Channel; info: TlsInfo }>

/** write() returns false once this many bytes wait to be sent (Node's default highWaterMark). */
export const HIGH_WATER_BYTES = 16 * 1024

export class StreamSocket implements Socket {
  onClose: (error?: Error) => void = () => undefined
  /** Set once TLS is up (at the dial for sslnegotiation=direct). */
  tls?: TlsInfo

  private handler?: (chunk: Uint8Array) => void
  private paused = false
  private upgrading = false
  private writing = false
  private closing = false
  private closed = false
  private unrefed = false
  private handshake?: AbortController
  private readonly queue: Uint8Array[] = []
  private queuedBytes = 0
  private drainWaiters: (() => void)[] = []

  /** `upgrade` undefined: the channel is TLS already and cannot be upgraded again. */
  constructor(
    private channel: Channel,
    private readonly address: string,
    private readonly capabilities: Capabilities,
    private readonly upgrade?: TlsUpgrade,
  ) {
    this.listen(channel)
  }

  /** The receiver; nothing is read from the runtime until it is set. */
  get onData(): (chunk: Uint8Array) => void {
    return this.handler ?? (() => undefined)
  }
  set onData(handler: (chunk: Uint8Array) => void) {
    this.handler = handler
    this.flow()
  }

  write(data: Uint8Array): boolean {
    if (this.closed || this.closing) return false
    this.queue.push(data)
    this.queuedBytes += data.length
    this.flush()
    return this.queuedBytes < HIGH_WATER_BYTES
  }

  drain(): Promise<void> {
    if (this.queuedBytes === 0 || this.closed) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  pause(): void {
    this.paused = true
    this.channel.pause()
  }

  resume(): void {
    this.paused = false
    this.flow()
  }

  /**
   * Upgrade to TLS after the server answered 'S'. Pauses first (negotiateSsl
   * already paused in onData, so no read is pending: Deno and Workers fail
   * to upgrade a stream with one) and flushes pending writes.
   */
  async startTls(options: TlsUpgradeOptions, direct = false): Promise<TlsInfo> {
    const closed = () => new TlsError(`connection to ${this.address} closed before the TLS handshake`)
    if (this.closed) throw closed()
    if (this.tls !== undefined || this.upgrade === undefined) {
      throw new TlsError('connection is already encrypted', { code: ErrorCode.TlsHandshake })
    }
    this.pause()
    await this.drain()
    if (this.closed) throw closed()
    this.channel.detach?.()
    this.upgrading = true
    this.handshake = new AbortController()
    try {
      refuseTls(this.capabilities, options, direct)
      const { channel, info } = await this.upgrade(options, this.handshake.signal)
      if (this.closed) {
        // Destroyed during the handshake (the deadline): the late channel must not leak.
        channel.destroy()
        throw new TlsError(`connection to ${this.address} closed during the TLS handshake`, { code: ErrorCode.TlsHandshake })
      }
      this.channel = channel
      this.tls = info
      this.listen(channel)
      if (this.unrefed) channel.unref?.()
      this.upgrading = false
      this.paused = false
      this.flow()
      this.flush()
      return info
    } catch (error) {
      // A failed handshake ends the socket; onClose reports why.
      this.channel.destroy()
      this.finish(error as Error)
      throw error
    } finally {
      this.upgrading = false
      this.handshake = undefined
    }
  }

  close(): void {
    if (this.closed || this.closing) return
    this.closing = true
    void this.drain().then(() => {
      if (!this.closed) this.channel.close()
    })
  }

  destroy(): void {
    if (this.closed) return
    this.channel.destroy()
    this.finish()
  }

  unref(): void {
    this.unrefed = true
    this.channel.unref?.()
  }

  ref(): void {
    this.unrefed = false
    this.channel.ref?.()
  }

  private listen(channel: Channel): void {
    channel.open({
      data: (chunk) => {
        if (channel === this.channel && !this.closed) this.handler?.(chunk)
      },
      end: (error) => {
        // Our own close() ends with whatever the runtime says: that is the clean end.
        if (channel === this.channel) this.finish(error === undefined || this.closing ? undefined : lostError(this.address, error))
      },
    })
  }

  /** Let data flow once there is a receiver and nothing holds it. */
  private flow(): void {
    if (this.handler !== undefined && !this.paused && !this.upgrading && !this.closed) this.channel.resume()
  }

  private flush(): void {
    if (this.writing || this.upgrading) return
    while (this.queue.length > 0 && !this.closed) {
      const chunk = this.queue[0]!
      let pending: Promise<void> | undefined
      try {
        pending = this.channel.write(chunk)
      } catch (error) {
        return this.writeFailed(error)
      }
      if (pending !== undefined) {
        this.writing = true
        pending.then(
          () => {
            this.writing = false
            if (this.closed) return
            this.sent(chunk)
            this.flush()
          },
          (error: unknown) => {
            this.writing = false
            this.writeFailed(error)
          },
        )
        return
      }
      this.sent(chunk)
    }
    if (this.queuedBytes === 0) this.releaseDrainWaiters()
  }

  private sent(chunk: Uint8Array): void {
    this.queue.shift()
    this.queuedBytes -= chunk.length
  }

  private writeFailed(error: unknown): void {
    if (this.closed) return
    this.channel.destroy()
    this.finish(lostError(this.address, error))
  }

  private finish(error?: Error): void {
    if (this.closed) return
    this.closed = true
    this.handshake?.abort()
    this.queue.length = 0
    this.queuedBytes = 0
    this.releaseDrainWaiters()
    this.onClose(error)
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters
    this.drainWaiters = []
    for (const resolve of waiters) resolve()
  }
}

/**
 * Open TLS at once on a freshly dialled socket (sslnegotiation=direct). The
 * dial's signal bounds the handshake: when it aborts, the socket is destroyed
 * and the dial rejects with its reason.
 */
export async function startDirectTls(socket: StreamSocket, options: TlsUpgradeOptions, signal?: StopSignal): Promise<StreamSocket> {
  const unlink = onAbort(signal, () => socket.destroy())
  try {
    await raceSignal(socket.startTls(options, true), signal)
    return socket
  } catch (error) {
    socket.destroy()
    throw error
  } finally {
    unlink()
  }
}

/** A pull-style byte stream: `read()` resolves the next chunk, `write()` once the bytes are handed to the OS (Deno's Conn, Workers' streams). */
export interface PullStream {
  /** Next chunk, or null at end of stream. Never called twice at once. */
  read(): Promise<Uint8Array | null>
  /** Write all of `data`. Never called twice at once. */
  write(data: Uint8Array): Promise<void>
  /** Graceful close (may flush). */
  close(): Promise<void>
  /** Close at once; must not throw. */
  abort(): void
  unref?(): void
  ref?(): void
}

/** A Channel over a PullStream: a read loop that stops while paused, so no read is pending at an upgrade. */
export function pullChannel(stream: PullStream): Channel {
  let events: ChannelEvents | undefined
  let paused = true
  let reading = false
  let ended = false
  const end = (error?: unknown): void => {
    if (ended) return
    ended = true
    events?.end(error)
  }
  const pump = async (): Promise<void> => {
    if (reading || paused || ended || events === undefined) return
    reading = true
    try {
      while (!paused && !ended) {
        const chunk = await stream.read()
        if (ended) return
        if (chunk === null) return end()
        if (chunk.length > 0) events.data(chunk)
      }
    } catch (error) {
      end(error)
    } finally {
      reading = false
    }
  }
  return {
    open(handlers) {
      events = handlers
    },
    write: (data) => stream.write(data),
    pause() {
      paused = true
    },
    resume() {
      paused = false
      void pump()
    },
    close() {
      stream.close().then(
        () => end(),
        () => end(),
      )
    },
    destroy() {
      ended = true
      stream.abort()
    },
    detach() {
      if (reading) {
        throw new TlsError('startTls called while a read is in flight: call pause() from onData before upgrading', { code: ErrorCode.TlsHandshake })
      }
      // The upgrade consumes the plain stream: it reports nothing more.
      ended = true
    },
    ref: () => stream.ref?.(),
    unref: () => stream.unref?.(),
  }
}
