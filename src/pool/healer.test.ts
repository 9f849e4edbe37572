import { describe, expect, test } from 'vitest'
import type { RebalanceMove } from '../balancer/rebalance.js'
import { Healer, type HealerFactory } from './healer.js'
import { ResourcePool, type ResourceHooks } from './resource-pool.js'
import { DEFAULT_POOL_SIZING } from './sizing.js'

/** A fake session on a node. */
class Fake {
  alive = true
  how: 'close' | 'destroy' | undefined
  private done!: () => void
  readonly closed = new Promise<void>((r) => (this.done = r))
  constructor(readonly node: string) {}
  end(how: 'close' | 'destroy'): void {
    if (!this.alive) return
    this.alive = false
    this.how = how
    this.done()
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Pool hooks over fakes made by `create`: closing or destroying one ends it, and only a live one is usable. */
function fakeHooks(create: () => Promise<Fake>): ResourceHooks<Fake> {
  return {
    create,
    closed: (f) => f.closed,
    usable: (f) => f.alive,
    validate: async () => true,
    close: async (f) => f.end('close'),
    destroy: (f) => f.end('destroy'),
  }
}

/**
 * A pool of fakes whose creations land on `place()` and a factory that wants
 * every session off node 'a' (like a node that left the server list).
 */
function setup(opts: { max: number; moves: number; intervalMs?: number }) {
  let place = () => 'a'
  let leaving = false
  const made: Fake[] = []
  let opening = 0
  let peakOpening = 0
  const hooks = fakeHooks(async () => {
    opening++
    peakOpening = Math.max(peakOpening, opening)
    await sleep(2)
    opening--
    const f = new Fake(place())
    made.push(f)
    return f
  })
  const core = new ResourcePool(hooks, { ...DEFAULT_POOL_SIZING, min: opts.max, max: opts.max, idleCheckMs: 60_000 })
  const rounds: number[] = []
  const factory: HealerFactory = {
    planRebalance(idle, limit) {
      const moves: RebalanceMove[] = []
      for (let i = 0; leaving && i < Math.min(limit, idle.get('a') ?? 0); i++) moves.push({ from: 'a', reason: 'left' })
      rounds.push(moves.length)
      return moves
    },
    nextRecoveryAt: () => undefined,
  }
  const healer = new Healer({ core, factory, keyOf: (f) => f.node, intervalMs: opts.intervalMs ?? 20, moves: opts.moves })
  return { core, healer, made, rounds, setPlace: (p: () => string) => ((place = p), (leaving = true)), peakOpening: () => peakOpening }
}

const onNode = (core: ResourcePool<Fake>, node: string) => core.snapshot().filter((s) => s.resource.node === node).length

describe('Healer', () => {
  test('replaces idle sessions a few per round until none is left where the plan says, keeping the pool size', async () => {
    const { core, healer, made, rounds, setPlace } = setup({ max: 6, moves: 2 })
    await sleep(30)
    setPlace(() => 'b')
    for (let i = 0; i < 100 && onNode(core, 'b') < 6; i++) await sleep(10)
    expect(onNode(core, 'a')).toBe(0)
    expect(onNode(core, 'b')).toBe(6)
    expect(core.counts().total).toBe(6)
    expect(Math.max(...rounds)).toBeLessThanOrEqual(2)
    expect(healer.retiredTotal).toBe(6)
    expect(healer.retired.get('a')).toBe(6)
    // Retired sessions were closed gracefully, never destroyed.
    expect(made.filter((f) => f.node === 'a').every((f) => f.how === 'close')).toBe(true)
    healer.stop()
    await core.end()
  })

  test('a checked-out session is never touched; it moves only after it is released', async () => {
    const { core, healer, setPlace } = setup({ max: 3, moves: 3 })
    await sleep(30)
    const borrowed = await core.acquire()
    setPlace(() => 'b')
    for (let i = 0; i < 100 && onNode(core, 'a') > 1; i++) await sleep(10)
    await sleep(60)
    expect(borrowed.state).toBe('busy')
    expect(borrowed.resource.alive).toBe(true)
    expect(onNode(core, 'a')).toBe(1)
    core.release(borrowed)
    for (let i = 0; i < 100 && onNode(core, 'a') > 0; i++) await sleep(10)
    expect(onNode(core, 'a')).toBe(0)
    expect(borrowed.resource.how).toBe('close')
    healer.stop()
    await core.end()
  })

  test('one round at a time: at most `moves` connects in flight, and nothing after stop()', async () => {
    const { core, healer, rounds, setPlace, peakOpening } = setup({ max: 8, moves: 1, intervalMs: 1 })
    await sleep(30)
    const before = peakOpening()
    setPlace(() => 'b')
    for (let i = 0; i < 200 && onNode(core, 'a') > 0; i++) await sleep(5)
    expect(onNode(core, 'a')).toBe(0)
    expect(before).toBe(8) // the initial fill
    expect(Math.max(...rounds)).toBe(1)
    healer.stop()
    const n = rounds.length
    await sleep(30)
    expect(rounds.length).toBe(n)
    await core.end()
  })
})

describe('ResourcePool.replace', () => {
  test('a checked-out slot is replaced at its release, not before; one released broken, or ended with the pool, is not counted', async () => {
    let n = 0
    const hooks = fakeHooks(async () => new Fake(`n${++n}`))
    const core = new ResourcePool(hooks, { ...DEFAULT_POOL_SIZING, max: 2, idleCheckMs: 60_000 })
    const slot = await core.acquire()
    let counted = 0
    const { now, done } = core.replace(slot, () => counted++)
    expect(now).toBe(false)
    await sleep(10)
    expect(slot.resource.alive).toBe(true)
    expect(counted).toBe(0)
    core.release(slot)
    await done
    expect(slot.resource.how).toBe('close')
    expect(counted).toBe(1)
    expect(core.counts().total).toBe(1) // the replacement, idle
    expect(core.idleSlots()[0]!.resource.node).toBe('n2')

    const broken = await core.acquire()
    const second = core.replace(broken, () => counted++)
    core.release(broken, true)
    await second.done
    expect(counted).toBe(1)
    expect(broken.resource.how).toBe('destroy')

    const idle = (await core.acquire())
    core.release(idle)
    const end = core.end()
    expect(core.replace(core.idleSlots()[0] ?? idle, () => counted++).now).toBe(false)
    await end
    expect(counted).toBe(1)
  })

  test('an acquire that arrives during a replacement is served by the new session, within max', async () => {
    let n = 0
    let opened = 0
    const hooks = fakeHooks(async () => {
      opened++
      await sleep(5)
      return new Fake(`n${++n}`)
    })
    const core = new ResourcePool(hooks, { ...DEFAULT_POOL_SIZING, max: 1, idleCheckMs: 60_000 })
    core.release(await core.acquire())
    const old = core.idleSlots()[0]!
    const { now, done } = core.replace(old)
    expect(now).toBe(true)
    const waiting = core.acquire()
    expect(core.counts().total + core.counts().pending).toBe(1)
    const got = await waiting
    await done
    expect(old.resource.how).toBe('close')
    expect(got.resource.node).toBe('n2')
    expect(opened).toBe(2)
    core.release(got)
    await core.end()
  })

  test('an idle session that sat through half the idle timeout is surplus: closed without a replacement, min still refilled', async () => {
    let n = 0
    let clock = 0
    const hooks = fakeHooks(async () => new Fake(`n${++n}`))
    const core = new ResourcePool(hooks, { ...DEFAULT_POOL_SIZING, min: 1, max: 4, idleTimeoutMs: 10_000, idleCheckMs: 60_000 }, { now: () => clock })
    const held = await Promise.all([core.acquire(), core.acquire(), core.acquire()])
    held.forEach((s) => core.release(s))
    expect(core.counts().total).toBe(3)
    clock += 4_000 // under half the idle timeout: replaced
    await core.replace(core.idleSlots()[0]!).done
    expect(core.counts().total).toBe(3)
    clock += 6_000 // every session now idle at least 5 s: surplus, dropped
    await core.replace(core.idleSlots()[0]!).done
    expect(core.counts().total).toBe(2)
    await core.replace(core.idleSlots()[0]!).done
    await core.replace(core.idleSlots()[0]!).done
    await sleep(5)
    expect(core.counts().total).toBe(1) // min
    await core.end()
  })
})
