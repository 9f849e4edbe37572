import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { parseComposite } from './composite.js'

/** record_out's quoting: quote when empty or holding special characters; double quotes and backslashes doubled. */
function recordOut(fields: (string | null)[]): string {
  return `(${fields
    .map((f) => {
      if (f === null) return ''
      if (f !== '' && !/[",\\()\s]/.test(f)) return f
      return `"${f.replace(/["\\]/g, (c) => c + c)}"`
    })
    .join(',')})`
}

describe('parseComposite', () => {
  it('splits fields, NULLs and quoted values', () => {
    expect(parseComposite('(1,"a b",)')).toEqual(['1', 'a b', null])
    expect(parseComposite('(,"")')).toEqual([null, ''])
    expect(parseComposite('("a""b","c\\\\d")')).toEqual(['a"b', 'c\\d'])
    expect(parseComposite('()')).toEqual([null])
    expect(parseComposite('("(1,2)",x)')).toEqual(['(1,2)', 'x'])
  })

  it('rejects malformed input', () => {
    expect(() => parseComposite('1,2')).toThrow(SyntaxError)
    expect(() => parseComposite('("abc)')).toThrow(SyntaxError)
  })

  it('property: reads back what record_out prints', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string(), { nil: null }), { minLength: 1, maxLength: 8 }), (fields) => {
        expect(parseComposite(recordOut(fields))).toEqual(fields)
      }),
    )
  })
})
