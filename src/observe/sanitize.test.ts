import { describe, expect, it } from 'vitest'
import { sanitizeSql } from './sanitize.js'
import { operationOf } from './otel.js'

describe('sanitizeSql', () => {
  it('replaces string and numeric literals with ?', () => {
    expect(sanitizeSql("select * from users where email = 'ada@example.com' and karma > 42")).toBe('select * from users where email = ? and karma > ?')
    expect(sanitizeSql("select 'it''s', E'a\\'b', 1.5e3, .5, 0x1F, x'1F', B'101', U&'d\\0061t'")).toBe('select ?, ?, ?, ?, ?, ?, ?, ?')
    expect(sanitizeSql('select $$it is$$, $body$ x $ y $body$')).toBe('select ?, ?')
    expect(sanitizeSql('insert into t values (-1, 2)')).toBe('insert into t values (-?, ?)')
  })

  it('keeps identifiers, parameters, quoted identifiers and comments', () => {
    expect(sanitizeSql('select t1.a$2, "col 9" from t1 where id = $1 and x = $12')).toBe('select t1.a$2, "col 9" from t1 where id = $1 and x = $12')
    expect(sanitizeSql("select 1 -- it's 2\n/* 3 /* 'n' */ */ from t")).toBe("select ? -- it's 2\n/* 3 /* 'n' */ */ from t")
  })

  it('an unterminated literal hides the rest', () => {
    expect(sanitizeSql("select 'secret")).toBe('select ?')
    expect(sanitizeSql('select $$secret')).toBe('select ?')
  })
})

describe('operationOf', () => {
  it('is the first key word of a single statement', () => {
    expect(operationOf('select 1')).toBe('SELECT')
    expect(operationOf('  /* c */ -- x\n insert into t values (?);')).toBe('INSERT')
    expect(operationOf('with x as (select 1) select * from x')).toBe('WITH')
    expect(operationOf('select 1; select 2')).toBeUndefined()
    expect(operationOf('')).toBeUndefined()
  })
})
