/**
 * Simple query protocol (protocol docs 55.2.2): one Query message, any number
 * of statements, text results. Used for queries without parameters, so
 * multi-statement scripts work as in psql and pg.
 */
import { PgError } from '../errors.js'
import { COPY_DONE, encodeCopyFail, encodeQuery } from '../protocol/frontend/index.js'
import type { BackendMessage } from '../protocol/messages.js'
import type { TypeRegistry } from '../types/registry.js'
import { ResultCollector } from './collector.js'
import type { Operation, OperationHost } from './operation.js'
import type { Result, RowMode } from './result.js'

/** One Query message; resolves with one Result per statement. */
export class SimpleQuery implements Operation {
  readonly exclusive = false
  private readonly collector: ResultCollector
  private error: PgError | undefined

  constructor(
    private readonly sql: string,
    registry: TypeRegistry,
    mode: RowMode,
    private readonly resolve: (results: Result<unknown>[], status: 'I' | 'T' | 'E') => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.collector = new ResultCollector(registry, mode)
  }

  send(host: OperationHost): void {
    host.write(encodeQuery(this.sql))
  }

  handle(message: BackendMessage, host: OperationHost): boolean {
    switch (message.type) {
      case 'RowDescription':
        this.collector.describe(message.fields)
        return false
      case 'DataRow':
        this.collector.row(message.values)
        return false
      case 'CommandComplete':
        this.collector.complete(message.tag)
        return false
      case 'EmptyQueryResponse':
        this.collector.empty()
        return false
      case 'ErrorResponse':
        this.error = new PgError(message.fields)
        this.error.query = this.sql
        return false
      case 'CopyInResponse':
        // COPY FROM STDIN needs a data source: refuse it so the session stays usable.
        host.write(encodeCopyFail('COPY FROM STDIN is not supported by query(); use copyFrom()'))
        return false
      case 'CopyOutResponse':
      case 'CopyData':
      case 'CopyDone':
        return false
      case 'CopyBothResponse':
        host.write(COPY_DONE)
        return false
      case 'ReadyForQuery':
        if (this.error) this.reject(this.error)
        else this.resolve(this.collector.results, message.status)
        return true
      default:
        return false
    }
  }

  fail(error: Error): void {
    this.reject(error)
  }
}
