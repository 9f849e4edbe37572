import pgReal from 'pg'
import { describe, expect, test } from 'vitest'
import { escapeIdentifier, escapeLiteral } from './escape.js'
import { PgTypes, types } from './pg-types.js'

/** Samples as the server prints them, by type OID. */
const SAMPLES: [number, string][] = [
  [20, '9007199254740993'],
  [20, '-42'],
  [21, '-12'],
  [23, '2147483647'],
  [26, '4294967295'],
  [700, '1.5'],
  [701, '-Infinity'],
  [701, 'NaN'],
  [1700, '12345678901234567890.123'],
  [16, 't'],
  [16, 'f'],
  [1082, '2024-02-29'],
  [1082, '0044-03-15 BC'],
  [1082, '0099-01-01'],
  [1082, 'infinity'],
  [1114, '2024-02-29 13:45:06.789'],
  [1114, '2024-02-29 13:45:06'],
  [1114, '-infinity'],
  [1184, '2024-02-29 13:45:06.789123+05:30'],
  [1184, '1999-12-31 23:59:59-08'],
  [1184, '0010-06-01 00:00:00+00'],
  [114, '{"a":[1,2,{"b":null}]}'],
  [3802, '[1, "x"]'],
  [600, '(1.5,-2)'],
  [718, '<(1,2),3>'],
  [1000, '{t,f,NULL}'],
  [1005, '{1,2,NULL}'],
  [1007, '{{1,2},{3,4}}'],
  [1016, '{9007199254740993,-1}'],
  [1021, '{1.5,NaN}'],
  [1022, '{1.5,-0}'],
  [1231, '{1.25,2}'],
  [1009, '{a,"b c","d\\"e",NULL}'],
  [1015, '{x,y}'],
  [2951, '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'],
  [1182, '{2024-02-29,NULL}'],
  [1115, '{"2024-02-29 13:45:06"}'],
  [1185, '{"2024-02-29 13:45:06+00"}'],
  [199, '{"{\\"a\\":1}"}'],
  [3807, '{"[1]"}'],
  [25, 'text'],
  [2950, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  [1186, '1 year 2 mons 3 days 04:05:06.5'],
  [1186, '-1 days +02:03:00'],
  [1186, '00:00:00'],
  [999999, 'unknown type'],
]

describe('pgfleet/pg types match pg 8 defaults', () => {
  test.each(SAMPLES)('oid %i %s', (oid, text) => {
    const ours = types.getTypeParser(oid)(text)
    const theirs = pgReal.types.getTypeParser(oid, 'text')(text)
    if (oid === 1186) {
      // postgres-interval returns a class instance; compare its fields.
      expect({ ...(ours as object) }).toEqual({ ...(theirs as object) })
      expect((ours as { toPostgres(): string }).toPostgres()).toBe((theirs as { toPostgres(): string }).toPostgres())
    } else expect(ours).toEqual(theirs)
  })

  test('bytea: the same bytes as pg (a Uint8Array where pg gives a Buffer)', () => {
    for (const text of ['\\x00ff10', 'a\\\\b\\001']) {
      const ours = types.getTypeParser(17)(text) as Uint8Array
      expect(ours).toBeInstanceOf(Uint8Array)
      expect([...ours]).toEqual([...(pgReal.types.getTypeParser(17, 'text')(text) as Uint8Array)])
    }
  })

  test('setTypeParser with and without format; overrides layer over a base', () => {
    const t = new PgTypes()
    t.setTypeParser(20, (v) => BigInt(v))
    t.setTypeParser(1700, 'text', parseFloat)
    t.setTypeParser(1700, 'binary', () => 'bin')
    expect(t.getTypeParser(20)('12')).toBe(12n)
    expect(t.getTypeParser(1700, 'text')('1.5')).toBe(1.5)
    expect(t.getTypeParser(1700, 'binary')('x')).toBe('bin')
    const layered = new PgTypes(t)
    layered.setTypeParser(23, () => 'mine')
    expect(layered.getTypeParser(23)('1')).toBe('mine')
    expect(layered.getTypeParser(20)('3')).toBe(3n)
    expect(() => t.setTypeParser(1, 'text')).toThrow(TypeError)
    // the global table is untouched
    expect(types.getTypeParser(20)('12')).toBe('12')
  })

  test('getTypeParser / setTypeParser work detached, as pg-types functions do', () => {
    const { getTypeParser } = types
    expect(getTypeParser(20)('12')).toBe((pgReal.types.getTypeParser)(20)('12'))
    const { setTypeParser, getTypeParser: get } = new PgTypes()
    setTypeParser(23, () => 'detached')
    expect(get(23)('1')).toBe('detached')
  })

  test('builtins names match pg', () => {
    for (const [name, oid] of Object.entries(types.builtins)) expect(oid).toBe((pgReal.types.builtins as Record<string, number>)[name])
  })
})

describe('escapeIdentifier / escapeLiteral match pg', () => {
  const client = new pgReal.Client()
  test.each(['plain', 'with"quote', 'back\\slash', "it's", 'ünï\u{1F600}', '', "mix'\\\"ed"])('%j', (s) => {
    expect(escapeIdentifier(s)).toBe(client.escapeIdentifier(s))
    expect(escapeLiteral(s)).toBe(client.escapeLiteral(s))
  })
})
