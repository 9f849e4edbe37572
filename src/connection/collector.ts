/**
 * Collects the rows and command results of one query from RowDescription,
 * DataRow, CommandComplete and EmptyQueryResponse. Rows go to an array, or to
 * a sink when the caller streams them.
 */
import type { FieldDescription } from '../protocol/messages.js'
import { ProtocolError } from '../errors.js'
import type { TypeRegistry } from '../types/registry.js'
import { parseCommandTag, RowBuilder, type Result, type RowMode } from './result.js'

/** Receives streamed rows; returns false to ask the connection to pause reading. */
export type RowSink = (row: unknown) => boolean | void

/** Builds the Result of each statement of one query from its row messages. */
export class ResultCollector {
  readonly results: Result<unknown>[] = []
  private builder: RowBuilder | undefined
  private rows: unknown[] = []

  constructor(
    private readonly registry: TypeRegistry,
    private readonly mode: RowMode,
    private readonly sink?: RowSink,
  ) {}

  /** Columns are known (RowDescription, or a cached statement's description). */
  describe(fields: FieldDescription[]): void {
    this.builder = new RowBuilder(fields, this.registry, this.mode)
  }

  /** Use a prebuilt builder (cached statement). */
  useBuilder(builder: RowBuilder): void {
    this.builder = builder
  }

  /** The statement returns no rows (NoData). */
  noData(): void {
    this.builder = undefined
  }

  /** Returns false when a sink asked for a pause. */
  row(values: (Uint8Array | null)[]): boolean {
    const builder = this.builder
    // A hostile or broken server must not make the row builder read past its parsers.
    if (builder === undefined) throw new ProtocolError('server sent DataRow without a RowDescription')
    if (values.length !== builder.fields.length)
      throw new ProtocolError(`server sent DataRow with ${values.length} columns, but RowDescription has ${builder.fields.length}`)
    const row = builder.build(values)
    if (this.sink) return this.sink(row) !== false
    this.rows.push(row)
    return true
  }

  complete(tag: string): void {
    const { command, rowCount } = parseCommandTag(tag)
    this.push(command, rowCount)
  }

  empty(): void {
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

