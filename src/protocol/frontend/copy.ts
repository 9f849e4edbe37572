/** COPY sub-protocol frontend messages (protocol docs 55.2.6). */
import { FrontendCode } from '../codes.js'
import { Writer } from '../writer.js'

/** CopyData: a chunk of COPY FROM STDIN data (any split; rows need not align). */
export function encodeCopyData(data: Uint8Array): Uint8Array {
  return new Writer(data.length + 5).frame(FrontendCode.CopyData).bytes(data).finish()
}

/** CopyDone: the end of COPY FROM STDIN data. Built once. */
export const COPY_DONE: Uint8Array = new Writer(5, true).frame(FrontendCode.CopyDone).finish()

/** CopyFail: abort COPY FROM STDIN; the server answers with an ErrorResponse carrying `message`. */
export function encodeCopyFail(message: string): Uint8Array {
  return new Writer(message.length + 8).frame(FrontendCode.CopyFail).cstring(message).finish()
}
