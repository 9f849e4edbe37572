/**
 * Extended-query-protocol frontend messages (protocol docs 55.2.3): Parse, Bind,
 * Describe, Execute, Close, Sync, Flush. Each has a `write*` form that appends to
 * a Writer (for pipelining several messages into one buffer) and an `encode*`
 * form that returns the bytes of that one message.
 */
import type { BindArgs, FormatCode } from '../messages.js'
import { FrontendCode } from '../codes.js'
import { Writer } from '../writer.js'

/** Int16 counts in Parse and Bind are read by the server as unsigned 16-bit. */
const MAX_INT16_COUNT = 0xffff

function checkCount(what: string, n: number): void {
  if (n > MAX_INT16_COUNT) throw new RangeError(`too many ${what}: ${n} (the protocol allows at most ${MAX_INT16_COUNT})`)
}

/** Parse: statement name ('' = unnamed), SQL, Int16 count, then one Int32 type OID per parameter (0 = let the server infer). */
export function writeParse(w: Writer, name: string, sql: string, paramOids: readonly number[] = []): Writer {
  checkCount('parameter types', paramOids.length)
  w.frame(FrontendCode.Parse).cstring(name).cstring(sql).int16(paramOids.length)
  for (let i = 0; i < paramOids.length; i++) w.int32(paramOids[i])
  return w
}

/** Parse as one message. */
export function encodeParse(name: string, sql: string, paramOids: readonly number[] = []): Uint8Array {
  return writeParse(new Writer(sql.length + name.length + paramOids.length * 4 + 16), name, sql, paramOids).finish()
}

function writeFormats(w: Writer, what: string, formats: readonly FormatCode[] | undefined): void {
  if (formats === undefined) {
    w.int16(0)
    return
  }
  checkCount(what, formats.length)
  w.int16(formats.length)
  for (let i = 0; i < formats.length; i++) w.int16(formats[i])
}

/**
 * Bind: portal, statement, parameter format codes, parameter values (Int32
 * length then bytes; length -1 is NULL; strings go as UTF-8), result format codes.
 * Values are written straight into the Writer, with no intermediate buffers.
 */
export function writeBind(w: Writer, args: BindArgs, statement: string = args.statement ?? ''): Writer {
  const params = args.params
  checkCount('parameters', params.length)
  w.frame(FrontendCode.Bind).cstring(args.portal ?? '').cstring(statement)
  writeFormats(w, 'parameter formats', args.paramFormats)
  w.int16(params.length)
  for (let i = 0; i < params.length; i++) {
    const value = params[i]
    if (typeof value === 'string') w.sizedString(value)
    else w.sizedBytes(value)
  }
  writeFormats(w, 'result formats', args.resultFormats)
  return w
}

/** A capacity guess for a Bind so the Writer rarely has to grow. */
function bindSizeHint(args: BindArgs): number {
  let size = 64
  const params = args.params
  for (let i = 0; i < params.length; i++) {
    const value = params[i]
    size += 4 + (value === null ? 0 : typeof value === 'string' ? value.length * 3 : value.length)
  }
  return size
}

/** Bind as one message. */
export function encodeBind(args: BindArgs): Uint8Array {
  return writeBind(new Writer(bindSizeHint(args)), args).finish()
}

/**
 * Bind + [Describe of the unnamed portal] + Execute (all rows) + Sync for one
 * query on the unnamed portal, in one buffer: a cached statement's whole
 * request is a single allocation and a single socket write. The messages
 * after Bind never change, so they are copied from bytes built once.
 */
export function encodeBindExecute(args: BindArgs, describe: boolean): Uint8Array {
  const w = writeBind(new Writer(bindSizeHint(args) + DESCRIBE_EXECUTE_SYNC.length), args)
  return w.endFrame().bytes(describe ? DESCRIBE_EXECUTE_SYNC : EXECUTE_SYNC).finish()
}

/** Describe: 'S' a prepared statement (answers ParameterDescription + RowDescription/NoData) or 'P' a portal. */
export function writeDescribe(w: Writer, kind: 'S' | 'P', name: string): Writer {
  return w.frame(FrontendCode.Describe).byte(kind.charCodeAt(0)).cstring(name)
}

/** Describe as one message. */
export function encodeDescribe(kind: 'S' | 'P', name: string): Uint8Array {
  return writeDescribe(new Writer(name.length + 8), kind, name).finish()
}

/** Execute: portal name and the maximum number of rows to return (0 = no limit; otherwise PortalSuspended after that many). */
export function writeExecute(w: Writer, portal: string, maxRows: number): Writer {
  return w.frame(FrontendCode.Execute).cstring(portal).int32(maxRows)
}

/** Execute as one message. */
export function encodeExecute(portal: string, maxRows: number): Uint8Array {
  return writeExecute(new Writer(portal.length + 12), portal, maxRows).finish()
}

/** Close: 'S' a prepared statement or 'P' a portal. */
export function writeClose(w: Writer, kind: 'S' | 'P', name: string): Writer {
  return w.frame(FrontendCode.Close).byte(kind.charCodeAt(0)).cstring(name)
}

/** Close as one message. */
export function encodeClose(kind: 'S' | 'P', name: string): Uint8Array {
  return writeClose(new Writer(name.length + 8), kind, name).finish()
}

/** Sync: end of an extended-query batch; the server answers ReadyForQuery. Built once. */
export const SYNC: Uint8Array = new Writer(5, true).frame(FrontendCode.Sync).finish()

/** Flush: ask the server to send what it has produced so far, without ending the batch. Built once. */
export const FLUSH: Uint8Array = new Writer(5, true).frame(FrontendCode.Flush).finish()

/** Execute of the unnamed portal with no row limit, then Sync. Built once. */
const EXECUTE_SYNC: Uint8Array = writeSync(writeExecute(new Writer(16, true), '', 0)).finish()

/** Describe of the unnamed portal, Execute of it with no row limit, then Sync. Built once. */
const DESCRIBE_EXECUTE_SYNC: Uint8Array = writeSync(writeExecute(writeDescribe(new Writer(24, true), 'P', ''), '', 0)).finish()

/** Append Sync to a Writer. */
export function writeSync(w: Writer): Writer {
  return w.frame(FrontendCode.Sync)
}

/** One query of the extended protocol, as encodeExtendedQuery sends it. */
export interface ExtendedQuery {
  /** Prepared statement name ('' = unnamed); used by Parse and Bind. */
  statement: string
  /** When given, a Parse of this SQL is sent first. */
  sql?: string
  /** Parameter type OIDs for Parse (0 or missing = inferred). */
  paramOids?: readonly number[]
  /** Bind arguments; `bind.statement` is ignored in favour of `statement`. */
  bind: BindArgs
  /** Send Describe(portal) so the server answers RowDescription or NoData. */
  describe: boolean
  /** Execute row limit (0 = all rows). */
  maxRows: number
}

/**
 * Append [Parse] + Bind + [Describe portal] + Execute + Sync for one query to
 * `w`, so a pipelined query is a single buffer and a single socket write.
 */
export function encodeExtendedQuery(w: Writer, query: ExtendedQuery): Writer {
  if (query.sql !== undefined) writeParse(w, query.statement, query.sql, query.paramOids)
  writeBind(w, query.bind, query.statement)
  const portal = query.bind.portal ?? ''
  if (query.describe) writeDescribe(w, 'P', portal)
  writeExecute(w, portal, query.maxRows)
  return writeSync(w).endFrame()
}
