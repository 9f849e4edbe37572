/**
 * pg's `Query`: `new pg.Query(text | config, values?, callback?)` passed to
 * `client.query()`, which returns it. It emits 'row' (row, result) for each
 * row, then 'end' (result) — or 'error' when it has no callback — and calls
 * its callback as pg does. pgfleet/pg runs it through the session's own
 * query path (results parsed by the row pipeline), not as a raw submittable.
 */
import type { Callback } from './callback.js'
import { Emitter } from './emitter.js'
import type { CustomTypesConfig } from './pg-types.js'
import type { QueryConfig, QueryResult } from './result.js'

/** pg's `normalizeQueryConfig`: text or config, values or callback in either place. */
export function normalizeQueryConfig(
  config: string | QueryConfig,
  values?: readonly unknown[] | Callback<any>,
  callback?: Callback<any>,
): QueryConfig & { callback?: Callback<any> } {
  const out: QueryConfig & { callback?: Callback<any> } = typeof config === 'string' ? { text: config } : { ...config }
  if (values !== undefined && values !== null) {
    if (typeof values === 'function') out.callback = values
    else out.values = values
  }
  if (callback) out.callback = callback
  return out
}

/** See the module comment. */
export class Query extends Emitter {
  text: string
  values: readonly unknown[] | undefined
  name: string | undefined
  types: CustomTypesConfig | undefined
  rowMode: 'array' | undefined
  queryMode: 'extended' | undefined
  rows: number | undefined
  query_timeout: number | undefined
  callback: Callback<any> | undefined

  constructor(config: string | QueryConfig, values?: readonly unknown[] | Callback<any>, callback?: Callback<any>) {
    super()
    const c = normalizeQueryConfig(config, values, callback)
    this.text = c.text
    this.values = c.values
    this.name = c.name
    this.types = c.types
    this.rowMode = c.rowMode
    this.queryMode = c.queryMode
    this.rows = c.rows
    this.query_timeout = c.query_timeout
    this.callback = c.callback
  }

  /** The config pgfleet/pg runs. */
  toConfig(): QueryConfig {
    const c: QueryConfig = { text: this.text }
    if (this.values !== undefined) c.values = this.values
    if (this.name !== undefined) c.name = this.name
    if (this.types !== undefined) c.types = this.types
    if (this.rowMode !== undefined) c.rowMode = this.rowMode
    if (this.queryMode !== undefined) c.queryMode = this.queryMode
    if (this.query_timeout !== undefined) c.query_timeout = this.query_timeout
    return c
  }

  /** @internal The outcome, reported as pg's Query reports it. */
  settle(error: Error | null, result?: QueryResult | QueryResult[]): void {
    if (error) {
      if (this.callback) return void this.callback(error)
      this.emit('error', error)
      return
    }
    for (const r of Array.isArray(result) ? result : [result!]) for (const row of r.rows) this.emit('row', row, r)
    if (this.callback) this.callback(null, result)
    this.emit('end', result)
  }

  /** pg's submittable hook; pgfleet/pg clients run a Query directly, so it is never called by them. */
  submit(): Error {
    return new Error('a pgfleet/pg Query runs only on a pgfleet/pg client')
  }
}
