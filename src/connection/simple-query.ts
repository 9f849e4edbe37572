/**
 * Simple query protocol (protocol docs 55.2.2): one Query message, any number
 * of statements, text results. Used for queries without parameters, so
 * multi-statement scripts work as in psql and pg.
 *
 * Valid answers, per statement: RowDescription, DataRow*, CommandComplete;
 * or CommandComplete; or EmptyQueryResponse; or a COPY exchange; an
 * ErrorResponse ends the script; ReadyForQuery ends the query. Anything out
 * of that order is a ProtocolError that ends the session.
 */
import { PgError, ProtocolError } from '../errors.js'
import { COPY_DONE, encodeCopyFail, encodeQuery } from '../protocol/frontend/index.js'
import type { BackendMessage } from '../protocol/messages.js'
import type { ParserSource } from '../types/registry.js'
import { ResultCollector } from './collector.js'
import type { Operation, OperationHost } from './operation.js'
import type { Result, RowMode } from './result.js'

/** One Query message; resolves with one Result per statement. */
export class SimpleQuery implements Operation {
  readonly exclusive = false
  private collector!: ResultCollector
  private error: PgError | undefined
  /** Some statement answered (a result, an empty query or an error). */
  private answered = false
  /** Inside a COPY started by this script: 'in' was refused with CopyFail, 'out' is read and dropped. */
  private copy: 'in' | 'out' | undefined

  constructor(
    private readonly sql: string,
    private readonly parsers: ParserSource,
    private readonly mode: RowMode,
    private readonly resolve: (results: Result<unknown>[], status: 'I' | 'T' | 'E') => void,
    private readonly reject: (error: Error) => void,
  ) {}

  send(host: OperationHost): void {
    this.collector = new ResultCollector(this.parsers, this.mode, undefined, host.maxResultBytes)
    host.write(encodeQuery(this.sql))
  }

  handle(message: BackendMessage, host: OperationHost): boolean {
    if (message.type === 'ErrorResponse') {
      if (this.error) throw new ProtocolError('server sent a second ErrorResponse for one query')
      this.error = new PgError(message.fields)
      this.error.query = this.sql
      this.answered = true
      this.copy = undefined
      return false
    }
    if (message.type === 'ReadyForQuery') {
      // An ErrorResponse ends a row set or COPY (a query cancelled mid-result sends T, D…, E, Z).
      if (!this.error && (this.collector.inRowSet || this.copy !== undefined))
        throw new ProtocolError('server sent ReadyForQuery in the middle of a result')
      if (!this.answered) throw new ProtocolError('server sent ReadyForQuery before any result of the query')
      const failure = this.collector.failure
      if (failure) this.reject(failure)
      else if (this.error) this.reject(this.error)
      else this.resolve(this.collector.results, message.status)
      return true
    }
    // After an ErrorResponse the server skips the rest of the script: only ReadyForQuery may follow.
    if (this.error) throw new ProtocolError(`server sent ${message.type} after the query's ErrorResponse`)
    if (this.copy !== undefined) return this.handleCopy(message)
    switch (message.type) {
      case 'RowDescription':
        this.collector.describe(message.fields)
        return false
      case 'DataRow': {
        const overflowed = this.collector.overflow !== undefined
        this.collector.row(message)
        // Too large: stop the server rather than read the rest (the rows are dropped meanwhile).
        if (!overflowed && this.collector.overflow) host.cancelRunning()
        return false
      }
      case 'CommandComplete':
        this.collector.complete(message.tag)
        this.answered = true
        return false
      case 'EmptyQueryResponse':
        this.collector.empty()
        this.answered = true
        return false
      case 'CopyInResponse':
        // COPY FROM STDIN needs a data source: refuse it so the session stays usable.
        host.write(encodeCopyFail('COPY FROM STDIN is not supported by query(); use copyFrom()'))
        this.copy = 'in'
        return false
      case 'CopyOutResponse':
        this.copy = 'out'
        return false
      case 'CopyBothResponse':
        host.write(COPY_DONE)
        this.copy = 'out'
        return false
      default:
        throw new ProtocolError(`server sent ${message.type} during a simple query`)
    }
  }

  fail(error: Error): void {
    this.reject(error)
  }

  /** COPY TO output is read and dropped; COPY FROM was refused and only its error may come. */
  private handleCopy(message: BackendMessage): boolean {
    if (this.copy === 'out' && (message.type === 'CopyData' || message.type === 'CopyDone')) {
      if (message.type === 'CopyDone') this.copy = undefined
      return false
    }
    throw new ProtocolError(`server sent ${message.type} during COPY ${this.copy === 'in' ? 'FROM STDIN' : 'TO STDOUT'}`)
  }
}
