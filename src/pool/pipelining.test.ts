import { describe, expect, test } from 'vitest'
import { leastLoaded, pipelinable, shareBudget } from './pipelining.js'
import { ResourcePool, type ResourceHooks, type Slot } from './resource-pool.js'
import { DEFAULT_POOL_SIZING, type PoolSizing } from './sizing.js'

describe('pipelinable', () => {
  test('single reading and writing statements may be pipelined', () => {
    for (const sql of ['select 1', '  SELECT $1::int', 'with x as (select 1) select * from x', 'insert into t values (1)', 'update t set a = 1', 'delete from t', 'values (1)', 'table t', 'show work_mem', 'explain select 1', 'merge into t using s on true when matched then do nothing']) {
      expect(pipelinable(sql, [])).toBe(true)
      expect(pipelinable(sql, undefined)).toBe(true)
    }
    expect(pipelinable('select 1;  \n', undefined)).toBe(true)
    // One statement per Parse: a ';' inside a literal is harmless with parameters.
    expect(pipelinable("select ';' || $1", ['x'])).toBe(true)
  })

  test('what could leave state behind for the query after it gets a session to itself', () => {
    for (const sql of ['begin', 'BEGIN ISOLATION LEVEL SERIALIZABLE', 'start transaction', 'commit', 'rollback', 'end', 'savepoint a', 'set search_path = x', 'reset all', 'discard all', 'deallocate all', 'copy t from stdin', 'listen ch', 'unlisten *', 'call p()', 'do $$ begin end $$', 'declare c cursor for select 1', 'lock t', 'prepare transaction \'x\'', 'selectx', '(select 1)', '', '   ', '/* begin */ begin', '-- only a comment']) {
      expect(pipelinable(sql, undefined), sql).toBe(false)
      expect(pipelinable(sql, []), sql).toBe(false)
    }
    // A simple-protocol script may hide a BEGIN after its first statement.
    expect(pipelinable('select 1; begin', undefined)).toBe(false)
    expect(pipelinable("select ';'", undefined)).toBe(false)
    // A leading comment is not looked past: only cautious.
    expect(pipelinable('/* why */ select 1', [])).toBe(false)
    expect(pipelinable('-- why\nselect 1', undefined)).toBe(false)
  })
})

describe('leastLoaded and shareBudget', () => {
  test('the fewest shares among those below depth that are eligible; never an idle or exclusive one', () => {
    const a = { shares: 3, ok: true }
    const b = { shares: 1, ok: false }
    const c = { shares: 2, ok: true }
    const d = { shares: 0, ok: true }
    const e = { shares: 4, ok: true }
    expect(leastLoaded([a, b, c, d, e], 4, (s) => s.ok)).toBe(c)
    expect(leastLoaded([a, e], 3, () => true)).toBeUndefined()
    expect(leastLoaded([d], 8, () => true)).toBeUndefined()
    expect(leastLoaded([c, { shares: 2, ok: true }], 8, () => true)).toBe(c)
  })

  test('an even split of the waiting over the sessions still opening, within depth, at least one', () => {
    expect(shareBudget(8, 50, 9)).toBe(5)
    expect(shareBudget(8, 45, 8)).toBe(5)
    expect(shareBudget(2, 50, 0)).toBe(2)
    expect(shareBudget(8, 1, 5)).toBe(1)
    expect(shareBudget(1, 50, 0)).toBe(1)
  })
})

/** A fake session for the pool: alive until killed; `txn` stands for a session left in a transaction block. */
class Fake {
  alive = true
  txn = false
  ended: string | undefined
  private resolveClosed!: () => void
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve))
  end(how: string): void {
    if (!this.alive) return
    this.alive = false
    this.ended = how
    this.resolveClosed()
  }
}

function setup(sizing: Partial<PoolSizing>) {
  const made: Fake[] = []
  const hooks: ResourceHooks<Fake> = {
    create: async () => {
      await new Promise((r) => setTimeout(r, 1))
      const fake = new Fake()
      made.push(fake)
      return fake
    },
    closed: (f) => f.closed,
    usable: (f) => f.alive,
    validate: async () => true,
    close: async (f) => f.end('close'),
    destroy: (f) => f.end('destroy'),
    shareable: (f) => !f.txn,
  }
  const pool = new ResourcePool(hooks, { ...DEFAULT_POOL_SIZING, idleCheckMs: 60_000, ...sizing })
  return { pool, made }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sharesOf = (pool: ResourcePool<Fake>) => pool.snapshot().map((s) => s.shares).sort()

describe('ResourcePool sharing', () => {
  test('shares only at max with none idle, least-loaded first, never past depth', async () => {
    const { pool, made } = setup({ max: 2, pipelineDepth: 3 })
    expect(pool.share()).toBeUndefined() // below max: open a session rather than pipeline
    const first = await pool.acquire(true)
    expect(first.shares).toBe(1)
    expect(pool.share()).toBeUndefined() // still below max
    const second = await pool.acquire(true)
    expect(made).toHaveLength(2)
    const taken = [pool.share(), pool.share(), pool.share(), pool.share()]
    expect(taken.every((s) => s !== undefined)).toBe(true)
    expect(sharesOf(pool)).toEqual([3, 3])
    expect(pool.share()).toBeUndefined()
    // One back: that session has room again.
    pool.releaseShare(second)
    expect(pool.share()).toBe(second)
    for (const slot of [first, second, ...taken]) pool.releaseShare(slot!)
    expect(pool.counts()).toMatchObject({ idle: 2, active: 0 })
    expect(sharesOf(pool)).toEqual([0, 0])
    // An idle session is shared first, with no promise.
    expect(pool.share()?.shares).toBe(1)
  })

  test('one-shot waiters are spread evenly over sessions as they open', async () => {
    const { pool, made } = setup({ max: 3, pipelineDepth: 8 })
    const slots = await Promise.all(Array.from({ length: 12 }, () => pool.acquire(true)))
    expect(made).toHaveLength(3)
    expect(sharesOf(pool)).toEqual([4, 4, 4])
    expect(new Set(slots).size).toBe(3)
    for (const slot of slots) pool.releaseShare(slot)
    expect(pool.counts()).toMatchObject({ total: 3, idle: 3, active: 0, waiting: 0 })
  })

  test('an exclusive waiter is served once a shared session drains; one-shot calls after it wait behind it', async () => {
    const { pool } = setup({ max: 2, pipelineDepth: 4 })
    const shared = await Promise.all(Array.from({ length: 4 }, () => pool.acquire(true)))
    let exclusive: Slot<Fake> | undefined
    void pool.acquire().then((slot) => (exclusive = slot))
    // FIFO: no pipelining past the waiter, although both sessions have room.
    expect(pool.share()).toBeUndefined()
    const later = pool.acquire(true)
    const onA = shared.filter((s) => s === shared[0])
    for (const slot of onA) pool.releaseShare(slot)
    await sleep(0)
    expect(exclusive).toBe(shared[0])
    expect(exclusive!.shares).toBe(0)
    // The one-shot waiter goes to the other, shared session, never to the exclusive one.
    const next = await later
    expect(next).not.toBe(exclusive)
    expect(next.shares).toBe(3)
    pool.release(exclusive!)
    for (const slot of [...shared.filter((s) => s !== shared[0]), next]) pool.releaseShare(slot)
    expect(pool.counts()).toMatchObject({ idle: 2, active: 0, waiting: 0 })
  })

  test('a dead session, one in a transaction block or one being replaced takes no more shares; the last share gives a dead one up', async () => {
    const { pool, made } = setup({ max: 2, pipelineDepth: 4 })
    const [a, b] = await Promise.all([pool.acquire(true), pool.acquire(true)])
    expect(a).not.toBe(b)
    a!.resource.txn = true
    expect(pool.share()).toBe(b)
    b!.resource.end('killed')
    await sleep(0)
    expect(pool.share()).toBeUndefined()
    a!.resource.txn = false
    const replaced = pool.replace(a!)
    expect(replaced.now).toBe(false)
    expect(pool.share()).toBeUndefined()
    pool.releaseShare(b!)
    expect(pool.counts().total).toBe(2) // b is still shared once
    pool.releaseShare(b!)
    expect(b!.resource.ended).toBe('killed')
    pool.releaseShare(a!)
    await replaced.done
    expect(a!.resource.ended).toBe('close')
    expect(made.filter((f) => f.alive)).toHaveLength(1)
    await pool.end()
  })
})
