/**
 * Test-only: a Socket (../socket.ts) held in memory, so the code above the
 * transport (wire, startup, connection) runs without a network. The client
 * side is the Socket interface; the peer side is `push` (bytes the client
 * will read), `end` (the peer closes) and `takeWrites` / `nextWrite` (what
 * the client wrote). It keeps the contract the real transports keep:
 * nothing is delivered while paused, onClose is called once, destroy() is
 * immediate, close() ends once the peer has seen the end (next microtask).
 * Not exported from the package.
 */
import type { Socket, TlsInfo, TlsUpgradeOptions } from '../socket.js'

/** How the socket ended, and who ended it. */
export type FakeSocketEnd = 'close' | 'destroy' | 'peer-end' | 'peer-error'

export class FakeSocket implements Socket {
  onData: (chunk: Uint8Array) => void = () => undefined
  onClose: (error?: Error) => void = () => undefined
  /** Set by the dialer when the dial itself opened TLS (sslnegotiation=direct). */
  tls?: TlsInfo
  /** How the socket ended; undefined while open. */
  ended: FakeSocketEnd | undefined
  /** Options of every startTls() call. */
  readonly tlsUpgrades: TlsUpgradeOptions[] = []
  /** Whether the process may exit while this socket is open (unref). */
  unrefed = false

  private paused = false
  private closing = false
  private readonly held: Uint8Array[] = []
  private unread: Uint8Array[] = []
  private writeWaiters: (() => void)[] = []

  /** `tlsAnswer`: what startTls() resolves with (or the error it rejects with); by default it rejects. */
  constructor(private readonly tlsAnswer: TlsInfo | Error = new Error('FakeSocket: no TLS configured')) {}

  // ---- the client's side (Socket) ----

  write(data: Uint8Array): boolean {
    if (this.ended) return false
    // Copied: the caller may reuse its buffer once write() returns.
    this.unread.push(data.slice())
    this.writeWaiters.splice(0).forEach((wake) => wake())
    return true
  }

  drain(): Promise<void> {
    return Promise.resolve()
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    // Later, as a real socket does: never inside the caller's own stack.
    queueMicrotask(() => this.deliverHeld())
  }

  startTls(options: TlsUpgradeOptions): Promise<TlsInfo> {
    this.tlsUpgrades.push(options)
    if (this.tlsAnswer instanceof Error) {
      this.destroy()
      return Promise.reject(this.tlsAnswer)
    }
    this.paused = false
    queueMicrotask(() => this.deliverHeld())
    return Promise.resolve(this.tlsAnswer)
  }

  close(): void {
    if (this.ended || this.closing) return
    this.closing = true
    // The peer answers our FIN with its own: a clean end, one turn later.
    queueMicrotask(() => this.finish('close'))
  }

  destroy(): void {
    this.finish('destroy')
  }

  unref(): void {
    this.unrefed = true
  }

  ref(): void {
    this.unrefed = false
  }

  // ---- the peer's side ----

  /** Bytes for the client to read: delivered now, or held while the client has paused reading. */
  push(chunk: Uint8Array): void {
    if (this.ended) return
    if (this.paused || this.held.length > 0) this.held.push(chunk)
    else this.onData(chunk)
  }

  /** The peer closes: cleanly, or with `error` (a reset, a timeout). Held bytes are dropped. */
  end(error?: Error): void {
    this.finish(error ? 'peer-error' : 'peer-end', error)
  }

  /** Every write since the last call, in order. */
  takeWrites(): Uint8Array[] {
    const out = this.unread
    this.unread = []
    return out
  }

  /** Resolves once there is at least one write not yet taken. */
  nextWrite(): Promise<void> {
    if (this.unread.length > 0) return Promise.resolve()
    return new Promise((resolve) => this.writeWaiters.push(resolve))
  }

  /** Whether the client has paused reading. */
  get isPaused(): boolean {
    return this.paused
  }

  private deliverHeld(): void {
    while (!this.paused && !this.ended && this.held.length > 0) this.onData(this.held.shift()!)
  }

  private finish(how: FakeSocketEnd, error?: Error): void {
    if (this.ended) return
    this.ended = how
    this.held.length = 0
    this.writeWaiters.splice(0).forEach((wake) => wake())
    this.onClose(error)
  }
}
