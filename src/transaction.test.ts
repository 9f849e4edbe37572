import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { backoffDelay, beginStatement, isRetryable } from './transaction.js'
import { PgError } from './errors.js'

const pgError = (code: string) => new PgError({ severity: 'ERROR', code, message: 'x' })

describe('beginStatement', () => {
  it('builds BEGIN from the whitelist only', () => {
    expect(beginStatement()).toBe('begin')
    expect(beginStatement({ isolation: 'serializable', readOnly: true, deferrable: true })).toBe(
      'begin isolation level serializable, read only, deferrable',
    )
    expect(beginStatement({ isolation: 'read committed', readOnly: false, deferrable: false })).toBe(
      'begin isolation level read committed, read write, not deferrable',
    )
    expect(() => beginStatement({ isolation: 'serializable; drop table t' as 'serializable' })).toThrow(RangeError)
    expect(() => beginStatement({ isolation: 'toString' as 'serializable' })).toThrow(RangeError)
  })
})

describe('backoffDelay', () => {
  it('is full jitter under a doubling cap bounded by maxMs', () => {
    expect(backoffDelay(1, { baseMs: 10 }, () => 0.999)).toBe(9)
    expect(backoffDelay(3, { baseMs: 10 }, () => 0.5)).toBe(20)
    expect(backoffDelay(30, { baseMs: 10, maxMs: 500 }, () => 0.999)).toBe(499)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, { baseMs: 10, maxMs: 1000 }, () => r)
        expect(d).toBeGreaterThanOrEqual(0)
        expect(d).toBeLessThan(Math.min(1000, 10 * 2 ** (attempt - 1)))
      }),
    )
  })
})

describe('isRetryable', () => {
  it('is true for 40001 and 40P01, also as a cause', () => {
    expect(isRetryable(pgError('40001'))).toBe(true)
    expect(isRetryable(pgError('40P01'))).toBe(true)
    expect(isRetryable(new Error('wrapped', { cause: pgError('40001') }))).toBe(true)
    expect(isRetryable(pgError('23505'))).toBe(false)
    expect(isRetryable(new Error('x'))).toBe(false)
    expect(isRetryable({ code: '40001' })).toBe(false)
  })
})
