import { describe, expect, it } from 'vitest'
import { HostBook, HostBookRegistry, clusterKeyOf } from './host-book.js'

const at = (host: string) => ({ host, port: 5433 })

describe('HostBook', () => {
  it('counts reservations and releases each exactly once', () => {
    const book = new HostBook()
    const a = book.reserve('n1', at('10.0.0.1'))
    const b = book.reserve('n1', at('10.0.0.1'))
    expect(book.open('n1')).toBe(2)
    a.release()
    a.release()
    a.release()
    expect(book.open('n1')).toBe(1)
    b.release()
    b.release()
    expect(book.open('n1')).toBe(0)
    expect(book.snapshot()).toEqual(new Map([['10.0.0.1', 0]]))
  })

  it('keys counts by node identity whatever address was dialled', () => {
    const book = new HostBook()
    const viaPrivate = book.reserve('uuid-1', at('10.0.0.1'))
    book.reserve('uuid-1', at('34.1.2.3'))
    expect(book.open('uuid-1')).toBe(2)
    viaPrivate.release()
    expect(book.snapshot()).toEqual(new Map([['34.1.2.3', 1]]))
  })

  it('names nodes sharing a host by host:port', () => {
    const book = new HostBook()
    book.reserve('a', { host: 'localhost', port: 5433 })
    book.reserve('b', { host: 'localhost', port: 5434 })
    book.reserve('c', { host: 'db', port: 5433 })
    expect(book.snapshot()).toEqual(
      new Map([
        ['localhost:5433', 1],
        ['localhost:5434', 1],
        ['db', 1],
      ]),
    )
  })

  it('keeps failed marks for the caller TTL only', () => {
    const book = new HostBook()
    book.markFailed('n1', 1000)
    expect(book.isFailed('n1', 1000, 5000)).toBe(true)
    expect(book.isFailed('n1', 5999, 5000)).toBe(true)
    expect(book.isFailed('n1', 6000, 5000)).toBe(false)
    // Another pool with a longer TTL still sees the mark.
    expect(book.isFailed('n1', 6000, 10_000)).toBe(true)
    expect(book.failedKeys(2000, 5000)).toEqual(['n1'])
    book.clearFailed('n1')
    expect(book.failedKeys(2000, 5000)).toEqual([])
  })

  it('tells when a node was last marked failed', () => {
    const book = new HostBook()
    expect(book.failedSince('n1')).toBeUndefined()
    book.markFailed('n1', 1000)
    expect(book.failedSince('n1')).toBe(1000)
    book.markFailed('n1', 3000)
    expect(book.failedSince('n1')).toBe(3000)
    book.clearFailed('n1')
    expect(book.failedSince('n1')).toBeUndefined()
  })
})

describe('HostBookRegistry', () => {
  it('gives one book per cluster key', () => {
    const registry = new HostBookRegistry()
    const a = clusterKeyOf([
      { host: 'N1', port: 5433 },
      { host: 'n2', port: 5433 },
    ])
    const b = clusterKeyOf([
      { host: 'n2', port: 5433 },
      { host: 'n1', port: 5433 },
      { host: 'n1', port: 5433 },
    ])
    expect(a).toBe(b)
    expect(registry.bookFor(a)).toBe(registry.bookFor(b))
    expect(registry.bookFor(clusterKeyOf([{ host: 'other', port: 5433 }]))).not.toBe(registry.bookFor(a))
  })
})
