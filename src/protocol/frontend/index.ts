/** Every frontend (client → server) message encoder. */
export {
  encodeStartup,
  SSL_REQUEST,
  GSSENC_REQUEST,
  encodeCancelRequest,
  protocolVersionCode,
  encodePassword,
  encodeSASLInitialResponse,
  encodeSASLResponse,
} from './startup.js'
export { encodeQuery, TERMINATE } from './simple.js'
export {
  writeParse,
  encodeParse,
  writeBind,
  encodeBind,
  encodeBindExecute,
  writeDescribe,
  encodeDescribe,
  writeExecute,
  encodeExecute,
  writeClose,
  encodeClose,
  writeSync,
  SYNC,
  FLUSH,
  encodeExtendedQuery,
  type ExtendedQuery,
} from './extended.js'
export { encodeCopyData, COPY_DONE, encodeCopyFail } from './copy.js'
