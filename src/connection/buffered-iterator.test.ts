import { describe, expect, it } from 'vitest'
import { BufferedIterator } from './buffered-iterator.js'
import type { Connection } from './connection.js'

/** A stream fed by the test instead of a connection; start() never finishes on its own. */
class FedIterator extends BufferedIterator<number> {
  resumes = 0
  constructor(highWater: number) {
    super({ resume: () => void this.resumes++ } as unknown as Connection, highWater, () => 1)
  }
  protected start(): Promise<void> {
    return new Promise(() => undefined)
  }
  protected cancelOnBreak(): boolean {
    return false
  }
  feed(item: number): boolean {
    return this.push(item)
  }
  /** The items the iterator still holds, taken or not. */
  get held(): number {
    return (this as unknown as { buffer: unknown[] }).buffer.filter((x) => x !== undefined).length
  }
  get slots(): number {
    return (this as unknown as { buffer: unknown[] }).buffer.length
  }
}

describe('BufferedIterator', () => {
  it('holds only the waiting items when the consumer never quite drains the buffer (a slightly slow reader)', async () => {
    const it = new FedIterator(100)
    let fed = 0
    let taken = 0
    for (; fed < 60; fed++) it.feed(fed)
    // 100,000 items, the buffer between 30 and 60 deep the whole time: never empty, so never reset.
    while (taken < 100_000) {
      for (let i = 0; i < 30; i++) {
        const next = await it.next()
        expect(next.value).toBe(taken++)
      }
      for (let i = 0; i < 30; i++) it.feed(fed++)
      expect(it.held).toBeLessThanOrEqual(60)
    }
    // Compacted once the taken front is 1024 items and half the array.
    expect(it.slots).toBeLessThanOrEqual(2 * 1024 + 60)
    expect(it.resumes).toBe(0)
  })
})
