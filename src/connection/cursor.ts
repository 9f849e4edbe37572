/**
 * Cursor-style batches over one portal (protocol docs 55.2.3): Parse, Bind,
 * Describe and Execute with a row limit, then Flush instead of Sync, so the
 * portal stays open; the server answers a batch with PortalSuspended while
 * rows remain, CommandComplete when they are exhausted. Each read sends one
 * more Execute + Flush. Sync at close ends the implicit transaction, which
 * closes the portal ("a portal survives only until Sync"); it is also sent
 * as soon as the rows are exhausted or an error arrives.
 *
 * The operation is exclusive: while the cursor is open nothing else is
 * written on the session (anything queued waits for close()).
 *
 * Rows go through the same ResultCollector as every other query, so a batch
 * gets the same checks (a DataRow outside the row set, or with a column count
 * other than the RowDescription's, is a ProtocolError that ends the session).
 */
import { PgError, ProtocolError } from '../errors.js'
import { encodeBind, encodeDescribe, encodeExecute, encodeParse, FLUSH, SYNC } from '../protocol/frontend/index.js'
import type { BackendMessage } from '../protocol/messages.js'
import type { ParserSource } from '../types/registry.js'
import { ResultCollector } from './collector.js'
import type { Connection } from './connection.js'
import { bindParams, type BoundParams } from './extended-query.js'
import type { Operation, OperationHost } from './operation.js'
import { operationTimeout } from './operation-deadline.js'
import type { RowMode } from './result.js'

/** Options of `Client.cursor()`. */
export interface CursorOptions {
  /** Rows per read() when read() is called without a count (default 100). */
  batchSize?: number
  /** 'array' returns rows as arrays of values. */
  rowMode?: RowMode
  /**
   * Deadline of each read() and of close(), in milliseconds (default:
   * config.queryTimeoutMs): the portal is cancelled, and the session
   * destroyed if it is not back within cancel_timeout (see operation-deadline.ts).
   */
  timeoutMs?: number
}

/** Rows of one query fetched in batches. */
export interface Cursor<R> {
  /** The next up to `count` rows (default batchSize); an empty array once exhausted. */
  read(count?: number): Promise<R[]>
  /** End the portal (Sync) and free the session for other queries. */
  close(): Promise<void>
  /** `await using cur = client.cursor(...)` */
  [Symbol.asyncDispose](): Promise<void>
}

interface PendingRead {
  count: number
  resolve: (rows: unknown[]) => void
  reject: (error: Error) => void
}

/** The exclusive operation behind a cursor. */
export class CursorOperation implements Operation {
  readonly exclusive = true
  private host: OperationHost | undefined
  /** Rows of the batch being read; the collector's sink fills it. */
  private rows: unknown[] = []
  private readonly collector: ResultCollector
  private readonly reads: PendingRead[] = []
  private executing: PendingRead | undefined
  private exhausted = false
  private syncSent = false
  private failure: Error | undefined

  constructor(
    parsers: ParserSource,
    private readonly sql: string,
    private readonly params: BoundParams,
    mode: RowMode,
    private readonly finished: () => void,
    private readonly failed: (error: Error) => void,
  ) {
    // The portal's one row set spans every batch: CommandComplete is never handed to the collector.
    this.collector = new ResultCollector(parsers, mode, (row) => void this.rows.push(row))
  }

  /** Queue a read; its Execute is written once the portal exists and the previous batch is in. */
  read(count: number): Promise<unknown[]> {
    if (!Number.isInteger(count) || count < 1) return Promise.reject(new RangeError(`read count must be a positive integer, got ${count}`))
    if (this.failure) return Promise.reject(this.failure)
    if (this.exhausted) return Promise.resolve([])
    return new Promise((resolve, reject) => {
      this.reads.push({ count, resolve, reject })
      this.pump()
    })
  }

  /** Send Sync (once): the server closes the portal and answers ReadyForQuery. */
  close(): void {
    if (this.syncSent) return
    if (!this.host) {
      // Not on the wire yet: send only Sync when it gets there.
      this.exhausted = true
      return
    }
    this.syncSent = true
    this.host.write(SYNC)
  }

  send(host: OperationHost): void {
    this.host = host
    if (this.exhausted) {
      this.syncSent = true
      host.write(SYNC)
      return
    }
    const { params } = this
    host.write(encodeParse('', this.sql, params.oids))
    host.write(encodeBind({ statement: '', params: params.values, paramFormats: params.formats, resultFormats: [] }))
    host.write(encodeDescribe('P', ''))
    if (!this.pump()) host.write(FLUSH)
  }

  handle(message: BackendMessage): boolean {
    switch (message.type) {
      case 'ParseComplete':
      case 'BindComplete':
        return false
      case 'RowDescription':
        this.collector.describe(message.fields)
        return false
      case 'DataRow':
        if (!this.executing) throw new ProtocolError('server sent DataRow the cursor did not ask for')
        this.collector.row(message)
        return false
      case 'PortalSuspended':
        if (!this.executing) throw new ProtocolError('server sent PortalSuspended the cursor did not ask for')
        this.deliver()
        return false
      case 'NoData':
        // A statement without rows still runs on the first Execute.
        return false
      case 'CommandComplete':
      case 'EmptyQueryResponse':
        this.exhausted = true
        this.deliver()
        for (const read of this.reads.splice(0)) read.resolve([])
        // Nothing left to read: end the portal now so the session is free even before close().
        this.close()
        return false
      case 'ErrorResponse': {
        const error = new PgError(message.fields)
        error.query = this.sql
        // The server skips everything until Sync (protocol docs 55.2.3, error handling).
        this.abort(error)
        return false
      }
      case 'ReadyForQuery':
        if (!this.syncSent) throw new ProtocolError('server sent ReadyForQuery before the cursor was closed (no Sync sent)')
        this.exhausted = true
        for (const read of this.reads.splice(0)) read.resolve([])
        // A parser's error went to the reads; the session is fine.
        if (this.failure && this.failure !== this.collector.parseError) this.failed(this.failure)
        else this.finished()
        return true
      default:
        throw new ProtocolError(`server sent ${message.type} during a cursor`)
    }
  }

  fail(error: Error): void {
    this.failure ??= error
    for (const read of [this.executing, ...this.reads.splice(0)]) read?.reject(error)
    this.executing = undefined
    this.failed(error)
  }

  /** Write the next Execute if a read waits and none is in flight; true when written. */
  private pump(): boolean {
    if (!this.host || this.executing || this.syncSent || this.failure) return false
    const next = this.reads.shift()
    if (!next) return false
    this.executing = next
    this.host.write(encodeExecute('', next.count))
    this.host.write(FLUSH)
    return true
  }

  /** Reject the reads and end the portal: after an ErrorResponse, or a value parser that threw. */
  private abort(error: Error): void {
    this.failure = error
    for (const read of [this.executing, ...this.reads.splice(0)]) read?.reject(error)
    this.executing = undefined
    this.close()
  }

  private deliver(): void {
    const parseError = this.collector.parseError
    if (parseError) return this.abort(parseError)
    const read = this.executing
    this.executing = undefined
    const rows = this.rows
    this.rows = []
    read?.resolve(rows)
    this.pump()
  }
}

/** Open a cursor: queue its operation and return the reader. */
export function openCursor<R>(connection: Connection, sql: string, values: readonly unknown[], options: CursorOptions = {}): Cursor<R> {
  const batchSize = options.batchSize ?? 100
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`)
  let op!: CursorOperation
  // No deadline for the whole cursor (it lives as long as the caller reads); each read and close has one.
  const done = connection.track<void>({ timeoutMs: 0 }, (resolve, reject) => {
    op = new CursorOperation(connection.types, sql, bindParams(connection.types, values), options.rowMode ?? 'object', resolve, reject)
    return op
  }, sql, values.length)
  // Errors reach the caller through read(); close() reports only session loss.
  const settled = done.then(
    () => undefined,
    (error: Error) => error,
  )
  const timeoutMs = operationTimeout(options, connection.config.queryTimeoutMs)
  /** One read or close under its own deadline. */
  const guarded = <T>(call: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const deadline = op && timeoutMs > 0 ? connection.watch(op, timeoutMs, undefined, reject) : undefined
      call().then(
        (value) => (deadline?.settle(), resolve(value)),
        (error: Error) => (deadline?.settle(), reject(deadline ? deadline.outcome(error) : error)),
      )
    })
  const close = (): Promise<void> =>
    guarded(async () => {
      if (op) op.close()
      const error = await settled
      if (error && !(error instanceof PgError)) throw error
    })
  return {
    read: (count = batchSize) => guarded(() => (op ? (op.read(count) as Promise<R[]>) : done.then(() => []))),
    close,
    [Symbol.asyncDispose]: close,
  }
}
