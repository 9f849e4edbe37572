/**
 * A minimal EventEmitter (on / once / off / emit), enough for what pg users
 * listen to ('error', 'notice', 'notification', 'end', pool events), without
 * node:events. Unlike Node's, an 'error' nobody listens to is dropped rather
 * than thrown: a server-side kill must never crash the process.
 */
type Listener = (...args: any[]) => void

/** See the module comment: on / once / off / emit, unheard errors dropped. */
export class Emitter {
  #listeners = new Map<string | symbol, Listener[]>()

  on(event: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(event)
    if (list) list.push(listener)
    else this.#listeners.set(event, [listener])
    return this
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener)
  }

  once(event: string | symbol, listener: Listener): this {
    const wrapper: Listener & { listener?: Listener } = (...args) => {
      this.off(event, wrapper)
      listener.apply(this, args)
    }
    wrapper.listener = listener
    return this.on(event, wrapper)
  }

  off(event: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(event)
    if (!list) return this
    const index = list.findIndex((l) => l === listener || (l as { listener?: Listener }).listener === listener)
    if (index !== -1) list.splice(index, 1)
    if (list.length === 0) this.#listeners.delete(event)
    return this
  }

  removeListener(event: string | symbol, listener: Listener): this {
    return this.off(event, listener)
  }

  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this.#listeners.clear()
    else this.#listeners.delete(event)
    return this
  }

  listenerCount(event: string | symbol): number {
    return this.#listeners.get(event)?.length ?? 0
  }

  listeners(event: string | symbol): Listener[] {
    return (this.#listeners.get(event) ?? []).map((l) => (l as { listener?: Listener }).listener ?? l)
  }

  /** Call every listener of `event` in order; true when there was one. */
  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.#listeners.get(event)
    if (!list || list.length === 0) return false
    for (const listener of list.slice()) listener.apply(this, args)
    return true
  }
}
