/**
 * A TCP fault-injection proxy for tests. It stands in front of a real server
 * and, on command, turns the network into a silent peer, a slow link or a
 * connection that breaks after N bytes, so tests can prove that the driver
 * settles every call by its deadline when the peer goes quiet.
 *
 * Semantics tests may rely on:
 * - blackhole: every open connection becomes *lost*. The proxy keeps reading
 *   both sides and drops the bytes (a partition loses packets, it does not
 *   queue them) and never sends FIN or RST, not even when one side closes.
 *   A lost connection stays lost after healing (`pass`): the bytes in between
 *   are gone, so resuming it would corrupt the stream, and a half-open TCP
 *   connection stays silent too. Connections accepted while black-holed are
 *   accepted by the kernel but never dialled upstream, and are lost as well.
 *   Only `cutAll()`, a `reset` mode and `close()` end lost connections.
 * - cut: bytes are counted per connection and direction from the moment the
 *   mode applies (setMode restarts the count of open connections; new ones
 *   count from their start). The chunk that reaches `afterBytes` is split,
 *   exactly the bytes up to the count are written, then both sides break.
 *   `afterBytes: 0` breaks on the first chunk in that direction.
 * - delay: each chunk leaves `ms` after it arrived and never before an earlier
 *   one, even if the delay shrinks. A FIN waits in the same queue; an RST is
 *   passed on at once.
 */
import * as net from 'node:net'

/** Which way bytes travel: towards the client or towards the server. */
export type Direction = 'to-client' | 'to-server'

/** How a connection is broken: `reset` sends RST, `end` sends FIN. */
export type BreakHow = 'reset' | 'end'

/** The fault applied to open and new connections. */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'blackhole' }
  | { kind: 'delay'; ms: number }
  | { kind: 'cut'; afterBytes: number; direction: Direction; how: BreakHow }
  | { kind: 'reset' }

/** Options for {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The real server. */
  target: { host: string; port: number }
  /** Listen address (default 127.0.0.1; any 127.0.0.x works on Linux). */
  host?: string
  /** Listen port (default 0: a random free port). */
  port?: number
}

/** A running proxy; see the module comment for the exact fault semantics. */
export interface FaultProxy {
  readonly host: string
  readonly port: number
  /**
   * Applies `mode` to every open connection and to every new one; with
   * `newOnly`, open connections keep going as they are (a black hole for
   * new connections only: a node whose listener went silent, e.g. for a
   * CancelRequest, while its sessions still work).
   */
  setMode(mode: FaultMode, options?: { newOnly?: boolean }): void
  /** Client-side connections currently open. */
  connections(): number
  /** Client-side connections accepted since start. */
  accepted(): number
  /** Breaks every open connection now, on both sides. */
  cutAll(how: BreakHow): void
  /** Destroys every socket and stops listening; resolves promptly, idempotent. */
  close(): Promise<void>
}

/** Ordered, possibly delayed, actions in one direction of one connection. */
interface Pipe {
  queue: Array<{ due: number; run: () => void }>
  timer: NodeJS.Timeout | undefined
  /** The source is paused until the destination drains. */
  paused: boolean
}

/** One proxied connection. */
interface Link {
  client: net.Socket
  /** Undefined when accepted while black-holed (never dialled). */
  server: net.Socket | undefined
  lost: boolean
  /** Cut by the proxy: everything still arriving is dropped. */
  broken: boolean
  /** Bytes forwarded per direction since the current cut mode applied. */
  sent: Record<Direction, number>
  pipes: Record<Direction, Pipe>
}

const ignore = (): void => {}

/** Starts a proxy listening on `options.host`/`options.port` in `pass` mode. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const host = options.host ?? '127.0.0.1'
  let mode: FaultMode = { kind: 'pass' }
  let acceptedCount = 0
  let closing: Promise<void> | undefined
  const links = new Set<Link>()
  // Every socket we own, including upstreams of lost links whose client left.
  const sockets = new Set<net.Socket>()

  const own = (socket: net.Socket): void => {
    sockets.add(socket)
    socket.setNoDelay(true)
    socket.on('error', ignore) // wire() reacts to errors; this one only keeps the process alive
    socket.on('close', () => sockets.delete(socket))
  }

  const live = (link: Link): boolean => !link.lost && !link.broken
  const source = (link: Link, dir: Direction) => (dir === 'to-client' ? link.server : link.client)
  const destination = (link: Link, dir: Direction) => (dir === 'to-client' ? link.client : link.server)

  const clearPipes = (link: Link): void => {
    for (const pipe of Object.values(link.pipes)) {
      clearTimeout(pipe.timer)
      pipe.timer = undefined
      pipe.queue.length = 0
    }
  }

  /** Runs `run` in order after earlier actions of `dir`, and after the current delay. */
  const schedule = (link: Link, dir: Direction, run: () => void): void => {
    const pipe = link.pipes[dir]
    const delay = mode.kind === 'delay' ? mode.ms : 0
    if (delay === 0 && pipe.queue.length === 0) return run()
    const due = Math.max(performance.now() + delay, pipe.queue.at(-1)?.due ?? 0)
    pipe.queue.push({ due, run })
    if (!pipe.timer) arm(pipe)
  }

  const arm = (pipe: Pipe): void => {
    const head = pipe.queue[0]
    if (!head) return
    pipe.timer = setTimeout(() => {
      pipe.timer = undefined
      const now = performance.now()
      while (pipe.queue.length > 0 && pipe.queue[0].due <= now) pipe.queue.shift()!.run()
      arm(pipe)
    }, Math.max(0, head.due - performance.now()))
  }

  /** Writes with pipe-like backpressure: pause the source until the destination drains. */
  const send = (link: Link, dir: Direction, chunk: Buffer, done?: () => void): void => {
    const dst = destination(link, dir)
    const src = source(link, dir)
    const pipe = link.pipes[dir]
    if (!dst || dst.write(chunk, done) || !src || pipe.paused) return
    pipe.paused = true
    src.pause()
    dst.once('drain', () => {
      pipe.paused = false
      src.resume()
    })
  }

  /** Breaks both sides of a link now and drops whatever is still queued. */
  const kill = (link: Link, how: BreakHow): void => {
    link.broken = true
    clearPipes(link)
    for (const socket of [link.client, link.server]) {
      if (!socket || socket.destroyed) continue
      socket.resume() // keep draining so the peer's FIN (or more data) is seen and dropped
      if (how === 'end') socket.end()
      // resetAndDestroy() on a socket still connecting would wait for the connect.
      else if (socket.connecting) socket.destroy()
      else socket.resetAndDestroy()
    }
  }

  /** Black-holes a link for good (see the module comment). */
  const lose = (link: Link): void => {
    link.lost = true
    clearPipes(link)
    link.client.resume()
    link.server?.resume()
  }

  const forward = (link: Link, dir: Direction, chunk: Buffer): void => {
    if (!live(link)) return // lost or cut: the bytes are dropped
    if (mode.kind !== 'cut' || mode.direction !== dir) return schedule(link, dir, () => send(link, dir, chunk))
    const room = mode.afterBytes - link.sent[dir]
    if (chunk.length < room) {
      link.sent[dir] += chunk.length
      return schedule(link, dir, () => send(link, dir, chunk))
    }
    // Break only once the last allowed byte reached the kernel: an RST drops unsent data.
    const how = mode.how
    const breakNow = (): void => kill(link, how)
    // A Node reader that gets data and RST in one poll sees EOF, not ECONNRESET (libuv's
    // POLLHUP short-cut), so a reset waits a loop turn for a reader in this process.
    const breakSoon = how === 'reset' && room > 0 ? () => setImmediate(() => setImmediate(breakNow)) : breakNow
    link.broken = true
    schedule(link, dir, () => send(link, dir, chunk.subarray(0, room), breakSoon))
  }

  /** Relays data, FIN and errors from `socket` in direction `dir`. */
  const wire = (link: Link, socket: net.Socket, dir: Direction): void => {
    socket.on('data', (chunk: Buffer) => forward(link, dir, chunk))
    socket.on('end', () => {
      if (live(link)) schedule(link, dir, () => destination(link, dir)?.end())
    })
    socket.on('error', () => {
      if (live(link)) kill(link, 'reset')
    })
  }

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    acceptedCount++
    own(client)
    if (mode.kind === 'reset') return void client.resetAndDestroy()
    const pipe = (): Pipe => ({ queue: [], timer: undefined, paused: false })
    const link: Link = {
      client,
      server: undefined,
      lost: mode.kind === 'blackhole',
      broken: false,
      sent: { 'to-client': 0, 'to-server': 0 },
      pipes: { 'to-client': pipe(), 'to-server': pipe() },
    }
    links.add(link)
    client.on('close', () => links.delete(link))
    wire(link, client, 'to-server')
    if (link.lost) return
    // allowHalfOpen: we decide when a FIN goes out, never Node on our behalf.
    const upstream = net.connect({ ...options.target, allowHalfOpen: true })
    link.server = upstream
    own(upstream)
    wire(link, upstream, 'to-client')
  })
  server.on('error', ignore)
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, host, resolve))

  return {
    host,
    port: (server.address() as net.AddressInfo).port,
    setMode(next, opts = {}) {
      validate(next)
      mode = next
      if (opts.newOnly) return
      for (const link of links) {
        if (next.kind === 'blackhole') lose(link)
        else if (next.kind === 'reset') kill(link, 'reset')
        else if (next.kind === 'cut') link.sent = { 'to-client': 0, 'to-server': 0 }
      }
    },
    connections: () => links.size,
    accepted: () => acceptedCount,
    cutAll(how) {
      for (const link of links) kill(link, how)
    },
    close() {
      closing ??= (async () => {
        for (const link of links) clearPipes(link)
        const gone = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)))
        const stopped = new Promise((resolve) => server.close(resolve))
        for (const socket of sockets) socket.destroy()
        // 'close' means libuv released the handle, so nothing of ours keeps the process alive.
        await Promise.all([stopped, ...gone])
      })()
      return closing
    },
  }
}

function validate(mode: FaultMode): void {
  if (mode.kind === 'delay' && !(Number.isFinite(mode.ms) && mode.ms >= 0)) throw new RangeError(`delay ms must be >= 0, got ${mode.ms}`)
  if (mode.kind === 'cut' && !(Number.isInteger(mode.afterBytes) && mode.afterBytes >= 0)) {
    throw new RangeError(`cut afterBytes must be an integer >= 0, got ${mode.afterBytes}`)
  }
}
