import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  COPY_DONE,
  FLUSH,
  GSSENC_REQUEST,
  SSL_REQUEST,
  SYNC,
  TERMINATE,
  encodeBind,
  encodeCancelRequest,
  encodeClose,
  encodeCopyData,
  encodeCopyFail,
  encodeDescribe,
  encodeExecute,
  encodeExtendedQuery,
  encodeParse,
  encodePassword,
  encodeQuery,
  encodeSASLInitialResponse,
  encodeSASLResponse,
  encodeStartup,
} from './frontend/index.js'
import type { FormatCode } from './messages.js'
import { protocolString } from './testing/arbitraries.js'
import { hex, i16, i32, msg, packet, str, utf8 } from './testing/bytes.js'
import { decodeFrontendMessage, decodeFrontendMessages } from './testing/decode-frontend.js'
import { Writer } from './writer.js'

describe('frontend byte fixtures (protocol docs 55.7)', () => {
  it('SSLRequest and GSSENCRequest are 8-byte packets with codes 80877103 / 80877104', () => {
    expect(SSL_REQUEST).toEqual(hex('00000008 04d2162f'))
    expect(GSSENC_REQUEST).toEqual(hex('00000008 04d21630'))
  })

  it('CancelRequest is 16 bytes with a 3.0 key: length, 80877102, process id, secret key', () => {
    expect(encodeCancelRequest(1234, hex('fffffffb'))).toEqual(hex('00000010 04d2162e 000004d2 fffffffb'))
  })

  it('CancelRequest carries a protocol 3.2 key whole (PostgreSQL 18 sends 32 bytes)', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
    const packet = encodeCancelRequest(7, key)
    expect(packet.length).toBe(12 + 32)
    expect(packet.subarray(0, 12)).toEqual(hex('0000002c 04d2162e 00000007'))
    expect(packet.subarray(12)).toEqual(key)
  })

  it('StartupMessage: length, version 3.0, name/value pairs, final NUL; undefined values skipped', () => {
    const bytes = encodeStartup({ user: 'u', database: 'd', application_name: undefined })
    expect(bytes).toEqual(hex('0000001b 00030000 7573657200 7500 6461746162617365 00 6400 00'))
    expect(encodeStartup({}, 196610)).toEqual(packet(i32(196610), [0]))
  })

  it('Sync, Flush, Terminate and CopyDone are bare 5-byte frames', () => {
    expect(SYNC).toEqual(hex('53 00000004'))
    expect(FLUSH).toEqual(hex('48 00000004'))
    expect(TERMINATE).toEqual(hex('58 00000004'))
    expect(COPY_DONE).toEqual(hex('63 00000004'))
  })

  it('Query', () => {
    expect(encodeQuery('select 1')).toEqual(hex('51 0000000d 73656c6563742031 00'))
  })

  it('PasswordMessage, SASLInitialResponse, SASLResponse', () => {
    expect(encodePassword('pw')).toEqual(hex('70 00000007 7077 00'))
    const first = new TextEncoder().encode('n,,n=,r=abc')
    expect(encodeSASLInitialResponse('SCRAM-SHA-256', first)).toEqual(
      msg('p', str('SCRAM-SHA-256'), i32(first.length), [...first]),
    )
    expect(encodeSASLResponse(new Uint8Array([1, 2, 3]))).toEqual(hex('70 00000007 010203'))
  })

  it('Parse with parameter type OIDs, including one above 2^31', () => {
    expect(encodeParse('s1', 'select $1', [23])).toEqual(hex('50 00000017 733100 73656c65637420243100 0001 00000017'))
    expect(encodeParse('', 'x', [0xffffffff])).toEqual(msg('P', str(''), str('x'), i16(1), i32(-1)))
    expect(encodeParse('', 'x')).toEqual(msg('P', str(''), str('x'), i16(0)))
  })

  it('Bind: text and byte values, NULL as length -1, format codes', () => {
    expect(encodeBind({ statement: 's1', params: ['42', null], resultFormats: [1] })).toEqual(
      hex('42 0000001a 00 733100 0000 0002 00000002 3432 ffffffff 0001 0001'),
    )
    expect(
      encodeBind({ portal: 'p', statement: '', paramFormats: [1, 0], params: [new Uint8Array([0, 0, 0, 7]), 'é'] }),
    ).toEqual(msg('B', str('p'), str(''), i16(2), i16(1), i16(0), i16(2), i32(4), [0, 0, 0, 7], i32(2), utf8('é'), i16(0)))
  })

  it('Describe, Execute, Close', () => {
    expect(encodeDescribe('P', '')).toEqual(hex('44 00000006 50 00'))
    expect(encodeDescribe('S', 'st')).toEqual(msg('D', [0x53], str('st')))
    expect(encodeExecute('', 0)).toEqual(hex('45 00000009 00 00000000'))
    expect(encodeExecute('p', 100)).toEqual(msg('E', str('p'), i32(100)))
    expect(encodeClose('S', 's1')).toEqual(hex('43 00000008 53 733100'))
  })

  it('CopyData and CopyFail', () => {
    expect(encodeCopyData(new Uint8Array([0x61, 0x0a]))).toEqual(hex('64 00000006 610a'))
    expect(encodeCopyFail('stop')).toEqual(hex('66 00000009 73746f70 00'))
  })

  it('encodeExtendedQuery appends Parse + Bind + Describe + Execute + Sync into one buffer', () => {
    const w = new Writer()
    encodeExtendedQuery(w, {
      statement: 's1',
      sql: 'select $1',
      paramOids: [23],
      bind: { params: ['1'] },
      describe: true,
      maxRows: 0,
    })
    const bytes = w.finish()
    const expected = [
      encodeParse('s1', 'select $1', [23]),
      encodeBind({ statement: 's1', params: ['1'] }),
      encodeDescribe('P', ''),
      encodeExecute('', 0),
      SYNC,
    ]
    expect(bytes).toEqual(new Uint8Array(expected.flatMap((b) => [...b])))
  })

  it('encodeExtendedQuery without sql or describe sends Bind + Execute + Sync, and pipelines', () => {
    const w = new Writer()
    encodeExtendedQuery(w, { statement: 'a', bind: { portal: 'p', params: [] }, describe: false, maxRows: 10 })
    encodeExtendedQuery(w, { statement: 'b', bind: { params: [null] }, describe: false, maxRows: 0 })
    expect(decodeFrontendMessages(w.finish()).map((m) => m.type)).toEqual([
      'Bind',
      'Execute',
      'Sync',
      'Bind',
      'Execute',
      'Sync',
    ])
  })

  it('refuses NUL in names and SQL, and counts above 65535', () => {
    expect(() => encodeQuery('select 1\0; drop table t')).toThrow(TypeError)
    expect(() => encodeParse('a\0', 'x', [])).toThrow(TypeError)
    expect(() => encodeBind({ params: new Array(65536).fill(null) })).toThrow(RangeError)
    expect(() => encodeBind({ params: new Array(65535).fill(null) })).not.toThrow()
  })
})

describe('frontend encode → decode round trips', () => {
  const s = protocolString()
  const format = fc.constantFrom<FormatCode>(0, 1)
  const param = fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }))
  const utf8Bytes = (v: Uint8Array | string | null) => (typeof v === 'string' ? new TextEncoder().encode(v) : v)

  it('StartupMessage, CancelRequest', () => {
    fc.assert(
      fc.property(fc.dictionary(s.filter((k) => k !== ''), s), fc.integer({ min: 0, max: 0x7fffffff }), (params, version) => {
        fc.pre((version >>> 16) !== 1234) // 1234.x are request codes, not versions
        expect(decodeFrontendMessage(encodeStartup(params, version))).toEqual({ type: 'StartupMessage', version, params })
      }),
    )
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.uint8Array({ minLength: 4, maxLength: 256 }), (processId, secretKey) => {
        expect(decodeFrontendMessage(encodeCancelRequest(processId, secretKey))).toEqual({ type: 'CancelRequest', processId, secretKey })
      }),
    )
    expect(decodeFrontendMessage(SSL_REQUEST)).toEqual({ type: 'SSLRequest' })
    expect(decodeFrontendMessage(GSSENC_REQUEST)).toEqual({ type: 'GSSENCRequest' })
  })

  it('authentication replies', () => {
    fc.assert(
      fc.property(s, s.filter((m) => m !== ''), fc.uint8Array(), (password, mechanism, data) => {
        expect(decodeFrontendMessage(encodePassword(password))).toEqual({ type: 'PasswordMessage', password })
        expect(decodeFrontendMessage(encodeSASLInitialResponse(mechanism, data), { passwordKind: 'sasl-initial' })).toEqual({
          type: 'SASLInitialResponse',
          mechanism,
          data,
        })
        expect(decodeFrontendMessage(encodeSASLResponse(data), { passwordKind: 'sasl' })).toEqual({ type: 'SASLResponse', data })
      }),
    )
  })

  it('Query, Parse, Describe, Execute, Close, Copy*', () => {
    const kind = fc.constantFrom<'S' | 'P'>('S', 'P')
    fc.assert(
      fc.property(s, s, fc.array(fc.integer({ min: 0, max: 0xffffffff })), kind, fc.integer({ min: 0, max: 0x7fffffff }), fc.uint8Array(), (name, sql, oids, k, maxRows, data) => {
        expect(decodeFrontendMessage(encodeQuery(sql))).toEqual({ type: 'Query', sql })
        expect(decodeFrontendMessage(encodeParse(name, sql, oids))).toEqual({ type: 'Parse', name, sql, paramOids: oids })
        expect(decodeFrontendMessage(encodeDescribe(k, name))).toEqual({ type: 'Describe', kind: k, name })
        expect(decodeFrontendMessage(encodeExecute(name, maxRows))).toEqual({ type: 'Execute', portal: name, maxRows })
        expect(decodeFrontendMessage(encodeClose(k, name))).toEqual({ type: 'Close', kind: k, name })
        expect(decodeFrontendMessage(encodeCopyData(data))).toEqual({ type: 'CopyData', data })
        expect(decodeFrontendMessage(encodeCopyFail(sql))).toEqual({ type: 'CopyFail', message: sql })
      }),
    )
    for (const [bytes, type] of [[SYNC, 'Sync'], [FLUSH, 'Flush'], [TERMINATE, 'Terminate'], [COPY_DONE, 'CopyDone']] as const) {
      expect(decodeFrontendMessage(bytes)).toEqual({ type })
    }
  })

  it('Bind', () => {
    fc.assert(
      fc.property(s, s, fc.array(format), fc.array(param), fc.array(format), (portal, statement, paramFormats, params, resultFormats) => {
        expect(decodeFrontendMessage(encodeBind({ portal, statement, paramFormats, params, resultFormats }))).toEqual({
          type: 'Bind',
          portal,
          statement,
          paramFormats,
          params: params.map(utf8Bytes),
          resultFormats,
        })
      }),
    )
  })
})
