/**
 * Named prepared statements per connection, least recently used evicted.
 * Statement names are never reused, so a statement being replaced (after
 * "cached plan must not change result type") cannot collide with its successor.
 */
import type { FieldDescription } from '../protocol/messages.js'

/** A named statement the server has parsed (or is parsing) for this connection. */
export interface CachedStatement {
  name: string
  /** Result columns as last described; undefined until the first run's RowDescription/NoData. */
  fields: FieldDescription[] | null | undefined
}

/** LRU map from SQL text (and parameter types) to named statements; size 0 disables it. */
export class StatementCache {
  private readonly entries = new Map<string, CachedStatement>()
  private counter = 0

  constructor(readonly capacity: number) {}

  get enabled(): boolean {
    return this.capacity > 0
  }

  get size(): number {
    return this.entries.size
  }

  /** Look up and mark as recently used. */
  get(key: string): CachedStatement | undefined {
    const entry = this.entries.get(key)
    if (entry) {
      this.entries.delete(key)
      this.entries.set(key, entry)
    }
    return entry
  }

  /** The name the next add() gives, without adding (to encode its Parse before anything changes). */
  nextName(): string {
    return `pgfleet_${this.counter + 1}`
  }

  /** Create an entry for key, named nextName(); returns it and the statement evicted to make room, if any. */
  add(key: string): { entry: CachedStatement; evicted?: CachedStatement } {
    const entry: CachedStatement = { name: `pgfleet_${++this.counter}`, fields: undefined }
    let evicted: CachedStatement | undefined
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value as string
      evicted = this.entries.get(oldest)
      this.entries.delete(oldest)
    }
    this.entries.set(key, entry)
    return { entry, evicted }
  }

  /** Forget key (only if it still maps to this entry). */
  remove(key: string, entry: CachedStatement): void {
    if (this.entries.get(key) === entry) this.entries.delete(key)
  }

  /** The server dropped every statement (DISCARD ALL, DEALLOCATE ALL). */
  clear(): void {
    this.entries.clear()
  }
}
