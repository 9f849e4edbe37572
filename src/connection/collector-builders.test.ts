/**
 * ResultCollector reuses the row builder of a fields array it has seen (the
 * MessageReader hands out the same array for a repeated RowDescription) only
 * for the same parser source at the same version and the same row mode.
 */
import { describe, expect, it } from 'vitest'
import type { BackendMessage, FieldDescription } from '../protocol/messages.js'
import { MessageReader } from '../protocol/reader.js'
import { encodeBackendMessages } from '../protocol/testing/encode-backend.js'
import { encodeDataRowBody } from '../protocol/testing/index.js'
import { TypeRegistry, type ParserSource } from '../types/registry.js'
import { ResultCollector } from './collector.js'
import type { RowMode } from './result.js'

const utf8 = new TextEncoder()
const int4 = (name: string, oid = 23): FieldDescription => ({
  name,
  tableOid: 0,
  columnAttr: 0,
  dataTypeOid: oid,
  dataTypeSize: 4,
  dataTypeModifier: -1,
  format: 0,
})

/** One statement's rows: describe, the rows (text values), complete. */
function collect(fields: FieldDescription[], source: ParserSource, mode: RowMode, values: string[][]): unknown[] {
  const c = new ResultCollector(source, mode)
  c.describe(fields)
  for (const v of values) {
    const bytes = encodeDataRowBody(v.map((s) => utf8.encode(s)))
    c.row({ type: 'DataRow', bytes, start: 0, end: bytes.length })
  }
  c.complete(`SELECT ${values.length}`)
  return c.results[0]!.rows
}

describe('ResultCollector row builder reuse', () => {
  it('the same fields again: same rows, also past the row constructor threshold', () => {
    const types = new TypeRegistry()
    const fields = [int4('a'), int4('b')]
    for (let q = 0; q < 40; q++) expect(collect(fields, types, 'object', [['1', String(q)]])).toEqual([{ a: 1, b: q }])
  })

  it('a register() after a query: the next query on the same fields uses the new parser', () => {
    const types = new TypeRegistry()
    const fields = [int4('a')]
    expect(collect(fields, types, 'object', [['7']])).toEqual([{ a: 7 }])
    types.register({ oid: 23, parse: (s) => `int:${s}` })
    expect(collect(fields, types, 'object', [['7']])).toEqual([{ a: 'int:7' }])
    expect(collect(fields, types, 'array', [['7']])).toEqual([['int:7']])
  })

  it('another parser source on the same fields gets its own parsers', () => {
    const fields = [int4('a')]
    const plain = new TypeRegistry()
    const custom = new TypeRegistry().register({ oid: 23, parse: (s) => `custom:${s}` })
    expect(collect(fields, plain, 'object', [['1']])).toEqual([{ a: 1 }])
    expect(collect(fields, custom, 'object', [['1']])).toEqual([{ a: 'custom:1' }])
    expect(collect(fields, plain, 'object', [['1']])).toEqual([{ a: 1 }])
  })

  it('a source without a version (pg setTypeParser) is asked every query', () => {
    let prefix = 'one'
    const source: ParserSource = {
      parserFor: () => (bytes) => `${prefix}:${new TextDecoder().decode(bytes)}`,
      hasBinaryDecoder: () => false,
    }
    const fields = [int4('a')]
    expect(collect(fields, source, 'object', [['1']])).toEqual([{ a: 'one:1' }])
    prefix = 'two'
    expect(collect(fields, source, 'object', [['1']])).toEqual([{ a: 'two:1' }])
  })

  it('object and array mode on the same fields each get their shape', () => {
    const types = new TypeRegistry()
    const fields = [int4('a'), int4('b')]
    expect(collect(fields, types, 'object', [['1', '2']])).toEqual([{ a: 1, b: 2 }])
    expect(collect(fields, types, 'array', [['1', '2']])).toEqual([[1, 2]])
    expect(collect(fields, types, 'object', [['1', '2']])).toEqual([{ a: 1, b: 2 }])
  })

  it('through the reader: a repeated RowDescription reuses, a same-length one with other names or types does not', () => {
    const types = new TypeRegistry()
    const reader = new MessageReader()
    const query = (fields: FieldDescription[], value: string): unknown => {
      const row = encodeDataRowBody([utf8.encode(value)])
      const messages: BackendMessage[] = [
        { type: 'RowDescription', fields },
        { type: 'DataRow', bytes: row, start: 0, end: row.length },
        { type: 'CommandComplete', tag: 'SELECT 1' },
      ]
      reader.feed(encodeBackendMessages(messages))
      const c = new ResultCollector(types, 'object')
      for (let m = reader.next(); m; m = reader.next()) {
        if (m.type === 'RowDescription') c.describe(m.fields)
        else if (m.type === 'DataRow') c.row(m)
        else if (m.type === 'CommandComplete') c.complete(m.tag)
      }
      return c.results[0]!.rows[0]
    }
    expect(query([int4('a')], '5')).toEqual({ a: 5 })
    expect(query([int4('a')], '6')).toEqual({ a: 6 })
    expect(query([int4('b')], '6')).toEqual({ b: 6 }) // same length, other name
    expect(query([int4('b', 25)], '6')).toEqual({ b: '6' }) // same length, text instead of int4
    expect(query([int4('b', 25)], '7')).toEqual({ b: '7' })
    expect(query([int4('b')], '7')).toEqual({ b: 7 })
  })
})
