/** Test-only helpers: the reverse direction of the codec. Never exported from src/protocol/index.ts. */
export { comparable, dataRow, encodeBackendMessage, encodeBackendMessages, encodeDataRowBody, writeBackendMessage } from './encode-backend.js'
export {
  decodeFrontendMessage,
  decodeFrontendMessages,
  type FrontendMessage,
  type PasswordKind,
  type DecodeFrontendOptions,
} from './decode-frontend.js'
