import { describe, expect, test } from 'vitest'
import type { Operation } from './operation.js'
import { SessionCancels } from './session-cancels.js'

const op = (): Operation => ({ exclusive: false, send: () => undefined, handle: () => true, fail: () => undefined })
const tick = () => new Promise((r) => setTimeout(r, 0))

function setup(lingerMs = 50) {
  let sends = 0
  const answers: (() => void)[] = []
  let releases = 0
  const cancels = new SessionCancels(
    () => {
      sends++
      return new Promise<void>((resolve) => answers.push(resolve))
    },
    () => releases++,
    lingerMs,
  )
  return { cancels, sends: () => sends, answer: () => answers.shift()?.(), releases: () => releases }
}

describe('SessionCancels', () => {
  test('holds writes from the request until the operation finished and its cancel is done', async () => {
    const s = setup()
    const a = op()
    let sent = 0
    s.cancels.request(a, () => sent++)
    expect(sent).toBe(1)
    expect(s.cancels.holding).toBe(true)
    s.cancels.finished(a)
    expect(s.cancels.holding).toBe(true) // the cancel could still land on the next query
    s.answer()
    await tick()
    expect(s.cancels.holding).toBe(false)
  })

  test('a cancel that never completes holds a finished operation at most lingerMs', async () => {
    const s = setup(30)
    const a = op()
    s.cancels.request(a, () => undefined)
    s.cancels.finished(a)
    expect(s.cancels.holding).toBe(true)
    await new Promise((r) => setTimeout(r, 50))
    expect(s.cancels.holding).toBe(false)
  })

  test('a second request while one is under way sends nothing more but reports it sent; after an ignored one it sends anew', async () => {
    const s = setup()
    const a = op()
    let sent = 0
    s.cancels.request(a, () => sent++)
    s.cancels.request(a, () => sent++)
    expect([s.sends(), sent]).toEqual([1, 2])
    s.answer()
    await tick()
    s.cancels.request(a, () => sent++)
    expect([s.sends(), sent]).toEqual([2, 3])
  })

  test('a deferred cancel goes out when its operation runs alone, and is dropped when more is written behind it', () => {
    const s = setup()
    const [b, c] = [op(), op()]
    let sent = 0
    s.cancels.defer(b, () => sent++)
    expect(s.cancels.holding).toBe(false)
    s.cancels.nowRunning(b, false)
    expect([s.sends(), sent]).toEqual([0, 0])
    s.cancels.defer(c, () => sent++)
    s.cancels.nowRunning(c, true)
    expect([s.sends(), sent]).toEqual([1, 1])
    expect(s.cancels.holding).toBe(true)
  })

  test('ended() releases every hold', () => {
    const s = setup()
    s.cancels.request(op(), () => undefined)
    s.cancels.ended()
    expect(s.cancels.holding).toBe(false)
  })
})
