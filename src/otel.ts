/**
 * pgfleet/otel: OpenTelemetry spans for pgfleet's queries, connects and pool
 * acquires, on the tracer you pass (no dependency on @opentelemetry/*).
 * Runtime-neutral: it only subscribes to pgfleet's events (src/observe).
 */
export { instrument, type InstrumentOptions, type TracerLike, type SpanLike, type SpanAttributes } from './observe/otel.js'
export { sanitizeSql } from './observe/sanitize.js'
