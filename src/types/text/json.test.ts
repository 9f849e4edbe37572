/**
 * The JS json reader gives exactly what JSON.parse gives, for documents as
 * jsonb prints them (", " and ": "), as json keeps them (any whitespace), and
 * for what it leaves to JSON.parse (escapes, `__proto__`, deep nesting,
 * non-ASCII), reading only its range of a larger frame.
 */
import fc from 'fast-check'
import { describe, expect, test, vi } from 'vitest'
import { Oid } from '../oids.js'
import { TypeRegistry } from '../registry.js'
import { sameValue } from '../testing/same-value.js'
import { parseJsonBytes } from './json.js'

const utf8 = new TextEncoder()

function expectSame(text: string, parsed: unknown): void {
  expect(sameValue(parsed, JSON.parse(text)), text).toBe(true)
}

/** jsonb_out's layout: `{"a": 1, "b": [1, 2]}`. */
function jsonbText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(jsonbText).join(', ')}]`
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${jsonbText(x)}`).join(', ')}}`
  return JSON.stringify(v)
}

/** Number spellings JSON allows (and jsonb prints: numeric_out digits, never exponents). */
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat({ max: 25 })).map(([m, s]) => {
    const d = (m < 0n ? -m : m).toString().padStart(s + 1, '0')
    return `${m < 0n ? '-' : ''}${d.slice(0, d.length - s)}${s ? '.' + d.slice(d.length - s) : ''}`
  }),
  fc.constantFrom('-0', '0', '0.0', '-0.0', '1E5', '1e-7', '2.5E+3', '123456789012345', '1234567890123456', '-9007199254740993', '1e400', '-1e400', '1e-400'),
)

/** A document as text: values from fc.jsonValue and odd numbers, laid out three ways. */
const documents = fc
  .tuple(
    fc.jsonValue({ maxDepth: 4 }),
    fc.array(numberText, { maxLength: 4 }),
    fc.constantFrom('jsonb', 'compact', 'indented'),
    fc.constantFrom('__proto__', 'constructor', 'toString', '1', 'é', 'a"b', 'tab\there', 'key'),
  )
  .map(([value, numbers, layout, key]) => {
    const body = layout === 'jsonb' ? jsonbText(value) : layout === 'compact' ? JSON.stringify(value) : JSON.stringify(value, null, '\t ')
    return `{ ${JSON.stringify(key)} : [ ${numbers.join(' ,\n')} ] ,\r"v":${body}}`
  })

const plain = fc.oneof(fc.json({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 3 }).map(jsonbText), numberText, fc.string({ unit: 'binary', maxLength: 30 }).map((s) => JSON.stringify(s)))

describe('parseJsonBytes', () => {
  test('equals JSON.parse on generated documents', () => {
    fc.assert(
      fc.property(fc.oneof(documents, plain), (text) => {
        expectSame(text, parseJsonBytes(utf8.encode(text), 0, utf8.encode(text).length))
      }),
      { numRuns: 3000 },
    )
  })

  test('reads only its range of a frame', () => {
    const junk = fc.uint8Array({ maxLength: 6 }).map((b) => [...b, ...utf8.encode('}]1e"')])
    fc.assert(
      fc.property(plain, junk, junk, (text, before, after) => {
        const value = utf8.encode(text)
        const frame = new Uint8Array([...before, ...value, ...after])
        expectSame(text, parseJsonBytes(frame, before.length, before.length + value.length))
      }),
    )
  })

  test('what the fast reader leaves to JSON.parse comes out the same', () => {
    const cases = [
      '{"__proto__": {"x": 1}}',
      '{"a": "line\\nbreak \\u00e9 \\ud83d\\ude00 \\"q\\""}',
      '"\\ud800"',
      '{"é": "ünï ☃ 😀", "k": ["日本", 1]}',
      '[' .repeat(200) + ']'.repeat(200),
      '{"a": {"a": {"a": {"a": 1}}}}',
      '  [1, 2 , 3 ]  ',
      '{"dup": 1, "x": 2, "dup": 3}',
      '[{"abc": 1, "axc": 2, "a": 0}, {"axc": 3, "abc": 4, "a": 5}, {"abc": 6}]',
      '{"1": 1, "0": 0, "b": 2, "a": 1}',
      '[-0, 0, 1.0, 1e2, 1E-2, 123456789012345678901234567890]',
      '{}', '[]', '""', 'true', 'false', 'null',
    ]
    for (const text of cases) {
      const parsed = parseJsonBytes(utf8.encode(text), 0, utf8.encode(text).length)
      expectSame(text, parsed)
      if (text.startsWith('{"__proto__"')) expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype)
    }
  })

  test('keys Object.prototype has become own data properties, as JSON.parse makes them, also past an accessor there', () => {
    const text = '{"id": 7, "constructor": "x", "toString": 1}'
    const bytes = utf8.encode(text)
    let setterCalls = 0
    Object.defineProperty(Object.prototype, 'id', { configurable: true, set: () => void setterCalls++, get: () => undefined })
    try {
      const parsed = parseJsonBytes(bytes, 0, bytes.length) as Record<string, unknown>
      expect(Object.getOwnPropertyDescriptor(parsed, 'id')).toMatchObject({ value: 7, writable: true })
      expect(Object.keys(parsed)).toEqual(['id', 'constructor', 'toString'])
      expect(setterCalls).toBe(0)
    } finally {
      delete (Object.prototype as Record<string, unknown>).id
    }
  })

  test('invalid JSON throws the SyntaxError JSON.parse throws', () => {
    for (const text of ['', '{', '[1,]', '{"a" 1}', '01', '-', '1.', '1e', 'tru', 'nul', '"a', '{"a": 1}x', '+1', '.5', '"\u0001"']) {
      expect(() => parseJsonBytes(utf8.encode(text), 0, utf8.encode(text).length), text).toThrow(SyntaxError)
    }
  })

  test('the common shapes never reach JSON.parse', () => {
    const spy = vi.spyOn(JSON, 'parse')
    try {
      const text = '{"id": 1, "tags": ["a", "é", true, false, null], "n": {"x": -1.5e3, "y": 0}, "long": "a string longer than thirteen"}'
      expect(parseJsonBytes(utf8.encode(text), 0, utf8.encode(text).length)).toEqual({ id: 1, tags: ['a', 'é', true, false, null], n: { x: -1500, y: 0 }, long: 'a string longer than thirteen' })
      expect(spy).not.toHaveBeenCalled()
    } finally {
      spy.mockRestore()
    }
  })

  test('json and jsonb columns use it in text format', () => {
    const types = new TypeRegistry()
    const text = '{"id": 7, "name": "row 7", "tags": ["a", "é"]}'
    for (const oid of [Oid.json, Oid.jsonb]) expectSame(text, types.decode(oid, 0, utf8.encode(text)))
    expect(types.decode(Oid._jsonb, 0, utf8.encode('{"{\\"a\\": 1}",NULL}'))).toStrictEqual([{ a: 1 }, null])
  })
})
