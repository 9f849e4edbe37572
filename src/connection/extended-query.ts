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
 */
import { PgError } from '../errors.js'
import {
  encodeBind,
  encodeClose,
  encodeDescribe,
  encodeExecute,
  encodeParse,
  SYNC,
} from '../protocol/frontend/index.js'
import type { BackendMessage, FieldDescription, FormatCode } from '../protocol/messages.js'
import type { TypeRegistry } from '../types/registry.js'
import { ResultCollector, type RowSink } from './collector.js'
import type { Operation, OperationHost } from './operation.js'
import { RowBuilder, type Result, type RowMode } from './result.js'
import type { CachedStatement, StatementCache } from './statement-cache.js'

/** SQLSTATEs after which a cached statement is re-prepared and the query retried. */
const INVALID_SQL_STATEMENT_NAME = '26000'
const FEATURE_NOT_SUPPORTED = '0A000' // "cached plan must not change result type"

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
    this.collector = new ResultCollector(ctx.registry, this.options.mode, this.options.sink)
    this.error = undefined
    for (const name of ctx.staleStatements.splice(0)) host.write(encodeClose('S', name))

    let statement = ''
    let resultFormats: FormatCode[] = []
    if (ctx.cache.enabled && this.options.prepare) {
      this.key = params.oids.some((o) => o !== 0) ? `${params.oids.join(',')}|${this.sql}` : this.sql
      let entry = ctx.cache.get(this.key)
      if (!entry) {
        const added = ctx.cache.add(this.key)
        entry = added.entry
        if (added.evicted) host.write(encodeClose('S', added.evicted.name))
        host.write(encodeParse(entry.name, this.sql, params.oids))
      }
      this.entry = entry
      statement = entry.name
      if (entry.fields !== undefined) {
        const shape = boundShape(entry, ctx.registry, this.options.mode)
        resultFormats = shape.formats
        if (shape.builder) this.collector.useBuilder(shape.builder)
        else this.collector.noData()
      }
    } else {
      host.write(encodeParse('', this.sql, params.oids))
    }
    this.describing = this.entry?.fields === undefined
    host.write(encodeBind({ statement, params: params.values, paramFormats: params.formats, resultFormats }))
    if (this.describing) host.write(encodeDescribe('P', ''))
    host.write(encodeExecute('', 0))
    host.write(SYNC)
  }

  handle(message: BackendMessage, host: OperationHost): boolean {
    switch (message.type) {
      case 'DataRow':
        if (!this.collector.row(message.values)) host.pause()
        return false
      case 'RowDescription':
        this.collector.describe(message.fields)
        if (this.describing && this.entry) this.entry.fields = message.fields
        return false
      case 'NoData':
        this.collector.noData()
        if (this.describing && this.entry) this.entry.fields = null
        return false
      case 'CommandComplete':
        this.collector.complete(message.tag)
        if (message.tag === 'DISCARD ALL' || message.tag === 'DEALLOCATE ALL') this.ctx.cache.clear()
        return false
      case 'EmptyQueryResponse':
        this.collector.empty()
        return false
      case 'PortalSuspended':
        return false
      case 'ErrorResponse':
        this.error = new PgError(message.fields)
        this.error.query = this.sql
        return false
      case 'ReadyForQuery':
        this.finish(message.status)
        return true
      default:
        // ParseComplete, BindComplete, CloseComplete: nothing to do.
        return false
    }
  }

  fail(error: Error): void {
    this.reject(error)
  }

  private finish(status: 'I' | 'T' | 'E'): void {
    const error = this.error
    if (!error) return this.resolve(this.collector.last, status)
    const entry = this.entry
    if (entry) {
      // Any failure may mean the statement does not exist as cached: forget it.
      this.ctx.cache.remove(this.key, entry)
      this.entry = undefined
      if (error.code === FEATURE_NOT_SUPPORTED) this.ctx.staleStatements.push(entry.name)
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

/** Per statement: its shape in each row mode, for one registry version. */
interface StatementShapes {
  version: number
  object?: BoundShape
  array?: BoundShape
}

const shapes = new WeakMap<CachedStatement, StatementShapes>()

/**
 * Result formats and row builder for a described statement, computed once per
 * statement and row mode, and again after a type is registered (the builder
 * holds the registry's parsers, the formats its binary decoders).
 */
function boundShape(entry: CachedStatement, registry: TypeRegistry, mode: RowMode): BoundShape {
  let perMode = shapes.get(entry)
  if (!perMode || perMode.version !== registry.version) shapes.set(entry, (perMode = { version: registry.version }))
  const cached = perMode[mode]
  if (cached) return cached
  let shape: BoundShape
  if (!entry.fields) shape = { formats: [], builder: undefined }
  else {
    const formats = entry.fields.map((f): FormatCode => (registry.hasBinaryDecoder(f.dataTypeOid) ? 1 : 0))
    const fields: FieldDescription[] = entry.fields.map((f, i) => ({ ...f, format: formats[i]! }))
    shape = { formats: formats.includes(1) ? formats : [], builder: new RowBuilder(fields, registry, mode) }
  }
  perMode[mode] = shape
  return shape
}
