/** Test-only fast-check arbitraries for backend messages. */
import fc from 'fast-check'
import type { ServerErrorFields } from '../../errors.js'
import type { BackendMessage, FieldDescription } from '../messages.js'
import { dataRow } from './encode-backend.js'

/** A protocol String: any Unicode text without NUL (it would end the String). */
export const protocolString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', maxLength }).map((s) => s.replaceAll('\0', ''))

const int16 = fc.integer({ min: -32768, max: 32767 })
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff })
const oid = fc.integer({ min: 0, max: 0xffffffff })
const bytes = (maxLength = 64): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength })

const fieldDescription: fc.Arbitrary<FieldDescription> = fc.record({
  name: protocolString(),
  tableOid: oid,
  columnAttr: int16,
  dataTypeOid: oid,
  dataTypeSize: int16,
  dataTypeModifier: int32,
  format: fc.constantFrom(0, 1), // the only format codes there are (anything else is malformed)
})

const position = fc.integer({ min: 0, max: 1_000_000_000 })

export const serverErrorFields: fc.Arbitrary<ServerErrorFields> = fc.record(
  {
    severity: protocolString(10),
    severityNonLocalized: protocolString(10),
    // The decoder turns anything but a well-formed SQLSTATE into XX000 (backend/errors.ts).
    code: fc.stringMatching(/^[0-9A-Z]{5}$/),
    message: protocolString(),
    detail: protocolString(),
    hint: protocolString(),
    position,
    internalPosition: position,
    internalQuery: protocolString(),
    where: protocolString(),
    schema: protocolString(),
    table: protocolString(),
    column: protocolString(),
    dataType: protocolString(),
    constraint: protocolString(),
    file: protocolString(),
    line: protocolString(6),
    routine: protocolString(),
  },
  { requiredKeys: ['severity', 'code', 'message'] },
)

const copyResponse = (type: 'CopyInResponse' | 'CopyOutResponse' | 'CopyBothResponse') =>
  fc.record({ type: fc.constant(type), format: fc.constantFrom(0, 1), columnFormats: fc.array(int16, { maxLength: 8 }) })

/** Any backend message of the union, with valid field values. */
export const backendMessage: fc.Arbitrary<BackendMessage> = fc.oneof(
  fc.constantFrom<BackendMessage>(
    { type: 'AuthenticationOk' },
    { type: 'AuthenticationKerberosV5' },
    { type: 'AuthenticationCleartextPassword' },
    { type: 'AuthenticationGSS' },
    { type: 'AuthenticationSSPI' },
    { type: 'EmptyQueryResponse' },
    { type: 'ParseComplete' },
    { type: 'BindComplete' },
    { type: 'CloseComplete' },
    { type: 'NoData' },
    { type: 'PortalSuspended' },
    { type: 'CopyDone' },
    { type: 'ReadyForQuery', status: 'I' },
    { type: 'ReadyForQuery', status: 'T' },
    { type: 'ReadyForQuery', status: 'E' },
  ),
  fc.record({ type: fc.constant('AuthenticationMD5Password' as const), salt: fc.uint8Array({ minLength: 4, maxLength: 4 }) }),
  fc.record({ type: fc.constant('AuthenticationGSSContinue' as const), data: bytes() }),
  fc.record({
    type: fc.constant('AuthenticationSASL' as const),
    mechanisms: fc.array(protocolString(20).filter((s) => s !== ''), { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant('AuthenticationSASLContinue' as const), data: bytes() }),
  fc.record({ type: fc.constant('AuthenticationSASLFinal' as const), data: bytes() }),
  fc.record({ type: fc.constant('ParameterStatus' as const), name: protocolString(), value: protocolString() }),
  fc.record({ type: fc.constant('BackendKeyData' as const), processId: int32, secretKey: fc.uint8Array({ minLength: 4, maxLength: 256 }) }),
  fc.record({
    type: fc.constant('NegotiateProtocolVersion' as const),
    newestMinorVersion: int32,
    unrecognizedOptions: fc.array(protocolString(), { maxLength: 4 }),
  }),
  fc.record({ type: fc.constant('RowDescription' as const), fields: fc.array(fieldDescription, { maxLength: 6 }) }),
  fc.array(fc.option(bytes(), { nil: null }), { maxLength: 8 }).map((values) => dataRow(values)),
  fc.record({ type: fc.constant('CommandComplete' as const), tag: protocolString() }),
  fc.record({ type: fc.constant('ParameterDescription' as const), dataTypeOids: fc.array(oid, { maxLength: 8 }) }),
  copyResponse('CopyInResponse'),
  copyResponse('CopyOutResponse'),
  copyResponse('CopyBothResponse'),
  fc.record({ type: fc.constant('CopyData' as const), data: bytes() }),
  fc.record({
    type: fc.constant('NotificationResponse' as const),
    processId: int32,
    channel: protocolString(),
    payload: protocolString(),
  }),
  fc.record({ type: fc.constant('ErrorResponse' as const), fields: serverErrorFields }),
  fc.record({ type: fc.constant('NoticeResponse' as const), fields: serverErrorFields }),
)

/** Split points for cutting `length` bytes into chunks (sorted, unique, inside the range). */
export const splitPoints = (length: number): fc.Arbitrary<number[]> =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: Math.min(length, 40) })
    .map((points) => points.filter((p) => p < length).sort((a, b) => a - b))

/** Cut `bytes` at the given points. */
export function chunksAt(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = []
  let start = 0
  for (const p of points) {
    chunks.push(bytes.subarray(start, p))
    start = p
  }
  chunks.push(bytes.subarray(start))
  return chunks
}
