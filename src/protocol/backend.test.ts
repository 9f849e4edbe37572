import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../errors.js'
import { decodeBackendMessage } from './backend/index.js'
import type { BackendMessage } from './messages.js'
import { backendMessage } from './testing/arbitraries.js'
import { hex, i16, i32, msg, str, utf8 } from './testing/bytes.js'
import { dataRowValues } from './backend/rows.js'
import { comparable, dataRow, encodeBackendMessage } from './testing/encode-backend.js'

/** Decode one complete frame (type byte + length + body) and check its length field. */
function decodeFrame(frame: Uint8Array): BackendMessage {
  const length = new DataView(frame.buffer, frame.byteOffset).getInt32(1)
  expect(length).toBe(frame.length - 1)
  return decodeBackendMessage(frame[0], frame.subarray(5))
}

const bytes = (...b: number[]) => new Uint8Array(b)

/** [hand-built spec bytes, message] for every backend message type. */
const FIXTURES: [string, Uint8Array, BackendMessage][] = [
  ['AuthenticationOk', hex('52 00000008 00000000'), { type: 'AuthenticationOk' }],
  ['AuthenticationKerberosV5', msg('R', i32(2)), { type: 'AuthenticationKerberosV5' }],
  ['AuthenticationCleartextPassword', hex('52 00000008 00000003'), { type: 'AuthenticationCleartextPassword' }],
  ['AuthenticationMD5Password', hex('52 0000000c 00000005 01020304'), { type: 'AuthenticationMD5Password', salt: bytes(1, 2, 3, 4) }],
  ['AuthenticationGSS', msg('R', i32(7)), { type: 'AuthenticationGSS' }],
  ['AuthenticationGSSContinue', msg('R', i32(8), [9, 9]), { type: 'AuthenticationGSSContinue', data: bytes(9, 9) }],
  ['AuthenticationSSPI', msg('R', i32(9)), { type: 'AuthenticationSSPI' }],
  [
    'AuthenticationSASL',
    hex('52 0000002a 0000000a 534352414d2d5348412d3235362d504c555300 534352414d2d5348412d32353600 00'),
    { type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] },
  ],
  ['AuthenticationSASLContinue', msg('R', i32(11), utf8('r=abc')), { type: 'AuthenticationSASLContinue', data: new Uint8Array(utf8('r=abc')) }],
  ['AuthenticationSASLFinal', msg('R', i32(12), utf8('v=xyz')), { type: 'AuthenticationSASLFinal', data: new Uint8Array(utf8('v=xyz')) }],
  ['ParameterStatus', msg('S', str('TimeZone'), str('UTC')), { type: 'ParameterStatus', name: 'TimeZone', value: 'UTC' }],
  ['BackendKeyData', hex('4b 0000000c 000004d2 fffffffe'), { type: 'BackendKeyData', processId: 1234, secretKey: hex('fffffffe') }],
  [
    'NegotiateProtocolVersion',
    msg('v', i32(0), i32(2), str('_pq_.a'), str('_pq_.b')),
    { type: 'NegotiateProtocolVersion', newestMinorVersion: 0, unrecognizedOptions: ['_pq_.a', '_pq_.b'] },
  ],
  [
    'RowDescription',
    hex('54 0000001a 0001 7800 00004000 0002 00000017 0004 ffffffff 0000'),
    {
      type: 'RowDescription',
      fields: [{ name: 'x', tableOid: 16384, columnAttr: 2, dataTypeOid: 23, dataTypeSize: 4, dataTypeModifier: -1, format: 0 }],
    },
  ],
  ['DataRow', hex('44 0000000f 0002 00000001 31 ffffffff'), dataRow([bytes(0x31), null])],
  ['DataRow (empty value, no columns)', msg('D', i16(1), i32(0)), dataRow([new Uint8Array(0)])],
  ['CommandComplete', hex('43 0000000d 53454c4543542031 00'), { type: 'CommandComplete', tag: 'SELECT 1' }],
  ['EmptyQueryResponse', hex('49 00000004'), { type: 'EmptyQueryResponse' }],
  ['ReadyForQuery I', hex('5a 00000005 49'), { type: 'ReadyForQuery', status: 'I' }],
  ['ReadyForQuery T', hex('5a 00000005 54'), { type: 'ReadyForQuery', status: 'T' }],
  ['ReadyForQuery E', hex('5a 00000005 45'), { type: 'ReadyForQuery', status: 'E' }],
  ['ParseComplete', hex('31 00000004'), { type: 'ParseComplete' }],
  ['BindComplete', hex('32 00000004'), { type: 'BindComplete' }],
  ['CloseComplete', hex('33 00000004'), { type: 'CloseComplete' }],
  ['NoData', hex('6e 00000004'), { type: 'NoData' }],
  ['ParameterDescription', hex('74 0000000e 0002 00000017 ffffffff'), { type: 'ParameterDescription', dataTypeOids: [23, 0xffffffff] }],
  ['PortalSuspended', hex('73 00000004'), { type: 'PortalSuspended' }],
  ['CopyInResponse', hex('47 0000000b 00 0002 0000 0000'), { type: 'CopyInResponse', format: 0, columnFormats: [0, 0] }],
  ['CopyOutResponse', msg('H', [1], i16(1), i16(1)), { type: 'CopyOutResponse', format: 1, columnFormats: [1] }],
  ['CopyBothResponse', msg('W', [0], i16(0)), { type: 'CopyBothResponse', format: 0, columnFormats: [] }],
  ['CopyData', hex('64 00000006 610a'), { type: 'CopyData', data: bytes(0x61, 0x0a) }],
  ['CopyDone', hex('63 00000004'), { type: 'CopyDone' }],
  [
    'NotificationResponse',
    msg('A', i32(77), str('chan'), str('hi')),
    { type: 'NotificationResponse', processId: 77, channel: 'chan', payload: 'hi' },
  ],
  [
    'ErrorResponse',
    msg('E', [0x53], str('ERROR'), [0x56], str('ERROR'), [0x43], str('42601'), [0x4d], str('syntax error'), [0x50], str('15'), [0]),
    {
      type: 'ErrorResponse',
      fields: { severity: 'ERROR', severityNonLocalized: 'ERROR', code: '42601', message: 'syntax error', position: 15 },
    },
  ],
  [
    'NoticeResponse',
    msg('N', [0x53], str('NOTICE'), [0x43], str('00000'), [0x4d], str('héllo'), [0]),
    { type: 'NoticeResponse', fields: { severity: 'NOTICE', code: '00000', message: 'héllo' } },
  ],
]

describe('backend byte fixtures (protocol docs 55.7)', () => {
  it.each(FIXTURES)('%s decodes from spec bytes and encodes back to them', (_name, frame, message) => {
    expect(comparable(decodeFrame(frame))).toEqual(comparable(message))
    expect(encodeBackendMessage(message)).toEqual(frame)
  })

  it('covers every backend message type', () => {
    const types = new Set(FIXTURES.map(([, , m]) => m.type))
    expect(types.size).toBe(32)
  })

  it('maps every error field letter of 55.8', () => {
    const letters = 'S V C M D H P p q W s t c d n F L R'.split(' ')
    const value = (l: string, i: number) => (l === 'P' || l === 'p' ? String(i) : l === 'C' ? '22012' : `v${l}`)
    const body = letters.flatMap((l, i) => [l.charCodeAt(0), ...str(value(l, i))])
    const decoded = decodeFrame(msg('E', body, [0x5a], str('unknown field is ignored'), [0]))
    expect(decoded).toEqual({
      type: 'ErrorResponse',
      fields: {
        severity: 'vS',
        severityNonLocalized: 'vV',
        code: '22012',
        message: 'vM',
        detail: 'vD',
        hint: 'vH',
        position: 6,
        internalPosition: 7,
        internalQuery: 'vq',
        where: 'vW',
        schema: 'vs',
        table: 'vt',
        column: 'vc',
        dataType: 'vd',
        constraint: 'vn',
        file: 'vF',
        line: 'vL',
        routine: 'vR',
      },
    })
  })

  it('DataRow keeps the range of its frame, not a copy', () => {
    const frame = hex('44 0000000f 0002 00000001 31 ffffffff')
    const row = decodeFrame(frame) as Extract<BackendMessage, { type: 'DataRow' }>
    expect(row.bytes.buffer).toBe(frame.buffer)
    expect(dataRowValues(row)[0]!.buffer).toBe(frame.buffer)
    expect(dataRowValues(row)[0]!.byteOffset).toBe(11)
    expect(dataRowValues(row)[1]).toBeNull()
  })
})

describe('malformed bodies are ProtocolErrors that say what was expected and found', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated Int32', msg('R', [0, 0]), /expected authentication code \(4 bytes\) at body offset 0, found 2/],
    ['unknown auth code', msg('R', i32(6)), /expected a known authentication code.*found 6/],
    ['short MD5 salt', msg('R', i32(5), [1, 2, 3]), /MD5 salt \(4 bytes\).*found 3/],
    ['extra bytes', msg('R', i32(0), [1]), /expected end of message, found 1 extra byte/],
    ['missing NUL', msg('S', str('a'), utf8('b')), /expected NUL-terminated parameter value, found 1 bytes without a NUL/],
    ['SASL list without terminator', msg('R', i32(10), str('SCRAM-SHA-256')), /NUL-terminated SASL mechanism name/],
    ['bad ReadyForQuery status', msg('Z', [0x58]), /expected transaction status 'I', 'T' or 'E', found byte 0x58/],
    ['ReadyForQuery without status', msg('Z'), /expected a 1-byte body, found 0 bytes/],
    ['body on an empty message', msg('1', [0]), /ParseComplete.*expected an empty body, found 1 bytes/],
    ['DataRow count overruns body', msg('D', i16(3), i32(-1)), /column count 3 needs at least 12 bytes, found 4/],
    ['DataRow value overruns body', msg('D', i16(1), i32(5), [1, 2]), /column 0 declares 5 bytes, 2 remain/],
    ['DataRow negative length', msg('D', i16(1), i32(-2)), /column 0 declares -2 bytes/],
    ['DataRow trailing bytes', msg('D', i16(0), [7]), /expected end of message, found 1 extra bytes/],
    ['DataRow without count', msg('D', [0]), /expected column count \(2 bytes\), found 1/],
    ['RowDescription count overruns body', msg('T', i16(2), str('x'), i32(0), i16(0), i32(0), i16(0), i32(0), i16(0)), /field count 2 needs at least 38 bytes, found 20/],
    ['ParameterDescription count overruns', msg('t', i16(2), i32(23)), /parameter count 2 needs at least 8 bytes, found 4/],
    ['NegotiateProtocolVersion negative count', msg('v', i32(0), i32(-1)), /non-negative option count, found -1/],
    ['Copy format out of range', msg('G', [2], i16(0)), /overall format 0 or 1, found 2/],
    ['error fields without terminator', msg('E', [0x53], str('ERROR')), /field type or terminator/],
    ['error position not a number', msg('E', [0x50], str('x1'), [0]), /decimal number in field 'P', found "x1"/],
  ]
  it.each(cases)('%s', (_name, frame, pattern) => {
    let thrown: unknown
    try {
      decodeFrame(frame)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ProtocolError)
    expect((thrown as Error).message).toMatch(pattern)
  })

  it('an unknown type byte is named in the error', () => {
    expect(() => decodeBackendMessage(0x78, new Uint8Array(0))).toThrow(/unknown backend message type 'x' \(0x78\)/)
    expect(() => decodeBackendMessage(0x01, new Uint8Array(0))).toThrow(/unknown backend message type 0x01/)
  })
})

describe('SQLSTATE (field C) is always a well-formed code', () => {
  type Fields = Extract<BackendMessage, { type: 'ErrorResponse' }>['fields']
  /** Decode an ErrorResponse (or NoticeResponse) with severity ERROR, message `text` and the given C values. */
  const decodeWith = (text: string, codes: string[], type: 'E' | 'N' = 'E'): Fields => {
    const c = codes.flatMap((code) => [0x43, ...str(code)])
    const decoded = decodeFrame(msg(type, [0x53], str('ERROR'), c, [0x4d], str(text), [0])) as Extract<BackendMessage, { type: 'ErrorResponse' | 'NoticeResponse' }>
    return decoded.fields
  }

  it('keeps a valid code as sent', () => {
    expect(decodeWith('boom', ['22012'])).toMatchObject({ code: '22012', message: 'boom' })
    expect(decodeWith('boom', ['P0001'])).toMatchObject({ code: 'P0001', message: 'boom' })
  })

  it('a missing C becomes XX000 and the message says so', () => {
    expect(decodeWith('boom', [])).toMatchObject({ code: 'XX000', message: 'boom (server sent no SQLSTATE)' })
    expect(decodeWith('', [])).toMatchObject({ code: 'XX000', message: '(server sent no SQLSTATE)' })
    expect(decodeWith('boom', [], 'N')).toMatchObject({ code: 'XX000', message: 'boom (server sent no SQLSTATE)' })
  })

  it.each([
    ['empty', '', '""'],
    ['too short', '2201', '"2201"'],
    ['too long', '220123', '"220123"'],
    ['lower case', '22p01', '"22p01"'],
    ['punctuation', '22-01', '"22-01"'],
    ['a quote and a control character', 'a"\u0001bc', '"a\\"\\u0001bc"'],
    ['non-ASCII', 'ÄÖÜ12', '"ÄÖÜ12"'],
  ])('a malformed C (%s) becomes XX000, the raw value JSON-quoted in the message', (_name, raw, shown) => {
    expect(decodeWith('boom', [raw])).toMatchObject({ code: 'XX000', message: `boom (server sent no valid SQLSTATE: ${shown})` })
  })

  it('shows at most 32 characters of a long malformed code', () => {
    const raw = `${'x'.repeat(32)}SECRET-TAIL`
    const fields = decodeWith('boom', [raw], 'N')
    expect(fields.code).toBe('XX000')
    expect(fields.message).toBe(`boom (server sent no valid SQLSTATE: "${'x'.repeat(32)}…")`)
  })

  it('the last C wins, as for every other field', () => {
    expect(decodeWith('boom', ['bad', '42601'])).toMatchObject({ code: '42601', message: 'boom' })
    expect(decodeWith('boom', ['42601', 'bad'])).toMatchObject({ code: 'XX000', message: 'boom (server sent no valid SQLSTATE: "bad")' })
  })
})

describe('backend encode → decode is identity (property)', () => {
  it('for arbitrary messages', () => {
    fc.assert(
      fc.property(backendMessage, (message) => {
        expect(comparable(decodeFrame(encodeBackendMessage(message)))).toEqual(comparable(message))
      }),
      { numRuns: 2000 },
    )
  })
})
