/**
 * Collects the rows and command results of one query from RowDescription,
 * DataRow, CommandComplete and EmptyQueryResponse. Rows go to an array, or to
 * a sink when the caller streams them (stream, cursor). Every operation that
 * receives rows goes through it, so every one gets the same checks.
 *
 * It also keeps the row-set state the operations check: a DataRow outside a
 * row set, a second RowDescription inside one, or a DataRow whose column
 * count differs from its RowDescription is a ProtocolError, never a row
 * silently dropped or merged into the wrong shape. A buffered result is
 * capped by max_result_bytes (rows are dropped from then on and the query
 * fails with PGFLEET_RESULT_TOO_LARGE; the operation asks for a cancel).
 * A value parser that throws fails the query, not the session, as in pg: the
 * rest of its rows are read and dropped (a ProtocolError from a decoder, a
 * value the protocol does not allow, still ends the session).
 */
import type { BackendMessage, FieldDescription } from '../protocol/messages.js'
import { ErrorCode, PgfleetError, ProtocolError } from '../errors.js'
import type { ParserSource } from '../types/registry.js'
import { inflation, InflationLimit } from '../types/inflation.js'
import { parseCommandTag, RowBuilder, type Result, type RowMode } from './result.js'

type DataRow = Extract<BackendMessage, { type: 'DataRow' }>

/** Receives streamed rows; returns false to ask the connection to pause reading. */
export type RowSink = (row: unknown) => boolean | void

/** What build() returns for a row whose parser threw. */
const NO_ROW: unique symbol = Symbol('no row')
/** build(): a value outgrew max_result_bytes while the row was built (types/inflation.ts). */
const TOO_LARGE: unique symbol = Symbol('too large')

/** Row builders made for one fields array, for one parser source at one version. */
interface Builders {
  source: ParserSource
  version: number
  object?: RowBuilder
  array?: RowBuilder
}

const builders = new WeakMap<FieldDescription[], Builders>()

/**
 * The row builder for `fields`. MessageReader hands out the same fields array
 * for a RowDescription whose bytes repeat the one before, so a query that
 * gets the same columns as the last reuses its builder, while the parser
 * source and its version are the same (a register() moves the version); a
 * source without a version (pg's setTypeParser) gets a new builder each time.
 */
function builderFor(fields: FieldDescription[], parsers: ParserSource, mode: RowMode): RowBuilder {
  const version = parsers.version
  if (version === undefined) return new RowBuilder(fields, parsers, mode)
  let kept = builders.get(fields)
  if (kept === undefined || kept.source !== parsers || kept.version !== version) builders.set(fields, (kept = { source: parsers, version }))
  return (kept[mode] ??= new RowBuilder(fields, parsers, mode))
}

/** Builds the Result of each statement of one query from its row messages. */
export class ResultCollector {
  readonly results: Result<unknown>[] = []
  private builder: RowBuilder | undefined
  private rows: unknown[] = []
  private bytes = 0
  /** Rows are read and dropped (deadline passed, or result too large). */
  private dropping = false
  /** Set when the buffered rows outgrew max_result_bytes. */
  overflow: PgfleetError | undefined
  /** Set when a value parser threw: what the query fails with. */
  parseError: Error | undefined

  constructor(
    private readonly parsers: ParserSource,
    private readonly mode: RowMode,
    private readonly sink?: RowSink,
    /** max_result_bytes for a buffered result (0 = no cap; a sink is never capped). */
    private readonly maxBytes = 0,
  ) {}

  /** Between a RowDescription (or a cached statement's) and its CommandComplete. */
  get inRowSet(): boolean {
    return this.builder !== undefined
  }

  /** Columns are known (RowDescription). */
  describe(fields: FieldDescription[]): void {
    if (this.builder) throw new ProtocolError('server sent a second RowDescription before the CommandComplete of the first')
    this.builder = builderFor(fields, this.parsers, this.mode)
  }

  /** Use a prebuilt builder (cached statement). */
  useBuilder(builder: RowBuilder): void {
    this.builder = builder
  }

  /** The statement returns no rows (NoData). */
  noData(): void {
    this.builder = undefined
  }

  /** Read the remaining rows without keeping or delivering them. */
  drop(): void {
    this.dropping = true
    this.rows = []
  }

  /** Returns false when a sink asked for a pause; throws ProtocolError for a row that fits no row set. */
  row(message: DataRow): boolean {
    const builder = this.builder
    // A hostile or broken server must not make the row builder read past its parsers.
    if (builder === undefined) throw new ProtocolError('server sent DataRow without a RowDescription')
    const { bytes, start } = message
    const count = (bytes[start]! << 8) | bytes[start + 1]!
    if (count !== builder.fields.length)
      throw new ProtocolError(`server sent DataRow with ${count} columns, but RowDescription has ${builder.fields.length}`)
    if (this.dropping) return true
    if (this.sink) {
      const row = this.build(builder, bytes, start)
      return row === NO_ROW || this.sink(row) !== false
    }
    const row = this.maxBytes > 0 ? this.buildCapped(builder, bytes, start, message.end - start - 2) : this.build(builder, bytes, start)
    if (row === TOO_LARGE) return this.tooLarge()
    if (row !== NO_ROW) this.rows.push(row)
    return true
  }

  /**
   * Build a row under max_result_bytes: its body (the values plus 4 length
   * bytes per column) and what its values print beyond their bytes
   * (binary numeric, types/inflation.ts) count against the cap.
   */
  private buildCapped(builder: RowBuilder, bytes: Uint8Array, start: number, body: number): unknown {
    if ((this.bytes += body) > this.maxBytes) return TOO_LARGE
    inflation.left = this.maxBytes - this.bytes
    inflation.charged = 0
    try {
      const row = this.build(builder, bytes, start)
      this.bytes += inflation.charged
      return row
    } finally {
      inflation.left = Infinity
    }
  }

  private tooLarge(): true {
    this.overflow = new PgfleetError(
      `result larger than max_result_bytes (${this.maxBytes} bytes): use stream() or cursor() for results this large, or raise max_result_bytes`,
      ErrorCode.ResultTooLarge,
    )
    this.drop()
    return true
  }

  /** Why the query fails although the server completed it (result too large, a parser threw). */
  get failure(): Error | undefined {
    return this.overflow ?? this.parseError
  }

  private build(builder: RowBuilder, bytes: Uint8Array, start: number): unknown {
    try {
      return builder.build(bytes, start)
    } catch (error) {
      if (error instanceof ProtocolError) throw error
      if (error instanceof InflationLimit) return TOO_LARGE
      // Rejected with what the parser threw, as pg does; the rows read so far are not a result.
      this.parseError = (error ?? new Error(`a value parser threw ${String(error)}`)) as Error
      this.drop()
      return NO_ROW
    }
  }

  complete(tag: string): void {
    const { command, rowCount } = parseCommandTag(tag)
    this.push(command, rowCount)
  }

  empty(): void {
    if (this.builder) throw new ProtocolError('server sent EmptyQueryResponse inside a row set')
    this.push('', null)
  }

  /** The result of the last statement (an empty one if none completed). */
  get last(): Result<unknown> {
    return this.results[this.results.length - 1] ?? { command: '', rowCount: null, rows: [], fields: [] }
  }

  private push(command: string, rowCount: number | null): void {
    this.results.push({ command, rowCount, rows: this.rows, fields: this.builder?.fields ?? [] })
    this.rows = []
    this.builder = undefined
  }
}
