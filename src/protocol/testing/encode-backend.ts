/**
 * Test-only: encode backend messages (what a server sends), for round-trip
 * properties and fake servers in tests. Not exported from the package.
 */
import type { ServerErrorFields } from '../../errors.js'
import type { BackendMessage } from '../messages.js'
import { dataRowValues } from '../backend/rows.js'
import { AuthCode, BackendCode, ErrorField } from '../codes.js'
import { Writer } from '../writer.js'

/** Error field letter for each ServerErrorFields key, in the order PostgreSQL sends them. */
const ERROR_FIELD_ORDER: [keyof ServerErrorFields, number][] = [
  ['severity', ErrorField.Severity],
  ['severityNonLocalized', ErrorField.SeverityNonLocalized],
  ['code', ErrorField.Code],
  ['message', ErrorField.Message],
  ['detail', ErrorField.Detail],
  ['hint', ErrorField.Hint],
  ['position', ErrorField.Position],
  ['internalPosition', ErrorField.InternalPosition],
  ['internalQuery', ErrorField.InternalQuery],
  ['where', ErrorField.Where],
  ['schema', ErrorField.Schema],
  ['table', ErrorField.Table],
  ['column', ErrorField.Column],
  ['dataType', ErrorField.DataType],
  ['constraint', ErrorField.Constraint],
  ['file', ErrorField.File],
  ['line', ErrorField.Line],
  ['routine', ErrorField.Routine],
]

function writeErrorFields(w: Writer, fields: ServerErrorFields): void {
  for (const [key, letter] of ERROR_FIELD_ORDER) {
    const value = fields[key]
    if (value === undefined) continue
    w.byte(letter).cstring(String(value))
  }
  w.byte(0)
}

function auth(w: Writer, code: number): Writer {
  return w.frame(BackendCode.Authentication).int32(code)
}

function copyResponse(w: Writer, code: number, format: number, columnFormats: number[]): void {
  w.frame(code).byte(format).int16(columnFormats.length)
  for (const f of columnFormats) w.int16(f)
}

/** Append one backend message to `w`. */
/** The body of a DataRow holding `values` (null = SQL NULL): the inverse of dataRowValues. */
export function encodeDataRowBody(values: readonly (Uint8Array | null)[]): Uint8Array {
  let size = 2
  for (const v of values) size += 4 + (v?.length ?? 0)
  const body = new Uint8Array(size)
  const view = new DataView(body.buffer)
  view.setUint16(0, values.length)
  let p = 2
  for (const v of values) {
    view.setInt32(p, v === null ? -1 : v.length)
    p += 4
    if (v !== null) {
      body.set(v, p)
      p += v.length
    }
  }
  return body
}

/** A DataRow message holding `values` (null = SQL NULL), as the reader would return it. */
export function dataRow(values: readonly (Uint8Array | null)[]): Extract<BackendMessage, { type: 'DataRow' }> {
  const bytes = encodeDataRowBody(values)
  return { type: 'DataRow', bytes, start: 0, end: bytes.length }
}

/** A message as tests compare it: a DataRow as its values (views), every other message as it is. */
export function comparable(msg: BackendMessage): unknown {
  return msg.type === 'DataRow' ? { type: 'DataRow', values: dataRowValues(msg) } : msg
}

export function writeBackendMessage(w: Writer, msg: BackendMessage): Writer {
  switch (msg.type) {
    case 'AuthenticationOk':
      auth(w, AuthCode.Ok)
      break
    case 'AuthenticationKerberosV5':
      auth(w, AuthCode.KerberosV5)
      break
    case 'AuthenticationCleartextPassword':
      auth(w, AuthCode.CleartextPassword)
      break
    case 'AuthenticationMD5Password':
      auth(w, AuthCode.MD5Password).bytes(msg.salt)
      break
    case 'AuthenticationGSS':
      auth(w, AuthCode.GSS)
      break
    case 'AuthenticationGSSContinue':
      auth(w, AuthCode.GSSContinue).bytes(msg.data)
      break
    case 'AuthenticationSSPI':
      auth(w, AuthCode.SSPI)
      break
    case 'AuthenticationSASL':
      auth(w, AuthCode.SASL)
      for (const m of msg.mechanisms) w.cstring(m)
      w.byte(0)
      break
    case 'AuthenticationSASLContinue':
      auth(w, AuthCode.SASLContinue).bytes(msg.data)
      break
    case 'AuthenticationSASLFinal':
      auth(w, AuthCode.SASLFinal).bytes(msg.data)
      break
    case 'ParameterStatus':
      w.frame(BackendCode.ParameterStatus).cstring(msg.name).cstring(msg.value)
      break
    case 'BackendKeyData':
      w.frame(BackendCode.BackendKeyData).int32(msg.processId).bytes(msg.secretKey)
      break
    case 'NegotiateProtocolVersion':
      w.frame(BackendCode.NegotiateProtocolVersion).int32(msg.newestMinorVersion).int32(msg.unrecognizedOptions.length)
      for (const o of msg.unrecognizedOptions) w.cstring(o)
      break
    case 'RowDescription':
      w.frame(BackendCode.RowDescription).int16(msg.fields.length)
      for (const f of msg.fields) {
        w.cstring(f.name).int32(f.tableOid).int16(f.columnAttr).int32(f.dataTypeOid)
        w.int16(f.dataTypeSize).int32(f.dataTypeModifier).int16(f.format)
      }
      break
    case 'DataRow':
      w.frame(BackendCode.DataRow).bytes(msg.bytes.subarray(msg.start, msg.end))
      break
    case 'CommandComplete':
      w.frame(BackendCode.CommandComplete).cstring(msg.tag)
      break
    case 'EmptyQueryResponse':
      w.frame(BackendCode.EmptyQueryResponse)
      break
    case 'ReadyForQuery':
      w.frame(BackendCode.ReadyForQuery).byte(msg.status.charCodeAt(0))
      break
    case 'ParseComplete':
      w.frame(BackendCode.ParseComplete)
      break
    case 'BindComplete':
      w.frame(BackendCode.BindComplete)
      break
    case 'CloseComplete':
      w.frame(BackendCode.CloseComplete)
      break
    case 'NoData':
      w.frame(BackendCode.NoData)
      break
    case 'ParameterDescription':
      w.frame(BackendCode.ParameterDescription).int16(msg.dataTypeOids.length)
      for (const oid of msg.dataTypeOids) w.int32(oid)
      break
    case 'PortalSuspended':
      w.frame(BackendCode.PortalSuspended)
      break
    case 'CopyInResponse':
      copyResponse(w, BackendCode.CopyInResponse, msg.format, msg.columnFormats)
      break
    case 'CopyOutResponse':
      copyResponse(w, BackendCode.CopyOutResponse, msg.format, msg.columnFormats)
      break
    case 'CopyBothResponse':
      copyResponse(w, BackendCode.CopyBothResponse, msg.format, msg.columnFormats)
      break
    case 'CopyData':
      w.frame(BackendCode.CopyData).bytes(msg.data)
      break
    case 'CopyDone':
      w.frame(BackendCode.CopyDone)
      break
    case 'NotificationResponse':
      w.frame(BackendCode.NotificationResponse).int32(msg.processId).cstring(msg.channel).cstring(msg.payload)
      break
    case 'ErrorResponse':
      w.frame(BackendCode.ErrorResponse)
      writeErrorFields(w, msg.fields)
      break
    case 'NoticeResponse':
      w.frame(BackendCode.NoticeResponse)
      writeErrorFields(w, msg.fields)
      break
    default: {
      const never: never = msg
      throw new Error(`unhandled message ${JSON.stringify(never)}`)
    }
  }
  return w.endFrame()
}

/** The bytes a server would send for `msg`. */
export function encodeBackendMessage(msg: BackendMessage): Uint8Array {
  return writeBackendMessage(new Writer(), msg).finish()
}

/** Several messages as one byte stream. */
export function encodeBackendMessages(messages: BackendMessage[]): Uint8Array {
  const w = new Writer()
  for (const m of messages) writeBackendMessage(w, m)
  return w.finish()
}
