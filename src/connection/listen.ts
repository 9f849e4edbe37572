/**
 * LISTEN / NOTIFY and notices for one client of a session. The hub subscribes
 * to the session's events (other subscribers, such as the hooks given at
 * connect, keep working) and unsubscribes when detached: a pooled session's
 * next borrower gets none of its handlers. It sends
 * LISTEN once per channel however many listeners it has and UNLISTEN when the
 * last one leaves. Channel names are quoted as identifiers, never
 * interpolated raw, so a channel is exactly the string given (case kept).
 *
 * A LISTEN lives and dies with its session: when the session ends (closed,
 * killed with pg_terminate_backend, network loss) every listener's `onLost`
 * is called once with the reason. Re-listening on a new session is the
 * caller's choice, since notifications sent in between are gone.
 */
import type { ServerErrorFields } from '../errors.js'
import { ConnectionError, ErrorCode } from '../errors.js'
import type { Connection, Notification } from './connection.js'

/** Called for each notification on the channel. */
export type NotificationListener = (payload: string, notification: Notification) => void

/** Options of `Client.listen()`. */
export interface ListenOptions {
  /** Called once if the session ends while this listener is subscribed. */
  onLost?: (error: Error) => void
}

/** A subscription returned by `Client.listen()`. */
export interface Subscription {
  readonly channel: string
  /** Stop listening (UNLISTEN when it was the channel's last listener). */
  unlisten(): Promise<void>
}

interface Entry {
  listener: NotificationListener
  onLost?: (error: Error) => void
}

/** Quote a name as an SQL identifier ("a""b"); refuses what cannot be one. */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('channel name must be a non-empty string')
  if (name.includes('\0')) throw new TypeError('channel name must not contain NUL')
  return `"${name.replace(/"/g, '""')}"`
}

/** Notification listeners and notice handlers of one connection. */
export class NotificationHub {
  private readonly channels = new Map<string, Set<Entry>>()
  private readonly pending = new Map<string, Promise<unknown>>()
  private readonly noticeHandlers = new Set<(notice: ServerErrorFields) => void>()
  private lost: Error | undefined

  private readonly unsubscribe: (() => void)[]
  private detached: Error | undefined

  constructor(private readonly connection: Connection) {
    this.unsubscribe = [
      connection.events.on('notification', (n) => this.dispatch(n)),
      connection.events.on('notice', (notice) => {
        for (const handler of [...this.noticeHandlers]) this.guard(() => handler(notice))
      }),
    ]
    void connection.closed.then((reason) => this.sessionEnded(reason))
  }

  /**
   * Stop receiving anything (a pool client being released): every handler is
   * dropped and later calls fail. Returns whether channels were still
   * LISTENed on the server, in which case the session must not be reused.
   */
  detach(reason: Error): { listening: boolean } {
    const listening = this.channels.size > 0 || this.pending.size > 0
    this.unsubscribe.splice(0).forEach((off) => off())
    this.channels.clear()
    this.noticeHandlers.clear()
    this.lost ??= reason
    this.detached = reason
    return { listening }
  }

  /** Subscribe to `channel`; resolves once the server confirmed the LISTEN. */
  async listen(channel: string, listener: NotificationListener, options: ListenOptions = {}): Promise<Subscription> {
    const sql = `LISTEN ${quoteIdentifier(channel)}`
    if (this.lost) throw this.lost
    const entry: Entry = { listener, onLost: options.onLost }
    let set = this.channels.get(channel)
    const first = !set
    if (!set) this.channels.set(channel, (set = new Set()))
    set.add(entry)
    try {
      if (first) {
        const confirmed = this.connection.query(sql)
        this.pending.set(channel, confirmed)
        await confirmed.finally(() => this.pending.delete(channel))
      } else await this.pending.get(channel)
    } catch (error) {
      this.remove(channel, entry)
      throw error
    }
    let active = true
    return {
      channel,
      unlisten: async () => {
        if (!active) return
        active = false
        if (this.remove(channel, entry) && this.connection.isReady) await this.connection.query(`UNLISTEN ${quoteIdentifier(channel)}`)
      },
    }
  }

  /** Call `handler` for every NoticeResponse (RAISE NOTICE, warnings); returns a function that removes it. */
  onNotice(handler: (notice: ServerErrorFields) => void): () => void {
    if (this.detached) throw this.detached
    this.noticeHandlers.add(handler)
    return () => void this.noticeHandlers.delete(handler)
  }

  /** Channels with at least one listener. */
  get listening(): string[] {
    return [...this.channels.keys()]
  }

  /** Remove an entry; true when it was the channel's last listener. */
  private remove(channel: string, entry: Entry): boolean {
    const set = this.channels.get(channel)
    if (!set || !set.delete(entry)) return false
    if (set.size > 0) return false
    this.channels.delete(channel)
    return true
  }

  private dispatch(n: Notification): void {
    const set = this.channels.get(n.channel)
    if (!set) return
    for (const entry of [...set]) this.guard(() => entry.listener(n.payload, n))
  }

  /** A throwing listener must not break message dispatch: its error goes to the session's 'error' subscribers. */
  private guard(call: () => void): void {
    try {
      call()
    } catch (error) {
      this.connection.events.emit('error', error instanceof Error ? error : new Error(String(error)))
    }
  }

  private sessionEnded(reason: Error | undefined): void {
    this.lost =
      reason ??
      new ConnectionError(`connection to ${this.connection.host.host}:${this.connection.host.port} was closed`, {
        code: ErrorCode.Closed,
      })
    const entries = [...this.channels.values()].flatMap((set) => [...set])
    this.channels.clear()
    for (const entry of entries) this.guard(() => entry.onLost?.(this.lost!))
  }
}

/** `select pg_notify($1, $2)`: channel and payload are bound parameters. */
export async function notify(connection: Connection, channel: string, payload = ''): Promise<void> {
  await connection.query('select pg_notify($1, $2)', [channel, payload])
}
