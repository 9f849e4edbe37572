/**
 * What a session reports outside any query, as subscription points: notices,
 * notifications, and the error that ended it on its own. Anyone may subscribe
 * and unsubscribe (the user's hooks, a client's LISTEN hub, the pg facade), so
 * a pooled session lent to a new borrower carries no handler of the last one.
 * A throwing handler never breaks message dispatch: its error goes to the
 * 'error' subscribers (and a throwing 'error' handler is ignored).
 */
import type { ServerErrorFields } from '../errors.js'

/** A LISTEN notification (NotificationResponse). */
export interface Notification {
  processId: number
  channel: string
  payload: string
}

/** The events and their payloads. */
export interface SessionEventMap {
  notice: ServerErrorFields
  notification: Notification
  /** The session ended without the user closing it, or a handler threw. */
  error: Error
}

type Handler<T> = (value: T) => void

export class SessionEvents {
  /** A set per event, made by its first subscriber (most sessions have none: three Sets less per connect). */
  private readonly handlers: { [K in keyof SessionEventMap]?: Set<Handler<SessionEventMap[K]>> } = {}

  /** Subscribe; returns the function that unsubscribes. */
  on<K extends keyof SessionEventMap>(event: K, handler: Handler<SessionEventMap[K]>): () => void {
    const handlers = this.handlers as Record<string, Set<Handler<SessionEventMap[K]>> | undefined>
    const set = (handlers[event] ??= new Set())
    set.add(handler)
    return () => void set.delete(handler)
  }

  /** Call every subscriber of `event` (those subscribed when it happened). */
  emit<K extends keyof SessionEventMap>(event: K, value: SessionEventMap[K]): void {
    const set = this.handlers[event] as Set<Handler<SessionEventMap[K]>> | undefined
    if (set === undefined || set.size === 0) return
    for (const handler of [...set]) {
      try {
        handler(value)
      } catch (error) {
        if (event !== 'error') this.emit('error', error instanceof Error ? error : new Error(String(error)))
      }
    }
  }
}
