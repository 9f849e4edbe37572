import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { quoteIdentifier, sql, toQuery } from './sql.js'

describe('sql tagged template', () => {
  it('binds every value as a numbered parameter', () => {
    const id = 7
    const name = 'ann'
    expect(sql`select * from t where id = ${id} and name = ${name}`.toQuery()).toEqual({
      text: 'select * from t where id = $1 and name = $2',
      values: [7, 'ann'],
    })
  })

  it('never puts a value in the text, whatever it contains (injection attempts)', () => {
    const attacks = ["'; drop table t; --", '$1', '"a"', '\\', '1 or 1=1', '${x}', '\0']
    for (const attack of attacks) {
      const q = sql`select ${attack}::text as v`.toQuery()
      expect(q.text).toBe('select $1::text as v')
      expect(q.values).toEqual([attack])
    }
  })

  it('property: text is the template strings joined by $n, values in order', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 20 }), (values) => {
        const strings = Object.assign(values.concat([null]).map((_, i) => `s${i} `), { raw: [] as string[] })
        const q = toQuery(strings as unknown as TemplateStringsArray, values)
        expect(q.values).toEqual(values)
        expect(q.text).toBe(strings.map((s, i) => (i < values.length ? `${s}$${i + 1}` : s)).join(''))
      }),
    )
  })

  it('inlines nested fragments and renumbers their parameters', () => {
    const where = sql`where a = ${1} and b = ${2}`
    const q = sql`select ${0} from t ${where} limit ${3}`.toQuery()
    expect(q).toEqual({ text: 'select $1 from t where a = $2 and b = $3 limit $4', values: [0, 1, 2, 3] })
  })

  it('quotes identifiers and joins parts with dots', () => {
    expect(sql`select * from ${sql.id('bank', 'accounts')}`.toQuery().text).toBe('select * from "bank"."accounts"')
    expect(sql`select * from ${sql.identifier('a.b')}`.toQuery().text).toBe('select * from "a.b"')
    expect(sql`select 1 as ${sql.id('x"; drop table t; --')}`.toQuery()).toEqual({
      text: 'select 1 as "x""; drop table t; --"',
      values: [],
    })
    expect(() => sql.id('')).toThrow(TypeError)
    expect(() => sql.id('a\0b')).toThrow(TypeError)
    expect(() => sql.id()).toThrow(TypeError)
  })

  it('property: a quoted identifier is one token that reads back as the name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => !s.includes('\0')), (name) => {
        const quoted = quoteIdentifier(name)
        expect(quoted.startsWith('"') && quoted.endsWith('"')).toBe(true)
        const inner = quoted.slice(1, -1)
        // Every quote inside is doubled, so the token cannot end early.
        expect(inner.replaceAll('""', '')).not.toContain('"')
        expect(inner.replaceAll('""', '"')).toBe(name)
      }),
    )
  })

  it('expands lists into one parameter per element', () => {
    const q = sql`select * from t where id in (${sql.list([1, 2, 3])}) and x = ${'y'}`.toQuery()
    expect(q).toEqual({ text: 'select * from t where id in ($1, $2, $3) and x = $4', values: [1, 2, 3, 'y'] })
    expect(() => sql.list([])).toThrow(/any/)
  })

  it('lists may hold fragments (multi-row VALUES)', () => {
    const rows = [
      [1, 'a'],
      [2, 'b'],
    ]
    const q = sql`insert into t values ${sql.list(rows.map(([id, v]) => sql`(${id}, ${v})`))}`.toQuery()
    expect(q).toEqual({ text: 'insert into t values ($1, $2), ($3, $4)', values: [1, 'a', 2, 'b'] })
  })

  it('joins items with a raw separator', () => {
    const conditions = [sql`a = ${1}`, sql`b = ${2}`]
    expect(sql`select 1 where ${sql.join(conditions, ' and ')}`.toQuery()).toEqual({
      text: 'select 1 where a = $1 and b = $2',
      values: [1, 2],
    })
    expect(sql.join([sql.id('a'), sql.id('b')]).toQuery().text).toBe('"a", "b"')
    expect(sql.join([]).toQuery()).toEqual({ text: '', values: [] })
  })

  it('inserts unsafe text verbatim and only there', () => {
    expect(sql`select ${sql.unsafe('now()')}, ${'now()'}`.toQuery()).toEqual({ text: 'select now(), $1', values: ['now()'] })
  })

  it('objects that look like fragments are values', () => {
    const fake = { strings: ['drop table t'], values: [], toQuery: () => ({ text: 'drop table t', values: [] }) }
    expect(sql`select ${fake}`.toQuery()).toEqual({ text: 'select $1', values: [fake] })
  })

  it('refuses a plain call', () => {
    expect(() => (sql as unknown as (s: string) => unknown)('select 1')).toThrow(/tagged template/)
  })
})
