/** Every backend (server → client) message decoder. */
export { decodeBackendMessage, isBackendCode } from './decode.js'
export { decodeAuthentication } from './auth.js'
export {
  checkDataRow,
  dataRowColumnCount,
  dataRowValues,
  decodeDataRow,
  decodeDataRowRange,
  decodeParameterDescription,
  decodeRowDescription,
} from './rows.js'
export {
  decodeParameterStatus,
  decodeBackendKeyData,
  decodeNegotiateProtocolVersion,
  decodeReadyForQuery,
  decodeCommandComplete,
  decodeNotificationResponse,
} from './status.js'
export { decodeCopyResponse, decodeCopyData } from './copy.js'
export { decodeErrorFields, decodeErrorResponse, decodeNoticeResponse } from './errors.js'
