/**
 * A Socket over a pull-style byte stream (`read()` resolves the next chunk,
 * `write()` resolves when bytes are handed to the OS). Deno's Conn and the
 * Workers' ReadableStream/WritableStream both have that shape; this class adds
 * what the Socket contract asks: push delivery with pause/resume, a write
 * queue with drain, one onClose, and swapping the stream for its TLS upgrade.
 * No runtime imports.
 */
import { ConnectionError, TlsError } from '../errors.js'
import type { Socket, TlsInfo, TlsUpgradeOptions } from './socket.js'

/** The runtime side: one connected byte stream. */
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

/** Replaces the stream by its TLS upgrade; called with no read or write in flight. */
export type TlsUpgrader = (stream: PullStream, options: TlsUpgradeOptions) => Promise<{ stream: PullStream; info: TlsInfo }>

/** write() returns false once this many bytes wait to be sent (Node's default highWaterMark). */
const HIGH_WATER_BYTES = 16 * 1024

export class PullSocket implements Socket {
  onData: (chunk: Uint8Array) => void = () => undefined
  onClose: (error?: Error) => void = () => undefined
  /** Set when the dial itself opened TLS (sslnegotiation=direct). */
  tls?: TlsInfo

  private paused = false
  private reading = false
  private writing = false
  private upgrading = false
  private closed = false
  private closing = false
  private unrefed = false
  private readonly queue: Uint8Array[] = []
  private queuedBytes = 0
  private drainWaiters: (() => void)[] = []

  constructor(
    private stream: PullStream,
    private readonly upgrade: TlsUpgrader,
    private readonly address: string,
  ) {
    // Start reading once the caller had a chance to set onData (same tick).
    queueMicrotask(() => this.pump())
  }

  write(data: Uint8Array): boolean {
    if (this.closed) return false
    this.queue.push(data)
    this.queuedBytes += data.length
    void this.flush()
    return this.queuedBytes < HIGH_WATER_BYTES
  }

  drain(): Promise<void> {
    if (this.queuedBytes === 0 || this.closed) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.pump()
  }

  /**
   * Runtimes consume the plain stream to build the TLS one, which fails while
   * a read is pending (Deno: "TCP stream is currently in use"). pause() in
   * onData (as negotiateSsl does) guarantees none is: the read loop never
   * starts a read while paused. Pending writes are flushed first.
   */
  async startTls(options: TlsUpgradeOptions): Promise<TlsInfo> {
    if (this.closed) throw new TlsError(`connection to ${this.address} closed before the TLS handshake`, { safeToRetry: true })
    this.pause()
    await this.drain()
    if (this.reading) {
      throw new TlsError('startTls called while a read is in flight: call pause() from onData before upgrading', {
        code: 'PGFLEET_TLS_HANDSHAKE',
      })
    }
    this.upgrading = true
    try {
      const { stream, info } = await this.upgrade(this.stream, options)
      this.stream = stream
      if (this.unrefed) stream.unref?.()
      this.upgrading = false
      this.paused = false
      this.pump()
      void this.flush()
      return info
    } catch (error) {
      this.destroy()
      throw error
    } finally {
      this.upgrading = false
    }
  }

  close(): void {
    if (this.closed || this.closing) return
    this.closing = true
    void this.drain().then(() => {
      if (this.closed) return
      this.stream.close().then(
        () => this.finish(),
        () => this.finish(),
      )
    })
  }

  destroy(): void {
    if (this.closed) return
    this.stream.abort()
    this.finish()
  }

  unref(): void {
    this.unrefed = true
    this.stream.unref?.()
  }

  ref(): void {
    this.unrefed = false
    this.stream.ref?.()
  }

  private async pump(): Promise<void> {
    if (this.reading || this.paused || this.closed || this.upgrading) return
    this.reading = true
    const stream = this.stream
    try {
      while (!this.paused && !this.closed && stream === this.stream) {
        const chunk = await stream.read()
        if (this.closed) return
        if (chunk === null) return this.finish()
        if (chunk.length > 0) this.onData(chunk)
      }
    } catch (error) {
      // A read cut short by our own close() is the clean end, not a failure.
      if (!this.closed) this.finish(this.closing ? undefined : this.networkError(error))
    } finally {
      this.reading = false
    }
  }

  private async flush(): Promise<void> {
    if (this.writing || this.upgrading) return
    this.writing = true
    try {
      while (this.queue.length > 0 && !this.closed) {
        const chunk = this.queue[0]!
        await this.stream.write(chunk)
        this.queue.shift()
        this.queuedBytes -= chunk.length
      }
    } catch (error) {
      if (!this.closed) {
        this.stream.abort()
        this.finish(this.networkError(error))
      }
    } finally {
      this.writing = false
    }
    if (this.queuedBytes === 0) this.releaseDrainWaiters()
  }

  private finish(error?: Error): void {
    if (this.closed) return
    this.closed = true
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

  private networkError(error: unknown): Error {
    if (error instanceof TlsError || error instanceof ConnectionError) return error
    const message = error instanceof Error ? error.message : String(error)
    return new ConnectionError(`connection to ${this.address} failed: ${message}`, { cause: error, address: this.address })
  }
}
