/**
 * The sans-I/O PostgreSQL v3 codec: frontend encoders, the streaming backend
 * MessageReader, backend decoders and the message types. No I/O, no runtime imports.
 */
export type {
  BackendMessage,
  BackendMessageType,
  AuthenticationMessage,
  FieldDescription,
  FormatCode,
  BindArgs,
} from './messages.js'
export { Writer, concatBytes } from './writer.js'
export { MessageReader, DEFAULT_MAX_MESSAGE_BYTES, type MessageReaderOptions } from './reader.js'
export {
  BackendCode,
  FrontendCode,
  RequestCode,
  AuthCode,
  ErrorField,
  TransactionStatus,
  describeCode,
} from './codes.js'
export * from './frontend/index.js'
export * from './backend/index.js'
