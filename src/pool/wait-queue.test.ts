/** WaitQueue (wait-queue.ts): arrival order, one timer for every deadline, nothing left armed when nobody waits. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WaitQueue } from './wait-queue.js'

beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }))
afterEach(() => void vi.useRealTimers())
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms)

function queue() {
  const settled: string[] = []
  const q = new WaitQueue<string>(() => new Error('timed out'))
  const add = (name: string, timeoutMs: number) => {
    const w = q.add((v) => settled.push(`${name}:${v}`), (e) => settled.push(`${name}:${e.message}`))
    q.watch(w, timeoutMs)
    return w
  }
  return { q, add, settled }
}

describe('WaitQueue', () => {
  it('serves in arrival order and rejects each waiter at its own deadline, oldest first', async () => {
    const { q, add, settled } = queue()
    add('a', 40)
    await sleep(20)
    add('b', 40)
    add('c', 0) // no deadline
    await sleep(30) // a is due, b not yet
    expect(settled).toEqual(['a:timed out'])
    await sleep(40)
    expect(settled).toEqual(['a:timed out', 'b:timed out'])
    q.shift()!.resolve('slot')
    expect(settled).toEqual(['a:timed out', 'b:timed out', 'c:slot'])
    expect(q.length).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a served waiter is not rejected later, and rejectAll settles the rest at once', async () => {
    const { q, add, settled } = queue()
    add('a', 30)
    add('b', 30)
    q.shift()!.resolve('slot')
    q.rejectAll(new Error('pool ended'))
    await sleep(50)
    expect(settled).toEqual(['a:slot', 'b:pool ended'])
    expect(q.length).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
