import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createBuiltinBalancer } from './policies.js'
import { planRebalance, type PlanInput } from './rebalance.js'
import type { Balancer, Candidate, NodeType } from './types.js'

/** Ties broken by the first candidate: plans are deterministic. */
const anyMode = createBuiltinBalancer({ mode: 'any', random: () => 0 })

function node(key: string, open: number, extra: Partial<Candidate> = {}): Candidate {
  return { key, address: { host: key, port: 5433 }, openConnections: open, ...extra }
}

function plan(usable: Candidate[], sessions: Record<string, number>, patch: Partial<PlanInput> = {}) {
  return planRebalance({
    usable,
    listed: new Set(usable.map((c) => c.key)),
    failed: new Set(),
    sessions: new Map(Object.entries(sessions)),
    chooser: anyMode,
    limit: 10,
    ...patch,
  })
}

/** Apply a plan the way the pool does: retire on `from`, open where the balancer picks. */
function apply(counts: Record<string, number>, idle: Record<string, number>, limit: number, chooser: Balancer = anyMode) {
  const usable = Object.entries(counts).map(([k, n]) => node(k, n))
  const moves = plan(usable, idle, { limit, chooser })
  const next = { ...counts }
  const nextIdle = { ...idle }
  for (const m of moves) {
    next[m.from]!--
    nextIdle[m.from]!--
    const to = chooser.pick(Object.entries(next).map(([k, n]) => node(k, n)), { attempt: 1 })!.key
    next[to]!++
    nextIdle[to] = (nextIdle[to] ?? 0) + 1
  }
  return { moves, counts: next, idle: nextIdle }
}

describe('planRebalance', () => {
  it('a node back with no session: moves from the heaviest nodes until the spread is even (6/6/0 → 4/4/4)', () => {
    const moves = plan([node('a', 6), node('b', 6), node('c', 0)], { a: 6, b: 6 })
    expect(moves).toHaveLength(4)
    expect(moves.every((m) => m.reason === 'uneven')).toBe(true)
    expect(moves.filter((m) => m.from === 'a')).toHaveLength(2)
    expect(moves.filter((m) => m.from === 'b')).toHaveLength(2)
  })

  it('respects the limit per round, and converges over rounds', () => {
    let state = { counts: { a: 6, b: 6, c: 0 } as Record<string, number>, idle: { a: 6, b: 6, c: 0 } as Record<string, number> }
    const rounds: number[] = []
    for (let i = 0; i < 5; i++) {
      const r = apply(state.counts, state.idle, 2)
      rounds.push(r.moves.length)
      state = { counts: r.counts, idle: r.idle }
    }
    expect(rounds).toEqual([2, 2, 0, 0, 0])
    expect(state.counts).toEqual({ a: 4, b: 4, c: 4 })
  })

  it('an even spread (within one) never moves: no ping-pong on ties', () => {
    expect(plan([node('a', 5), node('b', 4), node('c', 4)], { a: 5, b: 4, c: 4 })).toEqual([])
    expect(plan([node('a', 4), node('b', 4), node('c', 4)], { a: 4, b: 4, c: 4 })).toEqual([])
  })

  it('only this pool\'s movable sessions move: sessions of other pools (counted, not given) stay', () => {
    expect(plan([node('a', 6), node('b', 6), node('c', 0)], { b: 1 })).toEqual([{ from: 'b', reason: 'uneven' }])
    expect(plan([node('a', 6), node('b', 6), node('c', 0)], {})).toEqual([])
  })

  it('pending moves count as done: no second move for the same imbalance', () => {
    const usable = [node('a', 6), node('b', 6), node('c', 0)]
    expect(plan(usable, { a: 4, b: 6 }, { pending: new Map([['a', 2]]) })).toHaveLength(2)
    expect(plan(usable, { a: 4, b: 6 }, { pending: new Map([['a', 2]]) }).every((m) => m.from === 'b')).toBe(true)
    expect(plan(usable, { a: 4, b: 4 }, { pending: new Map([['a', 2], ['b', 2]]) })).toEqual([])
  })

  it('sessions on a node that left the server list are retired first', () => {
    const moves = plan([node('a', 2), node('b', 2)], { gone: 3, a: 2 }, { listed: new Set(['a', 'b']) })
    expect(moves.slice(0, 3)).toEqual([
      { from: 'gone', reason: 'left' },
      { from: 'gone', reason: 'left' },
      { from: 'gone', reason: 'left' },
    ])
  })

  it('without a server list (plain PostgreSQL) nothing counts as left', () => {
    expect(plan([node('a', 2), node('b', 2)], { other: 2 }, { listed: undefined })).toEqual([])
  })

  it('nodes marked failed are neither sources nor targets', () => {
    expect(plan([node('a', 4), node('b', 0)], { a: 4, x: 4 }, { failed: new Set(['x']), listed: new Set(['a', 'b', 'x']) })).toEqual([
      { from: 'a', reason: 'uneven' },
      { from: 'a', reason: 'uneven' },
    ])
  })

  it('policy tiers: sessions on a read replica move to primaries once one is usable (prefer-primary)', () => {
    const chooser = createBuiltinBalancer({ mode: 'prefer-primary', random: () => 0 })
    const t = (type: NodeType) => ({ nodeType: type })
    const usable = [node('p1', 3, t('primary')), node('rr', 2, t('read_replica'))]
    expect(plan(usable, { rr: 2, p1: 3 }, { chooser })).toEqual([
      { from: 'rr', reason: 'disfavored' },
      { from: 'rr', reason: 'disfavored' },
    ])
  })

  it('topology keys: a session outside the keys moves back into them, but not the other way', () => {
    const topo = (zone: string) => ({ topology: { cloud: 'aws', region: 'r', zone } })
    const chooser = createBuiltinBalancer({ mode: 'any', topologyKeys: [{ cloud: 'aws', region: 'r', zone: 'z1', level: 1 }], random: () => 0 })
    const usable = [node('in', 5, topo('z1')), node('out', 1, topo('z2'))]
    expect(plan(usable, { in: 5, out: 1 }, { chooser })).toEqual([{ from: 'out', reason: 'disfavored' }])
    expect(plan([node('in', 5, topo('z1')), node('out', 0, topo('z2'))], { in: 5 }, { chooser })).toEqual([])
  })

  it('a balancer that throws or accepts nothing moves nothing', () => {
    const throws: Balancer = { name: 't', pick: () => { throw new Error('no') } }
    const none: Balancer = { name: 'n', pick: () => undefined }
    expect(plan([node('a', 6), node('b', 0)], { a: 6 }, { chooser: throws })).toEqual([])
    expect(plan([node('a', 6), node('b', 0)], { a: 6 }, { chooser: none })).toEqual([])
  })

  it('property: repeated rounds with least-connections reach max − min ≤ 1 over movable sessions, and never move on an even spread', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 3 }), (open, limit) => {
        let counts = Object.fromEntries(open.map((n, i) => [`n${i}`, n])) as Record<string, number>
        let idle = { ...counts }
        let total = 0
        for (let round = 0; round < 40; round++) {
          const r = apply(counts, idle, limit)
          total += r.moves.length
          counts = r.counts
          idle = r.idle
          if (r.moves.length === 0) break
        }
        const values = Object.values(counts)
        expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1)
        expect(values.reduce((a, b) => a + b, 0)).toBe(open.reduce((a, b) => a + b, 0))
        // Bounded churn: no more moves than sessions above the even share.
        const share = Math.ceil(open.reduce((a, b) => a + b, 0) / open.length)
        expect(total).toBeLessThanOrEqual(open.reduce((a, n) => a + Math.max(0, n - share + 1), 0))
        expect(apply(counts, idle, limit).moves).toEqual([])
      }),
    )
  })
})
