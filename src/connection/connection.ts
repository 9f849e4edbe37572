/**
 * One server session. States, in order:
 *
 *   open ──► ready ──► closing ──► closed
 *               └──────────────────► closed   (socket error, server kill, destroy)
 *
 * `Connection.open` runs the startup (startup.ts) and returns a ready
 * connection. Queries become operations in a FIFO queue; each is written as
 * soon as it is queued (pipelining) unless an exclusive operation (COPY) is in
 * flight. Backend messages go to the oldest operation until its ReadyForQuery.
 * A message valid in no state (a row while no query runs, a FATAL error the
 * server does not follow with a close, anything an operation does not
 * expect) ends the session: never a result with rows missing. Each
 * operation's timeout and abort belong to its OperationDeadline (cancel, then
 * destroy after cancel_timeout). When the session ends for any reason every
 * queued operation is rejected and `closed` resolves exactly once.
 */
import { SessionEvents, type Notification } from './session-events.js'
import { wants } from '../observe/events.js'
import { observeQuery } from '../observe/produce.js'
import type { Config, HostSpec } from '../config/types.js'
import { describeHost } from '../config/index.js'
import { abortReason, settlesWithin, type StopSignal } from '../deadline.js'
import { ConnectionError, ErrorCode, isFatalSeverity, PgError, PgfleetError, ProtocolError, type ServerErrorFields } from '../errors.js'
import { TERMINATE } from '../protocol/frontend/index.js'
import { concatBytes } from '../protocol/writer.js'
import type { BackendMessage } from '../protocol/messages.js'
import { TypeRegistry, type ParserSource } from '../types/registry.js'
import { sendCancelRequest } from './cancel.js'
import { bindParams, ExtendedQuery, type ExtendedContext } from './extended-query.js'
import type { Operation, OperationHost } from './operation.js'
import { hasDeadline, OperationDeadline, operationTimeout, type DeadlineHost } from './operation-deadline.js'
import { SessionCancels } from './session-cancels.js'
import type { Result, Row, RowMode } from './result.js'
import type { RowSink } from './collector.js'
import { SimpleQuery } from './simple-query.js'
import type { Runtime } from '../runtime.js'
import { recordParameter, startSession, type SessionInfo } from './startup.js'
import { StatementCache } from './statement-cache.js'
import type { Wire } from './wire.js'

/** Lifecycle of a Connection: open and usable, close() under way, ended. */
export type ConnectionState = 'ready' | 'closing' | 'closed'

/** A NotificationResponse (LISTEN/NOTIFY). */
export type { Notification }

/** Per-query options of Connection.query and friends. */
export interface QueryOptions {
  /** 'array' returns rows as arrays of values. */
  rowMode?: RowMode
  /**
   * Parse this query's columns with these parsers instead of the session's
   * registry: another TypeRegistry, or any ParserSource (pgfleet/pg plugs
   * pg-types in this way). Parameters are still serialized by the session's.
   */
  parsers?: ParserSource
  /** Use a cached named statement (default true when the cache is on). */
  prepare?: boolean
  /** Cancel the query when aborted (rejects with PGFLEET_ABORTED). */
  signal?: AbortSignal
  /** Cancel the query after this many milliseconds (default: config.queryTimeoutMs; rejects with PGFLEET_QUERY_TIMEOUT). */
  timeoutMs?: number
}

/** The options of a call that passed none (shared: never mutated). */
export const NO_OPTIONS: QueryOptions = Object.freeze({})

/** Resolve a script's call with its last statement's result (an empty one for an empty script). */
function resolveLast<R>(resolve: (result: Result<R>) => void): (results: Result<unknown>[]) => void {
  return (results) => resolve((results[results.length - 1] ?? emptyResult()) as Result<R>)
}

/** How long close() waits for queued operations before it destroys the session. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000

/** Callbacks for what the server sends outside any query (notices, notifications) and for a session that ends by itself. */
export interface ConnectionHooks {
  onNotice?: (notice: ServerErrorFields) => void
  onNotification?: (notification: Notification) => void
  /** The session ended without the user closing it (server kill, network). */
  onError?: (error: Error) => void
}

/** One server session after startup: the operation queue (pipelined), the statement cache and the types registry. */
export class Connection implements OperationHost, DeadlineHost {
  /** Server parameters (server_version, TimeZone, ...), kept up to date. */
  readonly parameters: Map<string, string>
  readonly processId: number
  /** The exact node this session runs on (cancel goes here). */
  readonly host: HostSpec
  readonly types: TypeRegistry
  /** Whether the session is encrypted. */
  readonly encrypted: boolean
  /** The protocol version the startup settled on: '3.0', or '3.2' (PostgreSQL 18 with max_protocol_version 3.2). */
  readonly protocolVersion: '3.0' | '3.2'
  /** Resolves once, when the session has ended for any reason, with the reason (undefined after close()). */
  readonly closed: Promise<Error | undefined>

  private state: ConnectionState = 'ready'
  private status: 'I' | 'T' | 'E'
  private readonly wire: Wire
  private readonly secretKey: Uint8Array
  private readonly sent: Operation[] = []
  private readonly waiting: Operation[] = []
  private exclusiveInFlight: Operation | undefined
  private outbox: Uint8Array[] = []
  private flushScheduled = false
  /** The extended protocol's statement cache and registry, made by the first extended query (see extendedContext). */
  private ctx: ExtendedContext | undefined
  private endReason: Error | undefined
  private resolveClosed!: (reason: Error | undefined) => void
  private userClosed = false
  /** Made by the first cancel (most sessions never cancel: ~1 KB and two closures less per connect). */
  private cancelState: SessionCancels | undefined
  /** Notices, notifications and the error that ended the session: subscribe with `events.on(...)`. */
  readonly events = new SessionEvents()
  private readonly hookSubscriptions: (() => void)[] = []

  private constructor(
    readonly config: Config,
    private readonly runtime: Runtime,
    session: SessionInfo,
    host: HostSpec,
    hooks: ConnectionHooks,
  ) {
    this.host = host
    // The hooks given at connect are the first subscribers.
    if (hooks.onNotice) this.hookSubscriptions.push(this.events.on('notice', hooks.onNotice))
    if (hooks.onNotification) this.hookSubscriptions.push(this.events.on('notification', hooks.onNotification))
    if (hooks.onError) this.hookSubscriptions.push(this.events.on('error', hooks.onError))
    // Notices of the startup (e.g. a deprecated setting in `options`) reach the connect-time subscribers.
    for (const notice of session.notices) this.events.emit('notice', notice)
    this.wire = session.wire
    this.parameters = session.parameters
    this.processId = session.processId
    this.secretKey = session.secretKey
    this.protocolVersion = session.protocolMinor === 2 ? '3.2' : '3.0'
    this.status = session.status
    this.encrypted = session.tls !== undefined
    this.types = new TypeRegistry()
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve))
    this.wire.setHandler((message) => this.dispatch(message))
    this.wire.onClose(() => this.ended())
  }

  /** Open a session on `host` (startup and authentication included), bounded by connect_timeout or `signal`. */
  static async open(config: Config, host: HostSpec, runtime: Runtime, hooks: ConnectionHooks = {}, signal?: StopSignal): Promise<Connection> {
    const session = await startSession(config, host, runtime, signal)
    return new Connection(config, runtime, session, host, hooks)
  }

  /** Stop calling the hooks given at connect (a wrapper that reports this session's events itself takes over). */
  detachHooks(): void {
    this.hookSubscriptions.splice(0).forEach((off) => off())
  }

  /** 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block (from the last ReadyForQuery). */
  get transactionStatus(): 'I' | 'T' | 'E' {
    return this.status
  }

  get isReady(): boolean {
    return this.state === 'ready'
  }

  /** Why the session ended by itself (server kill, network, a deadline); undefined while open or after close(). */
  get endError(): Error | undefined {
    return this.state === 'closed' && !this.userClosed ? this.whyEnded() : undefined
  }

  /** Why an ended session ended: the reason it was ended with, else the wire's (built on first read: see wire.ts). */
  private whyEnded(): Error {
    return this.endReason ?? this.wire.error!
  }

  /** Number of operations not yet finished. */
  get pending(): number {
    return this.sent.length + this.waiting.length
  }

  /**
   * Run one statement. With `values` (even empty) or options it uses the
   * extended protocol with bound parameters; without, the simple protocol,
   * which also accepts several statements (the last one's result is returned).
   */
  query<R = Row>(sql: string, values?: readonly unknown[], options: QueryOptions = NO_OPTIONS): Promise<Result<R>> {
    if (values === undefined && options.prepare === undefined) {
      // The last statement's result, handed over by the operation itself: no extra promise per query.
      const parsers = options.parsers ?? this.types
      const mode = options.rowMode ?? 'object'
      return this.track(options, (resolve, reject) => new SimpleQuery(sql, parsers, mode, resolveLast(resolve), reject), sql)
    }
    return this.extended(sql, values ?? [], options) as Promise<Result<R>>
  }

  /** Run a script of one or more statements (simple protocol); one result per statement. */
  simple(sql: string, options: QueryOptions = NO_OPTIONS): Promise<Result<unknown>[]> {
    return this.track(options, (resolve, reject) => new SimpleQuery(sql, options.parsers ?? this.types, options.rowMode ?? 'object', resolve, reject), sql)
  }

  /** Run one statement with bound parameters, rows delivered to `sink` when given. */
  extended(sql: string, values: readonly unknown[], options: QueryOptions = NO_OPTIONS, sink?: RowSink): Promise<Result<unknown>> {
    return this.track(options, (resolve, reject) => {
      const params = bindParams(this.types, values)
      const prepare = options.prepare ?? true
      const extended = { mode: options.rowMode ?? 'object', parsers: options.parsers, sink, prepare } as const
      return new ExtendedQuery(this.extendedContext(), sql, params, extended, resolve, reject)
    }, sql, values.length)
  }

  /**
   * Queue an operation built by `make` under its deadline (options.timeoutMs,
   * default query_timeout, and options.signal; see operation-deadline.ts).
   * Rejects at once if the connection is not ready. With `text`, observers
   * of query events (src/observe) see it start and end.
   */
  track<T>(options: QueryOptions, make: (resolve: (value: T) => void, reject: (error: Error) => void) => Operation, text?: string, params = 0): Promise<T> {
    const tracked = this.tracked(options, make)
    return text !== undefined && wants('query') ? observeQuery(this, text, params, tracked) : tracked
  }

  private tracked<T>(options: QueryOptions, make: (resolve: (value: T) => void, reject: (error: Error) => void) => Operation): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.state !== 'ready') return reject(this.notReadyError())
      const signal = options.signal
      if (signal?.aborted) return reject(abortedBeforeSent(signal))
      const timeoutMs = operationTimeout(options, this.config.queryTimeoutMs)
      let deadline: OperationDeadline | undefined
      let settled = false
      let op: Operation
      try {
        op = make(
          (value) => ((settled = true), deadline?.settle(), resolve(value)),
          (error) => ((settled = true), deadline?.settle(), reject(deadline ? deadline.outcome(error) : error)),
        )
      } catch (error) {
        return reject(error)
      }
      this.enqueue(op)
      // After enqueue: a session that ended fails the operation at once, and then there is nothing to watch.
      if (!settled) deadline = this.watch(op, timeoutMs, signal, (error) => ((settled = true), reject(error)))
    })
  }

  /**
   * A deadline for `op` (queued or on the wire): `timeoutMs` (0 = none) and
   * `signal`. The caller settles it when its call settles and maps errors
   * through its outcome(); `rejectNow` rejects the call early when `op` is
   * written behind others. Undefined when there is nothing to watch.
   */
  watch(op: Operation, timeoutMs: number, signal: AbortSignal | undefined, rejectNow: (error: Error) => void): OperationDeadline | undefined {
    if (!hasDeadline(timeoutMs, signal)) return undefined
    return new OperationDeadline(op, timeoutMs, signal, this, rejectNow)
  }

  /** Queue an operation (written now unless an exclusive one is in flight or the session is held for a cancel). */
  enqueue(op: Operation): void {
    if (this.state === 'closed') return op.fail(this.notReadyError())
    if (this.exclusiveInFlight || this.cancelState?.holding || this.waiting.length > 0) this.waiting.push(op)
    else this.start(op)
  }

  /**
   * Ask the server to cancel whatever this session is running: a
   * CancelRequest on a new socket to this session's own host and port, with
   * the same TLS settings (protocol docs 55.2.8). `signal` stops the request.
   */
  cancel(signal?: AbortSignal): Promise<void> {
    return sendCancelRequest(this.config, this.host, this.runtime, this.processId, this.secretKey, { signal })
  }

  /**
   * Wait for queued operations (at most `timeoutMs`, default 5 s; then the
   * session is destroyed), send Terminate and close the socket. Never waits on
   * a silent peer longer than that plus the transport's close grace.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'closed') return void (await this.closed)
    // A close the caller awaits keeps the process alive until it is done (an
    // idle pooled session is unref'd; otherwise pool.end() never settled).
    this.ref()
    this.userClosed = true
    if (this.state === 'ready') {
      this.state = 'closing'
      const ms = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS
      // Nothing queued (the usual close): no timer to set and clear.
      if (this.pending > 0 && !(await settlesWithin(this.whenIdle(), ms))) {
        const address = describeHost(this.host)
        this.destroy(new ConnectionError(`closed the session to ${address}: queries still running ${ms} ms after close()`, { code: ErrorCode.CloseTimeout, address }))
      } else if (!this.wire.isEnded) {
        this.write(TERMINATE)
        this.flush()
        this.wire.socket.close()
      }
    }
    await this.closed
  }

  /** Close at once: pending operations are rejected. */
  destroy(error?: Error): void {
    this.userClosed = true
    this.wire.fail(error ?? new ConnectionError('connection destroyed', { code: ErrorCode.Destroyed, address: describeHost(this.host) }))
  }

  /**
   * Resolves once no operation is queued or on the wire, or the session
   * ended (a pool gives back a shared session only then: a query whose
   * caller was rejected at its deadline may still be answered or cancelled).
   */
  whenIdle(): Promise<void> {
    if (this.pending === 0 || this.wire.isEnded) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Allow the process to exit while this connection is open (idle pool connections). */
  unref(): void {
    this.wire.socket.unref?.()
  }

  ref(): void {
    this.wire.socket.ref?.()
  }

  // ---- OperationHost -------------------------------------------------------

  write(bytes: Uint8Array): void {
    this.outbox.push(bytes)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      queueMicrotask(this.flushNow)
    }
  }

  pause(): void {
    this.wire.pause()
  }

  resume(): void {
    this.wire.resume()
  }

  drain(): Promise<void> {
    this.flush()
    return this.wire.isEnded ? Promise.resolve() : this.wire.socket.drain()
  }

  get maxResultBytes(): number {
    return this.config.maxResultBytes
  }

  cancelRunning(): void {
    // With more already written behind it, the cancel could stop those too:
    // then the rest of the result is only read and dropped.
    if (this.sent.length === 1) this.cancels().request(this.sent[0]!, () => undefined)
  }

  // ---- DeadlineHost ---------------------------------------------------------

  get address(): string {
    return describeHost(this.host)
  }

  get cancelTimeoutMs(): number {
    return this.config.cancelTimeoutMs
  }

  unqueue(op: Operation): boolean {
    const index = this.waiting.indexOf(op)
    if (index === -1) return false
    this.waiting.splice(index, 1)
    this.wakeIdleWaiters()
    return true
  }

  isRunning(op: Operation): boolean {
    return this.sent[0] === op
  }

  /** See session-cancels.ts: sent now if `op` runs, else once it runs with nothing written behind it. */
  cancelOperation(op: Operation, sent: () => void): void {
    if (this.sent[0] === op) this.cancels().request(op, sent)
    else if (this.sent.includes(op)) this.cancels().defer(op, sent)
  }

  abandon(op: Operation, reason: Error): void {
    if (this.isPending(op)) this.wire.fail(reason)
  }

  // ---- internals -----------------------------------------------------------

  private readonly idleWaiters: (() => void)[] = []

  /** This session's cancel bookkeeping, made on first use. */
  private cancels(): SessionCancels {
    if (this.cancelState === undefined) {
      const { config, host, runtime } = this
      // Cancels for this session's own operations run in the background: they never keep the process up.
      const background = () => sendCancelRequest(config, host, runtime, this.processId, this.secretKey, { background: true })
      this.cancelState = new SessionCancels(background, () => this.startWaiting(), config.cancelTimeoutMs)
    }
    return this.cancelState
  }

  /** Made on first use: a session that runs only simple queries (connect, `select 1`, close) needs no statement cache. */
  private extendedContext(): ExtendedContext {
    return (this.ctx ??= {
      registry: this.types,
      cache: new StatementCache(this.config.statementCacheSize),
      staleStatements: [],
      requeue: (op) => this.enqueue(op),
    })
  }

  private isPending(op: Operation): boolean {
    return this.sent.includes(op) || this.waiting.includes(op)
  }

  private start(op: Operation): void {
    const written = this.outbox.length
    this.sent.push(op)
    if (op.exclusive) this.exclusiveInFlight = op
    try {
      op.send(this)
    } catch (error) {
      // Its messages could not be encoded (a NUL in the SQL): none of them reach the server,
      // only this call fails, and the queue moves on (an answer must never go to a dead entry).
      this.outbox.length = written
      this.sent.splice(this.sent.indexOf(op), 1)
      if (this.exclusiveInFlight === op) this.exclusiveInFlight = undefined
      op.fail(error instanceof Error ? error : new Error(String(error)))
      this.wakeIdleWaiters()
    }
  }

  /** flush() as a callback for queueMicrotask (see flusherOf). */
  private readonly flushNow = Connection.flusherOf(this)

  /**
   * A closure made by a call, never a function literal stored straight into
   * a property: V8's parser marks `this.f = () => ...` for old-space
   * allocation, and an old closure that holds the session keeps all of it
   * (wire, reader, parameters) alive through every young-generation GC until
   * the next full one. That closure was the one link: connect + select 1 +
   * close promoted 4.2 KB per connect with it, 0.5 KB without (pg 1.3-2.5 KB).
   */
  private static flusherOf(connection: Connection): () => void {
    return () => connection.flush()
  }

  /** Coalesce the messages queued in this tick into one socket write. */
  private flush(): void {
    this.flushScheduled = false
    const parts = this.outbox
    if (parts.length === 0) return
    this.outbox = []
    this.wire.write(parts.length === 1 ? parts[0]! : concatBytes(parts))
  }

  /** One backend message; a throw ends the session with a ProtocolError (wire.ts). */
  private dispatch(message: BackendMessage): void {
    switch (message.type) {
      // Asynchronous messages: valid at any time (protocol docs 55.2.7).
      case 'NotificationResponse':
        this.events.emit('notification', { processId: message.processId, channel: message.channel, payload: message.payload })
        return
      case 'NoticeResponse':
        this.events.emit('notice', message.fields)
        return
      case 'ParameterStatus':
        recordParameter(this.parameters, message.name, message.value)
        return
    }
    if (message.type === 'ErrorResponse' && isFatalSeverity(message.fields)) {
      // A FATAL error ends the session (57P01 after pg_terminate_backend, an idle
      // timeout): the server closes next; one that does not must not leave it hanging.
      this.endReason = new PgError(message.fields)
      return this.wire.fail(this.endReason)
    }
    const op = this.sent[0]
    if (!op) throw new ProtocolError(`server sent ${message.type} while no query was running`)
    if (message.type === 'ReadyForQuery') this.status = message.status
    // The server dropped every prepared statement, whichever protocol ran the command.
    if (message.type === 'CommandComplete' && (message.tag === 'DISCARD ALL' || message.tag === 'DEALLOCATE ALL')) this.ctx?.cache.clear()
    if (!op.handle(message, this)) return
    this.sent.shift()
    const cancels = this.cancelState
    if (cancels !== undefined) {
      cancels.finished(op)
      if (this.sent[0]) cancels.nowRunning(this.sent[0], this.sent.length === 1)
    }
    if (op === this.exclusiveInFlight) this.exclusiveInFlight = undefined
    this.startWaiting()
    this.wakeIdleWaiters()
  }

  /** Write queued operations, unless an exclusive one runs or a cancel holds the session. */
  private startWaiting(): void {
    while (this.waiting.length > 0 && !this.exclusiveInFlight && !this.cancelState?.holding && this.state !== 'closed') this.start(this.waiting.shift()!)
  }

  /** close() and whenIdle() wait for the queue to empty. */
  private wakeIdleWaiters(): void {
    if (this.pending === 0 && this.idleWaiters.length > 0) this.idleWaiters.splice(0).forEach((w) => w())
  }

  private ended(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.cancelState?.ended()
    // The wire's error is built only when someone receives it: a clean close() with nothing pending needs none.
    if (this.pending > 0) {
      const error = this.whyEnded()
      for (const op of [...this.sent.splice(0), ...this.waiting.splice(0)]) op.fail(rejectionFor(error, this.host))
    }
    if (this.idleWaiters.length > 0) this.idleWaiters.splice(0).forEach((w) => w())
    if (this.userClosed) this.resolveClosed(undefined)
    else {
      const error = this.whyEnded()
      this.resolveClosed(error)
      this.events.emit('error', error)
    }
  }

  private notReadyError(): Error {
    return new ConnectionError(
      `connection to ${describeHost(this.host)} is ${this.state}${this.endReason ? `: ${this.endReason.message}` : ''}`,
      { code: ErrorCode.NotReady, cause: this.endReason, address: describeHost(this.host) },
    )
  }
}

/** The error a pending query receives when the session ends under it. */
function rejectionFor(reason: Error, host: HostSpec): Error {
  if (reason instanceof PgfleetError) return reason
  return new ConnectionError(`connection to ${describeHost(host)} ended: ${reason.message}`, { cause: reason, address: describeHost(host) })
}

function abortedBeforeSent(signal: AbortSignal): Error {
  return new ConnectionError(`query aborted before it was sent: ${abortReason(signal).message}`, { code: ErrorCode.Aborted, safeToRetry: true, cause: signal.reason })
}

function emptyResult(): Result<unknown> {
  return { command: '', rowCount: null, rows: [], fields: [] }
}
