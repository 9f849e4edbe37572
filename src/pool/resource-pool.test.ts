import { describe, expect, test } from 'vitest'
import { ErrorCode, PoolTimeoutError } from '../errors.js'
import { ResourcePool, type ResourceHooks } from './resource-pool.js'
import { DEFAULT_POOL_SIZING, type PoolSizing } from './sizing.js'

/** A fake session: alive until killed, counts closes and destroys. */
class Fake {
  static next = 0
  readonly id = ++Fake.next
  alive = true
  closedHow: 'close' | 'destroy' | 'killed' | undefined
  refs = 0
  checks = 0
  healthy = true
  private resolveClosed!: () => void
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve))
  end(how: 'close' | 'destroy' | 'killed'): void {
    if (!this.alive) return
    this.alive = false
    this.closedHow = how
    this.resolveClosed()
  }
}

function setup(sizing: Partial<PoolSizing> = {}, opts: { failCreate?: () => Error | undefined; createDelayMs?: number } = {}) {
  const made: Fake[] = []
  const errors: unknown[] = []
  let opening = 0
  let peak = 0
  const hooks: ResourceHooks<Fake> = {
    create: async () => {
      opening++
      try {
        await new Promise((r) => setTimeout(r, opts.createDelayMs ?? 1))
        const error = opts.failCreate?.()
        if (error) throw error
        const fake = new Fake()
        made.push(fake)
        return fake
      } finally {
        opening--
      }
    },
    closed: (f) => f.closed,
    usable: (f) => f.alive,
    validate: async (f) => {
      f.checks++
      return f.healthy
    },
    close: async (f) => f.end('close'),
    destroy: (f) => f.end('destroy'),
    onIdle: (f) => f.refs--,
    onCheckout: (f) => f.refs++,
  }
  const pool = new ResourcePool(hooks, { ...DEFAULT_POOL_SIZING, idleCheckMs: 60_000, ...sizing }, { onError: (e) => errors.push(e) })
  const track = () => {
    const open = made.filter((f) => f.alive).length + opening
    peak = Math.max(peak, open)
  }
  return { pool, made, errors, track, peak: () => peak }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('ResourcePool', () => {
  test('never exceeds max and serves every queued acquire', async () => {
    const { pool, made } = setup({ max: 3 })
    const served: number[] = []
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const slot = await pool.acquire()
        expect(made.filter((f) => f.alive).length).toBeLessThanOrEqual(3)
        await sleep(0)
        served.push(i)
        pool.release(slot)
      }),
    )
    expect(served).toHaveLength(200)
    expect(made.length).toBe(3)
    expect(pool.counts()).toMatchObject({ total: 3, idle: 3, active: 0, waiting: 0 })
  })

  test('waiters are served in arrival order', async () => {
    const { pool } = setup({ max: 1 })
    const first = await pool.acquire()
    const order: number[] = []
    const waits = [1, 2, 3, 4, 5].map((n) => pool.acquire().then((slot) => (order.push(n), pool.release(slot))))
    expect(pool.counts().waiting).toBe(5)
    pool.release(first)
    await Promise.all(waits)
    expect(order).toEqual([1, 2, 3, 4, 5])
  })

  test('an acquire that waits too long fails with PoolTimeoutError naming max and waiters', async () => {
    const { pool } = setup({ max: 2, acquireTimeoutMs: 30 })
    const a = await pool.acquire()
    const b = await pool.acquire()
    const late = pool.acquire()
    const later = pool.acquire()
    const error = await late.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PoolTimeoutError)
    expect((error as Error).message).toMatch(/30 ms.*all 2 \(max\) are in use \(2 checked out, 0 opening, 1 other acquires waiting\)/)
    await expect(later).rejects.toBeInstanceOf(PoolTimeoutError)
    expect(pool.counts().waiting).toBe(0)
    pool.release(a)
    pool.release(b)
    await pool.end()
  })

  test('a resource that died while idle is never handed out', async () => {
    const { pool, made } = setup({ max: 2 })
    const a = await pool.acquire()
    const b = await pool.acquire()
    pool.release(a)
    pool.release(b)
    made[0]!.end('killed')
    made[1]!.end('killed')
    await sleep(0)
    expect(pool.counts().total).toBe(0)
    const c = await pool.acquire()
    expect(c.resource.alive).toBe(true)
    expect(made).toHaveLength(3)
    pool.release(c)
  })

  test('a resource idle longer than idleCheckMs is validated; a failing one is dropped', async () => {
    const { pool, made } = setup({ max: 2, idleCheckMs: 0 })
    const a = await pool.acquire()
    pool.release(a)
    made[0]!.healthy = false
    const b = await pool.acquire()
    expect(made[0]!.checks).toBe(1)
    expect(made[0]!.closedHow).toBe('destroy')
    expect(b.resource).toBe(made[1])
    pool.release(b)
    const c = await pool.acquire()
    expect(c.resource).toBe(made[1])
    expect(made[1]!.checks).toBe(1)
    pool.release(c)
  })

  test('release(destroy) and dead checked-out resources are destroyed, not reused', async () => {
    const { pool, made } = setup({ max: 2 })
    const a = await pool.acquire()
    pool.release(a, true)
    expect(made[0]!.closedHow).toBe('destroy')
    const b = await pool.acquire()
    b.resource.end('killed')
    pool.release(b)
    expect(pool.counts().total).toBe(0)
    expect(() => pool.release(b)).toThrow(/not checked out/)
  })

  test('idle timeout shrinks to min; min is kept open', async () => {
    const { pool, made } = setup({ min: 2, max: 5, idleTimeoutMs: 40 })
    await sleep(20)
    expect(pool.counts().total).toBe(2)
    const slots = await Promise.all([1, 2, 3, 4, 5].map(() => pool.acquire()))
    expect(pool.counts().total).toBe(5)
    slots.forEach((s) => pool.release(s))
    await sleep(150)
    expect(pool.counts()).toMatchObject({ total: 2, idle: 2 })
    expect(made.filter((f) => f.closedHow === 'close')).toHaveLength(3)
  })

  test('max lifetime retires a connection on release and when idle', async () => {
    const { pool, made } = setup({ max: 1, maxLifetimeMs: 30, idleTimeoutMs: 0 })
    const a = await pool.acquire()
    pool.release(a)
    await sleep(60)
    expect(made[0]!.closedHow).toBe('close')
    expect(pool.counts().total).toBe(0)
  })

  test('idle resources are unref-ed, checked-out ones ref-ed', async () => {
    const { pool, made } = setup({ max: 1 })
    const a = await pool.acquire()
    expect(made[0]!.refs).toBe(1)
    pool.release(a)
    expect(made[0]!.refs).toBe(0)
  })

  test('end() rejects waiters, closes idle ones and waits for checked-out ones', async () => {
    const { pool, made } = setup({ max: 2 })
    const a = await pool.acquire()
    const b = await pool.acquire()
    pool.release(b)
    const waiting = pool.acquire()
    // b went to the waiter
    const w = await waiting
    const blocked = pool.acquire()
    let ended = false
    const ending = pool.end().then(() => (ended = true))
    await expect(blocked).rejects.toThrow(/pool has been ended/)
    await expect(pool.acquire()).rejects.toThrow(/pool has been ended/)
    await sleep(10)
    expect(ended).toBe(false)
    pool.release(a)
    await sleep(10)
    expect(ended).toBe(false)
    pool.release(w)
    await ending
    expect(made.every((f) => f.closedHow === 'close')).toBe(true)
  })

  test('a failed creation rejects the oldest waiter with its error; later acquires retry', async () => {
    let fail = true
    const { pool } = setup({ max: 2 }, { failCreate: () => (fail ? new Error('refused') : undefined) })
    await expect(pool.acquire()).rejects.toThrow('refused')
    fail = false
    const a = await pool.acquire()
    expect(a.resource.alive).toBe(true)
    pool.release(a)
  })
})

describe('ResourcePool.end() always settles', () => {
  test('checked-out resources are destroyed after endTimeoutMs; releasing one afterwards is a no-op', async () => {
    const { pool, made } = setup({ max: 2, endTimeoutMs: 50 })
    const held = [await pool.acquire(), await pool.acquire()]
    const started = Date.now()
    await pool.end()
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(made.map((f) => f.closedHow)).toEqual(['destroy', 'destroy'])
    for (const slot of held) expect(() => pool.release(slot)).not.toThrow()
    expect(pool.counts()).toMatchObject({ total: 0, pending: 0 })
  })

  test('endTimeoutMs 0 destroys checked-out resources at once; a resource released in time is closed gracefully', async () => {
    const { pool, made } = setup({ max: 2, endTimeoutMs: 0 })
    const a = await pool.acquire()
    await pool.acquire()
    pool.release(a)
    await pool.end()
    expect(made.map((f) => f.closedHow).sort()).toEqual(['close', 'destroy'])
  })

  test('a creation under way is aborted by end(); end() does not wait for it to finish by itself', async () => {
    let seen: AbortSignal | undefined
    const hooks: ResourceHooks<Fake> = {
      create: (signal) =>
        new Promise<Fake>((_, reject) => {
          seen = signal
          signal.addEventListener('abort', () => reject(signal.reason))
        }),
      closed: (f) => f.closed,
      usable: (f) => f.alive,
      validate: async () => true,
      close: async (f) => f.end('close'),
      destroy: (f) => f.end('destroy'),
    }
    const errors: unknown[] = []
    const pool = new ResourcePool(hooks, { ...DEFAULT_POOL_SIZING, max: 1 }, { onError: (e) => errors.push(e) })
    const waiting = pool.acquire().catch((e: unknown) => e)
    await sleep(1)
    await pool.end()
    expect(seen?.aborted).toBe(true)
    expect(await waiting).toMatchObject({ code: ErrorCode.PoolEnded })
    // The aborted creation is the pool's own doing, not a background failure to report.
    expect(errors).toEqual([])
  })
})

describe('ResourcePool timers', () => {
  test('waiting acquires time out in arrival order, each after its own acquireTimeoutMs, also when an older one was served meanwhile', async () => {
    const { pool } = setup({ max: 1, acquireTimeoutMs: 150 })
    const held = await pool.acquire()
    const started = performance.now()
    const first = pool.acquire()
    await new Promise((r) => setTimeout(r, 60))
    const second = pool.acquire().then(
      () => 'served',
      (error: unknown) => ({ error, after: performance.now() - started }),
    )
    // The oldest waiter is served before its deadline; the next keeps its own.
    pool.release(held)
    const served = await first
    const outcome = await second
    expect(outcome).toMatchObject({ error: expect.any(PoolTimeoutError) })
    const after = (outcome as { after: number }).after
    expect(after).toBeGreaterThanOrEqual(60 + 150 - 5)
    expect(after).toBeLessThan(60 + 150 + 500)
    pool.release(served)
    expect(pool.counts()).toMatchObject({ waiting: 0, idle: 1 })
  })

  test('a session checked out and back keeps its idle timeout from its last release, not from the first', async () => {
    const { pool, made } = setup({ max: 1, idleTimeoutMs: 400 })
    pool.release(await pool.acquire())
    await new Promise((r) => setTimeout(r, 250))
    // Used again before the first idle period ends; the first period would end 150 ms from here.
    pool.release(await pool.acquire())
    await new Promise((r) => setTimeout(r, 150))
    expect(made[0]!.closedHow).toBeUndefined()
    await new Promise((r) => setTimeout(r, 600))
    expect(made[0]!.closedHow).toBe('close')
    expect(pool.counts()).toMatchObject({ total: 0 })
    await pool.end()
  })
})
