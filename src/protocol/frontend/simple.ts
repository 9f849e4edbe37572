/** Simple-query-protocol and session-level frontend messages (protocol docs 55.2.2). */
import { FrontendCode } from '../codes.js'
import { Writer } from '../writer.js'

/** Query: one or more SQL statements as a String, run with the simple protocol. */
export function encodeQuery(sql: string): Uint8Array {
  return new Writer(sql.length + 8).frame(FrontendCode.Query).cstring(sql).finish()
}

/** Terminate: polite goodbye before closing the socket. Built once. */
export const TERMINATE: Uint8Array = new Writer(5, true).frame(FrontendCode.Terminate).finish()
