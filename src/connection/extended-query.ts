/**
 * Extended query protocol (protocol docs 55.2.3): Parse / Bind / Describe /
 * Execute / Sync, one Sync per query so an error fails that query only and
 * queries can be pipelined back to back.
 *
 * Statement cache: the first run of a SQL text parses a named statement and
 * describes the portal (text results); later runs send only Bind + Execute and
 * ask for binary results on the columns the registry decodes faster in binary.
 * A cached statement the server lost (DISCARD ALL, 26000) or whose result type
 * changed (0A000 "cached plan must not change result type") is re-prepared and
 * the query retried once, when no transaction block was aborted by it.
 *
 * Valid answers, in order: CloseComplete*, ParseComplete?, BindComplete,
 * RowDescription | NoData (first run only), DataRow*, CommandComplete |
 * EmptyQueryResponse (or a COPY exchange), ReadyForQuery; an ErrorResponse
 * may come at any point (also after CommandComplete: a deferred constraint
 * fails at the implicit COMMIT of Sync). Anything else is a ProtocolError
 * that ends the session.
 */
import { PgError, ProtocolError } from '../errors.js'
import {
  COPY_DONE,
  encodeBindExecute,
  encodeClose,
  encodeCopyFail,
  encodeParse,
  SYNC,
} from '../protocol/frontend/index.js'
import type { BackendMessage, FieldDescription, FormatCode } from '../protocol/messages.js'
import type { ParserSource, TypeRegistry } from '../types/registry.js'
import { ResultCollector, type RowSink } from './collector.js'
import type { Operation, OperationHost } from './operation.js'
import { RowBuilder, type Result, type RowMode } from './result.js'
import type { CachedStatement, StatementCache } from './statement-cache.js'

/** SQLSTATEs after which a cached statement is re-prepared and the query retried. */
const INVALID_SQL_STATEMENT_NAME = '26000'
const FEATURE_NOT_SUPPORTED = '0A000' // "cached plan must not change result type"

/** Answers that come before BindComplete: one per Close, then one for the Parse. */
type PreBindAnswer = 'CloseComplete' | 'ParseComplete'

/** Per-connection state an ExtendedQuery shares with the others: types, statement cache, retries. */
export interface ExtendedContext {
  readonly registry: TypeRegistry
  readonly cache: StatementCache
  /** Names of statements to Close with the next query (replaced after 0A000). */
  readonly staleStatements: string[]
  /** Put an operation back at the end of the queue (retry). */
  requeue(op: Operation): void
}

/** Serialized parameters, ready for Parse and Bind. */
export interface BoundParams {
  values: (Uint8Array | string | null)[]
  oids: number[]
  formats: FormatCode[]
}

/** Serialize values through the registry; throws a clear error naming the parameter. */
export function bindParams(registry: TypeRegistry, values: readonly unknown[]): BoundParams {
  const out: BoundParams = { values: new Array(values.length), oids: new Array(values.length), formats: [] }
  let binary = false
  const formats: FormatCode[] = new Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const s = registry.serialize(values[i], i + 1)
    out.values[i] = s.value
    out.oids[i] = s.oid
    formats[i] = s.format
    if (s.format === 1) binary = true
  }
  if (binary) out.formats = formats
  return out
}

/** How one ExtendedQuery delivers rows and whether it may use the statement cache. */
export interface ExtendedOptions {
  mode: RowMode
  /** Column parsers for this query (default: the session's registry). */
  parsers?: ParserSource
  sink?: RowSink
  /** false: unnamed statement even when the cache is on. */
  prepare: boolean
}

/** One query over the extended protocol: Parse (unless cached), Bind, Describe (first run), Execute, Sync. */
export class ExtendedQuery implements Operation {
  readonly exclusive = false
  private collector!: ResultCollector
  private error: PgError | undefined
  private entry: CachedStatement | undefined
  private key = ''
  private retried = false
  private describing = false
  /** Where the answer is: before BindComplete, after it, after CommandComplete (or its like). */
  private phase: 'binding' | 'bound' | 'described' | 'complete' = 'binding'
  private copy: 'in' | 'out' | undefined

  constructor(
    private readonly ctx: ExtendedContext,
    readonly sql: string,
    private readonly params: BoundParams,
    private readonly options: ExtendedOptions,
    private readonly resolve: (result: Result<unknown>, status: 'I' | 'T' | 'E') => void,
    private readonly reject: (error: Error) => void,
  ) {}

  send(host: OperationHost): void {
    const { ctx, params } = this
    const parsers = this.options.parsers ?? ctx.registry
    this.collector = new ResultCollector(parsers, this.options.mode, this.options.sink, this.options.sink ? 0 : host.maxResultBytes)
    this.error = undefined
    this.phase = 'binding'
    this.copy = undefined
    this.host = host
    this.dropped = undefined
    const cached = ctx.cache.enabled && this.options.prepare
    if (cached) this.key = params.oids.some((o) => o !== 0) ? `${params.oids.join(',')}|${this.sql}` : this.sql
    let entry = cached ? ctx.cache.get(this.key) : undefined
    // The one message that can fail to encode (a NUL in the SQL) is encoded before
    // anything changes, so a failed call leaves the cache and the stale Closes as they were.
    const parse = entry ? undefined : encodeParse(cached ? ctx.cache.nextName() : '', this.sql, params.oids)

    // The answers due before BindComplete, in the order their requests are written.
    const before: PreBindAnswer[] = (this.beforeBind = [])
    for (const name of ctx.staleStatements.splice(0)) {
      host.write(encodeClose('S', name))
      before.push('CloseComplete')
    }
    if (cached && !entry) {
      const added = ctx.cache.add(this.key)
      entry = added.entry
      if (added.evicted) {
        host.write(encodeClose('S', added.evicted.name))
        before.push('CloseComplete')
      }
    }
    if (parse) {
      host.write(parse)
      before.push('ParseComplete')
    }

    let statement = ''
    let resultFormats: FormatCode[] = []
    if (entry) {
      this.entry = entry
      statement = entry.name
      if (entry.fields !== undefined) {
        const shape = boundShape(entry, parsers, this.options.mode)
        resultFormats = shape.formats
        if (shape.builder) this.collector.useBuilder(shape.builder)
        else this.collector.noData()
      }
    }
    this.describing = this.entry?.fields === undefined
    // Bind, Describe (first run), Execute and Sync as one buffer: a cached
    // statement's request is one allocation and, alone in its tick, one write.
    host.write(encodeBindExecute({ statement, params: params.values, paramFormats: params.formats, resultFormats }, this.describing))
  }

  handle(message: BackendMessage, host: OperationHost): boolean {
    if (message.type === 'ErrorResponse') {
      if (this.error) throw new ProtocolError('server sent a second ErrorResponse for one query')
      this.error = new PgError(message.fields)
      this.error.query = this.sql
      this.copy = undefined
      return false
    }
    if (message.type === 'ReadyForQuery') {
      if (!this.error && (this.phase !== 'complete' || this.copy !== undefined))
        throw new ProtocolError('server sent ReadyForQuery before the query completed')
      this.finish(message.status)
      return true
    }
    // After an ErrorResponse the server skips everything up to Sync: only ReadyForQuery may follow.
    if (this.error) throw new ProtocolError(`server sent ${message.type} after the query's ErrorResponse`)
    if (this.copy !== undefined) return this.handleCopy(message)
    switch (message.type) {
      case 'CloseComplete':
      case 'ParseComplete':
        this.expect('binding', message.type)
        if (this.beforeBind.shift() !== message.type) throw new ProtocolError(`server sent ${message.type} the query did not ask for`)
        return false
      case 'BindComplete':
        this.expect('binding', message.type)
        if (this.beforeBind.length > 0) throw new ProtocolError(`server sent BindComplete before ${this.beforeBind[0]}`)
        this.phase = this.describing ? 'bound' : 'described'
        return false
      case 'RowDescription':
        this.expect('bound', message.type)
        this.phase = 'described'
        this.collector.describe(message.fields)
        if (this.entry) this.entry.fields = message.fields
        return false
      case 'NoData':
        this.expect('bound', message.type)
        this.phase = 'described'
        this.collector.noData()
        if (this.entry) this.entry.fields = null
        return false
      case 'DataRow': {
        this.expect('described', message.type)
        const overflowed = this.collector.overflow !== undefined
        if (!this.collector.row(message)) host.pause()
        // Too large: stop the server rather than read the rest (the rows are dropped meanwhile).
        if (!overflowed && this.collector.overflow) host.cancelRunning()
        return false
      }
      case 'CommandComplete':
        this.expect('described', message.type)
        this.phase = 'complete'
        this.collector.complete(message.tag)
        return false
      case 'EmptyQueryResponse':
        this.expect('described', message.type)
        this.phase = 'complete'
        this.collector.empty()
        return false
      case 'CopyInResponse':
        // COPY FROM STDIN needs a data source. In copy-in the server ignores the
        // Sync already sent and, after CopyFail, skips to the next Sync (55.2.6).
        this.expect('described', message.type)
        host.write(encodeCopyFail('COPY FROM STDIN is not supported by query(); use copyFrom()'))
        host.write(SYNC)
        this.copy = 'in'
        return false
      case 'CopyOutResponse':
      case 'CopyBothResponse':
        this.expect('described', message.type)
        if (message.type === 'CopyBothResponse') host.write(COPY_DONE)
        this.copy = 'out'
        return false
      default:
        throw new ProtocolError(`server sent ${message.type} during an extended query`)
    }
  }

  fail(error: Error): void {
    this.reject(error)
  }

  /**
   * The deadline passed: a streaming consumer gets no more rows, so read and
   * drop the rest (a paused socket would hide the cancel's answer) and fail
   * with `reason` even if the server finishes the query. A buffered result
   * is kept: if the server finishes before the cancel lands, it is real.
   */
  expired(reason: Error): void {
    if (!this.options.sink) return
    this.dropped = reason
    this.collector.drop()
    this.host?.resume()
  }

  private host: OperationHost | undefined
  private beforeBind: PreBindAnswer[] = []
  /** Set when rows were dropped after the deadline: the query can only fail. */
  private dropped: Error | undefined

  private expect(phase: ExtendedQuery['phase'], type: string): void {
    if (this.phase !== phase) throw new ProtocolError(`server sent ${type} out of order in an extended query (${this.phase})`)
  }

  /** COPY TO output is read and dropped (then CommandComplete); COPY FROM was refused and only its error may come. */
  private handleCopy(message: BackendMessage): boolean {
    if (this.copy === 'out' && (message.type === 'CopyData' || message.type === 'CopyDone')) {
      if (message.type === 'CopyDone') this.copy = undefined
      return false
    }
    throw new ProtocolError(`server sent ${message.type} during COPY ${this.copy === 'in' ? 'FROM STDIN' : 'TO STDOUT'}`)
  }

  private finish(status: 'I' | 'T' | 'E'): void {
    // Rows were dropped after the deadline: fail with the server's answer to the cancel, or the deadline.
    if (this.dropped) return this.reject(this.error ?? this.dropped)
    const failure = this.collector.failure
    if (failure) return this.reject(failure)
    const error = this.error
    if (!error) return this.resolve(this.collector.last, status)
    const entry = this.entry
    // A failure before BindComplete (Parse or Bind, including 26000 and 0A000)
    // may mean the statement does not exist as cached, or exists with an
    // outdated plan: forget it, and Close it with the next query (closing a
    // statement that does not exist is no error), so none is left behind on
    // the server. After BindComplete the statement is fine and stays cached.
    if (entry && this.phase === 'binding') {
      this.ctx.cache.remove(this.key, entry)
      this.entry = undefined
      this.ctx.staleStatements.push(entry.name)
      const retryable = error.code === INVALID_SQL_STATEMENT_NAME || error.code === FEATURE_NOT_SUPPORTED
      if (retryable && !this.retried && status === 'I' && !this.options.sink) {
        this.retried = true
        return this.ctx.requeue(this)
      }
    }
    this.reject(error)
  }
}

interface BoundShape {
  formats: FormatCode[]
  builder: RowBuilder | undefined
}

/** Per statement: its shape in each row mode, for one parser source and version. */
interface StatementShapes {
  source: ParserSource
  version: number
  object?: BoundShape
  array?: BoundShape
}

const shapes = new WeakMap<CachedStatement, StatementShapes>()

/**
 * Result formats and row builder for a described statement, computed once per
 * statement and row mode, and again after a type is registered or for other
 * parsers (the builder holds the source's parsers, the formats its binary
 * decoders). A source without a version is asked again for every query.
 */
function boundShape(entry: CachedStatement, parsers: ParserSource, mode: RowMode): BoundShape {
  const version = parsers.version
  let perMode = shapes.get(entry)
  if (version === undefined) perMode = undefined
  else if (!perMode || perMode.source !== parsers || perMode.version !== version) shapes.set(entry, (perMode = { source: parsers, version }))
  const cached = perMode?.[mode]
  if (cached) return cached
  let shape: BoundShape
  if (!entry.fields) shape = { formats: [], builder: undefined }
  else {
    const formats = entry.fields.map((f): FormatCode => (parsers.hasBinaryDecoder(f.dataTypeOid) ? 1 : 0))
    const fields: FieldDescription[] = entry.fields.map((f, i) => ({ ...f, format: formats[i]! }))
    shape = { formats: formats.includes(1) ? formats : [], builder: new RowBuilder(fields, parsers, mode) }
  }
  if (perMode) perMode[mode] = shape
  return shape
}
