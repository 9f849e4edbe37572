/**
 * Every `code` of a client-side pgfleet error, listed once: the class that
 * carries it, whether a retry is safe, and (its doc comment) what it means.
 * Call sites write `ErrorCode.QueryTimeout`, never the string; the error
 * constructors accept only the codes of their own class, so a typo or a code
 * on the wrong class does not compile. The README's "Errors" table is
 * generated from this list (`npx tsx scripts/error-table.ts`) and a unit test
 * keeps the two equal. Server errors (`PgError`) carry the SQLSTATE instead.
 *
 * Plain data with no imports, read on every runtime. The meanings are doc
 * comments rather than strings so that they cost no bundle bytes and show on
 * hover over `ErrorCode.Name`; the README script reads them from this file.
 */

/** The error classes of src/errors.ts that carry a pgfleet code. */
export type ErrorClassName =
  | 'PgfleetError'
  | 'ConnectionError'
  | 'AuthError'
  | 'TlsError'
  | 'ProtocolError'
  | 'ConfigError'
  | 'PoolTimeoutError'
  | 'TransactionOutcomeUnknownError'

/**
 * Whether an error with this code is safe to retry (`safeToRetry`):
 * `true` / `false` always (the error's default, so call sites need not say it);
 * `'unsent'` only when the request was still queued, never sent (the call site decides);
 * `'varies'` set by each call site (the doc line says when).
 */
export type RetrySafety = boolean | 'unsent' | 'varies'

/** One registered code. */
export interface ErrorCodeEntry {
  readonly code: `PGFLEET_${string}`
  readonly class: ErrorClassName
  readonly safeToRetry: RetrySafety
}

/**
 * The registry. Each entry: a one-line doc comment saying when the error is
 * raised, then the name call sites use (`ErrorCode.NoHost`: the code in
 * PascalCase), its class and its RetrySafety. The code itself follows from
 * the name (`NoHost` is `PGFLEET_NO_HOST`), so it is not written again.
 */
const REGISTRY = {
  /** A network failure with no more specific code: a dial or cluster discovery that failed (safe to retry), or a session that ended under a pending query (not safe). */
  Connection: { class: 'ConnectionError', safeToRetry: 'varies' },
  /** `connect_timeout` passed while connecting to a host, or the OS timed the TCP connect out. */
  ConnectTimeout: { class: 'ConnectionError', safeToRetry: true },
  /** The host refused or reset the TCP connection, or the Unix socket file does not exist. */
  ConnectRefused: { class: 'ConnectionError', safeToRetry: true },
  /** No route to the host, the network is unreachable, or the host is down. */
  ConnectUnreachable: { class: 'ConnectionError', safeToRetry: true },
  /** The host name could not be resolved. */
  ConnectDns: { class: 'ConnectionError', safeToRetry: true },
  /** Dialling the host failed for another operating-system reason. */
  ConnectFailed: { class: 'ConnectionError', safeToRetry: true },
  /** The server speaks only an older protocol version than `min_protocol_version` asks for (it answered 3.2 with a downgrade). */
  ProtocolVersion: { class: 'ConnectionError', safeToRetry: true },
  /** No host gave a usable session; the message names each host tried and why, `cause` is the last failure. */
  NoHost: { class: 'ConnectionError', safeToRetry: true },
  /** An open socket failed, or a write found it already closed. */
  ConnectionLost: { class: 'ConnectionError', safeToRetry: false },
  /** The server or the network closed the session's socket. */
  ConnectionClosed: { class: 'ConnectionError', safeToRetry: false },
  /** The session holding LISTENs ended without an error of its own (given to `onLost`). */
  Closed: { class: 'ConnectionError', safeToRetry: false },
  /** The session was destroyed without a more specific reason; pending queries fail with it. */
  Destroyed: { class: 'ConnectionError', safeToRetry: false },
  /** `close()` destroyed the session because queries were still running after its grace period. */
  CloseTimeout: { class: 'ConnectionError', safeToRetry: false },
  /** A query on a session that is not open (still connecting, closing or closed); nothing was sent. */
  NotReady: { class: 'ConnectionError', safeToRetry: true },
  /** A query, stream, COPY or cursor read ran past `query_timeout` / `timeoutMs`; `cause` is the server's 57014 or the session's end. */
  QueryTimeout: { class: 'ConnectionError', safeToRetry: 'unsent' },
  /** The call's `signal` aborted it; `cause` is the signal's reason. */
  Aborted: { class: 'ConnectionError', safeToRetry: 'unsent' },
  /** Two cases: a CancelRequest got no answer within `connect_timeout`; or a timed-out or aborted query was not back within `cancel_timeout` of its CancelRequest, so the session was destroyed. */
  CancelTimeout: { class: 'ConnectionError', safeToRetry: false },
  /** A pool client was used, or released, after `release()`. */
  Released: { class: 'ConnectionError', safeToRetry: true },
  /** The pool has been ended: a new or waiting `connect()` is refused. */
  PoolEnded: { class: 'ConnectionError', safeToRetry: true },
  /** The pool could not hand out a connection within its acquire timeout. */
  PoolTimeout: { class: 'PoolTimeoutError', safeToRetry: true },
  /** The connection failed after COMMIT was sent and before its reply: the transaction may or may not have committed. */
  CommitUnknown: { class: 'TransactionOutcomeUnknownError', safeToRetry: false },
  /** A savepoint was opened while another savepoint of the same transaction was still open. */
  TxBusy: { class: 'PgfleetError', safeToRetry: false },
  /** COMMIT answered ROLLBACK: a statement in the transaction failed and its error was caught. */
  TxRolledBack: { class: 'PgfleetError', safeToRetry: false },
  /** The transaction or savepoint has already finished. */
  TxDone: { class: 'PgfleetError', safeToRetry: false },
  /** A buffered `query()` result passed `max_result_bytes`; use `stream()` or `cursor()`. */
  ResultTooLarge: { class: 'PgfleetError', safeToRetry: false },
  /** A connection string, option or environment variable is unknown, malformed or an invalid combination. */
  Config: { class: 'ConfigError', safeToRetry: true },
  /** This runtime cannot do what the settings ask, outside TLS: a Unix-domain socket on Workers, or network access Deno was not granted (`--allow-net`). Not a node failure: the balancer does not mark the node down. */
  RuntimeLimit: { class: 'ConfigError', safeToRetry: true },
  /** Authentication failed on the client side: a SCRAM exchange that fails its checks, an unsupported method, channel binding refused. */
  Auth: { class: 'AuthError', safeToRetry: false },
  /** The server asked for an authentication method that `require_auth` does not allow. */
  RequireAuth: { class: 'AuthError', safeToRetry: false },
  /** The server asked for a password, but none was given or found in a password file. */
  NoPassword: { class: 'AuthError', safeToRetry: false },
  /** The server sent a message that is not valid at this point of the session; the session is closed. */
  Protocol: { class: 'ProtocolError', safeToRetry: false },
  /** A message length below 4 or above `max_message_bytes`. */
  ProtocolLength: { class: 'ProtocolError', safeToRetry: false },
  /** A backend message whose body does not match its type. */
  ProtocolMalformed: { class: 'ProtocolError', safeToRetry: false },
  /** A backend message type byte pgfleet does not know. */
  ProtocolUnknownMessage: { class: 'ProtocolError', safeToRetry: false },
  /** A TLS failure with no more specific code: the connection closed before TLS started, or the runtime's TLS setup threw. */
  Tls: { class: 'TlsError', safeToRetry: true },
  /** The server does not support SSL (answered N), but the sslmode requires it. */
  TlsNotSupported: { class: 'TlsError', safeToRetry: true },
  /** The server answered the SSL request with an error; its text is never shown (CVE-2024-10977). */
  TlsServerError: { class: 'TlsError', safeToRetry: true },
  /** Bytes arrived after the server accepted SSL and before the handshake (CVE-2021-23222). */
  TlsUnencryptedData: { class: 'TlsError', safeToRetry: false },
  /** The TLS handshake failed other than on the certificate, or ALPN was missing or unexpected (nothing of the request was sent: safe to retry on every runtime). */
  TlsHandshake: { class: 'TlsError', safeToRetry: true },
  /** The server certificate failed chain or host-name verification (nothing of the request was sent: safe to retry on every runtime). */
  TlsCertificate: { class: 'TlsError', safeToRetry: true },
  /** A root certificate, client certificate or key could not be read or loaded (wrong `sslpassword` included). */
  TlsFiles: { class: 'TlsError', safeToRetry: true },
  /** tls-server-end-point channel binding cannot be computed for the server certificate (unparsable, or no hash for its signature algorithm). */
  TlsChannelBinding: { class: 'TlsError', safeToRetry: false },
  /** This runtime cannot apply the requested TLS setting (e.g. `verify-ca` on Deno); nothing is downgraded. */
  TlsRuntimeLimit: { class: 'TlsError', safeToRetry: true },
} as const satisfies Record<string, Omit<ErrorCodeEntry, 'code'>>

type Registry = typeof REGISTRY

/** The name of a code, as in `ErrorCode.QueryTimeout`. */
export type ErrorCodeName = keyof Registry

/** `QueryTimeout` → `_QUERY_TIMEOUT`: each capital starts a word. */
type UpperSnake<S extends string> = S extends `${infer C}${infer Rest}` ? `${C extends Lowercase<C> ? Uppercase<C> : `_${C}`}${UpperSnake<Rest>}` : ''

/** The code of the registry name `N` (`PGFLEET_QUERY_TIMEOUT` for `QueryTimeout`). */
type CodeOf<N extends string> = `PGFLEET${UpperSnake<N>}`

/** Each registry entry with its code, by name. */
export const ERROR_CODES = Object.fromEntries(
  Object.entries(REGISTRY).map(([name, entry]) => [name, { code: `PGFLEET${name.replace(/[A-Z]/g, '_$&').toUpperCase()}`, ...entry }]),
) as { readonly [K in ErrorCodeName]: { readonly code: CodeOf<K> } & Registry[K] }

/** Every pgfleet error code by name: `ErrorCode.QueryTimeout === 'PGFLEET_QUERY_TIMEOUT'`. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.entries(ERROR_CODES).map(([name, entry]) => [name, entry.code])),
) as { readonly [K in ErrorCodeName]: CodeOf<K> }

/** One of the pgfleet error codes (the union of all of them). */
export type ErrorCode = CodeOf<ErrorCodeName>

/** The codes carried by one error class: `ErrorCodeOf<'TlsError'>`. */
export type ErrorCodeOf<C extends ErrorClassName> = {
  [K in ErrorCodeName]: Registry[K]['class'] extends C ? CodeOf<K> : never
}[ErrorCodeName]

const BY_CODE: ReadonlyMap<string, ErrorCodeEntry> = new Map(Object.values(ERROR_CODES).map((entry) => [entry.code, entry]))

/** The registry entry of `code`, or undefined for a SQLSTATE or an unknown code. */
export function errorCodeEntry(code: string): ErrorCodeEntry | undefined {
  return BY_CODE.get(code)
}

/** The `safeToRetry` an error with `code` gets when its call site does not say: the registry's, false unless always true. */
export function defaultSafeToRetry(code: string): boolean {
  return BY_CODE.get(code)?.safeToRetry === true
}
