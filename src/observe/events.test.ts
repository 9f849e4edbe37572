import { describe, expect, it } from 'vitest'
import { bridgeChannels, emit, EVENT_TYPES, observe, wants, type DiagnosticChannel, type PgfleetEvent } from './events.js'
import { observeQuery } from './produce.js'
import { PgError } from '../errors.js'

const session = { host: { host: 'n1', port: 5433 }, processId: 7, config: { database: 'app', user: 'ada' } }

describe('observe', () => {
  it('wants() is false with no subscriber and true with one; unsubscribing ends delivery', () => {
    expect(wants('query')).toBe(false)
    const seen: PgfleetEvent[] = []
    const off = observe((e) => seen.push(e))
    expect(wants('query')).toBe(true)
    emit({ type: 'balancer:pick', time: 1, balancer: 'any', attempt: 1, candidates: [] })
    off()
    expect(wants('query')).toBe(false)
    emit({ type: 'balancer:pick', time: 2, balancer: 'any', attempt: 1, candidates: [] })
    expect(seen.map((e) => e.time)).toEqual([1])
  })

  it('observeQuery reports start and end with the result, returns the same promise, and a throwing subscriber changes nothing', async () => {
    const seen: PgfleetEvent[] = []
    const offThrow = observe(() => {
      throw new Error('subscriber bug')
    })
    const off = observe((e) => seen.push(e))
    try {
      const ok = Promise.resolve({ command: 'SELECT', rowCount: 3, rows: [], fields: [] })
      expect(observeQuery(session, 'select $1', 1, ok)).toBe(ok)
      await ok
      const failed = Promise.reject(new PgError({ severity: 'ERROR', code: '23505', message: 'duplicate key' }))
      await expect(observeQuery(session, "insert into t values ('x')", 0, failed)).rejects.toThrow('duplicate key')
      await Promise.resolve()
    } finally {
      off()
      offThrow()
    }
    const [start, end, start2, end2] = seen
    expect(start).toMatchObject({ type: 'query:start', text: 'select $1', params: 1, node: { host: 'n1', port: 5433 }, database: 'app', user: 'ada', processId: 7 })
    expect(end).toMatchObject({ type: 'query:end', id: start!.type === 'query:start' ? start!.id : -1, command: 'SELECT', rows: 3 })
    expect(end!.type === 'query:end' && end!.durationMs >= 0).toBe(true)
    expect(start2!.type).toBe('query:start')
    expect(end2).toMatchObject({ type: 'query:end', sqlstate: '23505' })
    expect(end2!.type === 'query:end' && end2!.error?.message).toBe('duplicate key')
  })

  it('a bridge publishes each type on pgfleet:<type>, and only where someone subscribed', () => {
    const published: [string, unknown][] = []
    const channels = new Map<string, DiagnosticChannel & { hasSubscribers: boolean }>()
    bridgeChannels((name) => {
      const channel = { hasSubscribers: false, publish: (m: unknown) => void published.push([name, m]) }
      channels.set(name, channel)
      return channel
    })
    expect([...channels.keys()]).toEqual(EVENT_TYPES.map((t) => `pgfleet:${t}`))
    expect(wants('balancer')).toBe(false)
    channels.get('pgfleet:balancer:pick')!.hasSubscribers = true
    expect(wants('balancer')).toBe(true)
    expect(wants('query')).toBe(false)
    const pick: PgfleetEvent = { type: 'balancer:pick', time: 3, balancer: 'any', attempt: 1, candidates: [] }
    emit(pick)
    emit({ type: 'connect:start', id: 1, time: 4, node: { host: 'n1', port: 1 }, database: 'd', user: 'u' })
    expect(published).toEqual([['pgfleet:balancer:pick', pick]])
    channels.get('pgfleet:balancer:pick')!.hasSubscribers = false
  })
})
