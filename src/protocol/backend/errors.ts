/**
 * ErrorResponse and NoticeResponse bodies (protocol docs 55.8, "Error and Notice
 * Message Fields"): a list of (field letter, String) pairs ended by a zero byte.
 */
import type { ServerErrorFields } from '../../errors.js'
import type { BackendMessage } from '../messages.js'
import { ErrorField, describeCode } from '../codes.js'
import { BodyCursor, malformed } from './cursor.js'

type Msg<T extends BackendMessage['type']> = Extract<BackendMessage, { type: T }>

/** Position fields are decimal character indexes. */
function decodePosition(message: string, letter: string, value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw malformed(message, `expected a decimal number in field '${letter}', found ${JSON.stringify(value)}`)
  return Number(value)
}

/** A SQLSTATE: five digits or upper-case ASCII letters (protocol docs, Appendix A). */
const SQLSTATE = /^[0-9A-Z]{5}$/
/** internal_error: the code given to a message whose own SQLSTATE is missing or malformed. */
const INTERNAL_ERROR = 'XX000'
/** How much of a malformed SQLSTATE the message shows. */
const SHOWN_CODE_CHARS = 32

/**
 * `code` is always a well-formed SQLSTATE, so callers can switch on it: the
 * protocol says field C is always present, but a broken server or proxy may
 * omit it or send garbage. That becomes XX000, and the raw value stays visible
 * at the end of the message.
 */
function checkCode(fields: ServerErrorFields, raw: string | undefined): void {
  if (raw !== undefined && SQLSTATE.test(raw)) {
    fields.code = raw
    return
  }
  const chars = raw === undefined ? [] : [...raw]
  const shown = chars.length > SHOWN_CODE_CHARS ? `${chars.slice(0, SHOWN_CODE_CHARS).join('')}…` : raw
  const note = raw === undefined ? '(server sent no SQLSTATE)' : `(server sent no valid SQLSTATE: ${JSON.stringify(shown)})`
  fields.code = INTERNAL_ERROR
  fields.message = fields.message === '' ? note : `${fields.message} ${note}`
}

/**
 * Decode the fields of an ErrorResponse or NoticeResponse body. Unknown field
 * letters are ignored, as the protocol asks of clients; S and M are always
 * sent by PostgreSQL and default to '' if a server omits them. A missing or
 * malformed C (SQLSTATE) becomes XX000, see {@link checkCode}.
 */
export function decodeErrorFields(body: Uint8Array, message = 'ErrorResponse'): ServerErrorFields {
  const c = new BodyCursor(body, 0, body.length, message)
  const fields: ServerErrorFields = { severity: '', code: '', message: '' }
  let code: string | undefined
  for (;;) {
    const letter = c.uint8('field type or terminator')
    if (letter === 0) break
    const value = c.cstring(`value of field ${describeCode(letter)}`)
    switch (letter) {
      case ErrorField.Severity:
        fields.severity = value
        break
      case ErrorField.SeverityNonLocalized:
        fields.severityNonLocalized = value
        break
      case ErrorField.Code:
        code = value
        break
      case ErrorField.Message:
        fields.message = value
        break
      case ErrorField.Detail:
        fields.detail = value
        break
      case ErrorField.Hint:
        fields.hint = value
        break
      case ErrorField.Position:
        fields.position = decodePosition(message, 'P', value)
        break
      case ErrorField.InternalPosition:
        fields.internalPosition = decodePosition(message, 'p', value)
        break
      case ErrorField.InternalQuery:
        fields.internalQuery = value
        break
      case ErrorField.Where:
        fields.where = value
        break
      case ErrorField.Schema:
        fields.schema = value
        break
      case ErrorField.Table:
        fields.table = value
        break
      case ErrorField.Column:
        fields.column = value
        break
      case ErrorField.DataType:
        fields.dataType = value
        break
      case ErrorField.Constraint:
        fields.constraint = value
        break
      case ErrorField.File:
        fields.file = value
        break
      case ErrorField.Line:
        fields.line = value
        break
      case ErrorField.Routine:
        fields.routine = value
        break
      default:
        break // "Frontends should silently ignore fields of unrecognized type."
    }
  }
  c.done()
  checkCode(fields, code)
  return fields
}

/** ErrorResponse. */
export function decodeErrorResponse(body: Uint8Array): Msg<'ErrorResponse'> {
  return { type: 'ErrorResponse', fields: decodeErrorFields(body, 'ErrorResponse') }
}

/** NoticeResponse (same fields as ErrorResponse). */
export function decodeNoticeResponse(body: Uint8Array): Msg<'NoticeResponse'> {
  return { type: 'NoticeResponse', fields: decodeErrorFields(body, 'NoticeResponse') }
}
