/**
 * OpenTelemetry tracing for pgfleet (`pgfleet/otel`), on the user's own
 * tracer: no dependency on @opentelemetry/api, the tracer is taken by shape.
 * Spans follow the database semantic conventions (semconv 1.3x, stable
 * database spans; PostgreSQL page):
 *
 *   name                      `{operation} {database}` (e.g. `SELECT app`), kind CLIENT
 *   db.system.name            'postgresql'
 *   db.namespace              the database (the schema would need a round trip)
 *   db.query.text             as given when values were bound; otherwise literals → ? (sanitize.ts)
 *   db.operation.name         first key word of the statement (single statements)
 *   db.response.status_code   the SQLSTATE, when the server answered with an error
 *   db.response.returned_rows rows returned or affected
 *   error.type                the SQLSTATE, else the pgfleet error code or class name
 *   server.address / .port    the node the session runs on
 *
 * A span starts where the query is called, so it is a child of whatever
 * span is active there. Connects and pool acquires get spans too (turn them
 * off with the options); balancer decisions are events only (`observe`).
 */
import { observe, type ConnectStartEvent, type PgfleetEvent, type QueryStartEvent } from './events.js'
import { sanitizeSql } from './sanitize.js'

/** Attribute values as OpenTelemetry takes them. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>

/** The part of an OpenTelemetry `Span` used here. */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown
  setStatus(status: { code: number; message?: string }): unknown
  recordException(exception: Error): unknown
  addEvent?(name: string, attributes?: SpanAttributes): unknown
  end(): void
}

/** The part of an OpenTelemetry `Tracer` used here (`trace.getTracer('my-service')` fits). */
export interface TracerLike {
  startSpan(name: string, options?: { kind?: number; attributes?: SpanAttributes }): SpanLike
}

/** What to trace. */
export interface InstrumentOptions {
  /** Spans for opening sessions (default true). */
  connect?: boolean
  /** Spans for pool checkouts (default true). */
  acquire?: boolean
  /** Record db.query.text (default true; values are never in it). */
  queryText?: boolean
  /** More attributes for every query span (e.g. a service-specific tag). */
  attributes?: (event: QueryStartEvent) => SpanAttributes
}

/** OpenTelemetry's SpanKind.CLIENT and INTERNAL, SpanStatusCode.ERROR (stable numeric values of the API). */
const SPAN_KIND_CLIENT = 2
const SPAN_KIND_INTERNAL = 0
const STATUS_ERROR = 2

/**
 * Trace pgfleet's queries, connects and pool acquires with `tracer` until
 * the returned function is called. Works for every pgfleet entry in the
 * process (`pgfleet`, `pgfleet/pg`, `pgfleet/prisma`).
 *
 * @example
 * import { trace } from '@opentelemetry/api'
 * import { instrument } from 'pgfleet/otel'
 * const stop = instrument(trace.getTracer('orders-service'))
 */
export function instrument(tracer: TracerLike, options: InstrumentOptions = {}): () => void {
  const open = new Map<string, SpanLike>()
  return observe((event) => handle(tracer, options, open, event))
}

function handle(tracer: TracerLike, options: InstrumentOptions, open: Map<string, SpanLike>, event: PgfleetEvent): void {
  switch (event.type) {
    case 'query:start': {
      const sanitized = sanitizeSql(event.text)
      const operation = operationOf(sanitized)
      const span = tracer.startSpan(operation ? `${operation} ${event.database}` : event.database || 'postgresql', {
        kind: SPAN_KIND_CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.namespace': event.database,
          ...(options.queryText === false ? {} : { 'db.query.text': event.params > 0 ? event.text : sanitized }),
          ...(operation ? { 'db.operation.name': operation } : {}),
          'server.address': event.node.host,
          'server.port': event.node.port,
          ...options.attributes?.(event),
        },
      })
      open.set(`q${event.id}`, span)
      return
    }
    case 'query:end': {
      const span = take(open, `q${event.id}`)
      if (typeof event.rows === 'number') span?.setAttribute('db.response.returned_rows', event.rows)
      return finish(span, event.error, event.sqlstate)
    }
    case 'connect:start':
      if (options.connect !== false) open.set(`c${event.id}`, tracer.startSpan('connect', { kind: SPAN_KIND_CLIENT, attributes: connectAttributes(event) }))
      return
    case 'connect:end': {
      const span = take(open, `c${event.id}`)
      if (event.encrypted !== undefined) span?.setAttribute('pgfleet.tls', event.encrypted)
      return finish(span, event.error, event.sqlstate)
    }
    case 'acquire:start':
      if (options.acquire !== false) {
        const attributes = { 'db.system.name': 'postgresql', 'db.namespace': event.database, 'pgfleet.pool.idle': event.pool.idle, 'pgfleet.pool.waiting': event.pool.waiting }
        open.set(`a${event.id}`, tracer.startSpan('pool acquire', { kind: SPAN_KIND_INTERNAL, attributes }))
      }
      return
    case 'acquire:end': {
      const span = take(open, `a${event.id}`)
      if (event.session) {
        span?.setAttribute('server.address', event.session.node.host)
        span?.setAttribute('server.port', event.session.node.port)
      }
      return finish(span, event.error, event.sqlstate)
    }
    case 'balancer:pick':
      // Decisions have no span of their own: they precede the connect they choose for.
      return
  }
}

function connectAttributes(event: ConnectStartEvent): SpanAttributes {
  return { 'db.system.name': 'postgresql', 'db.namespace': event.database, 'server.address': event.node.host, 'server.port': event.node.port }
}

function take(open: Map<string, SpanLike>, key: string): SpanLike | undefined {
  const span = open.get(key)
  open.delete(key)
  return span
}

/** Error status and attributes (semconv "Recording errors"), then end. */
function finish(span: SpanLike | undefined, error: Error | undefined, sqlstate: string | undefined): void {
  if (!span) return
  if (error) {
    if (sqlstate) span.setAttribute('db.response.status_code', sqlstate)
    span.setAttribute('error.type', sqlstate ?? errorType(error))
    span.recordException(error)
    span.setStatus({ code: STATUS_ERROR, message: error.message })
  }
  span.end()
}

function errorType(error: Error): string {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && code !== '' ? code : error.name || 'Error'
}

/** The statement's first key word, upper-cased, when the (sanitized) text is one statement (comments skipped). */
export function operationOf(text: string): string | undefined {
  const body = text.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '')
  const word = /^[A-Za-z]+/.exec(body)?.[0]
  if (!word) return undefined
  // Several statements: no single operation (a trailing semicolon is still one).
  if (body.replace(/;\s*$/, '').includes(';')) return undefined
  return word.toUpperCase()
}
