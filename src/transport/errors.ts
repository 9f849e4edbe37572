/**
 * One classification of socket failures for every runtime. Node, Bun and Deno
 * name a network failure by its errno code (`ECONNREFUSED`, also on Deno's
 * `ConnectionRefused` and Bun's "Failed to connect"); Deno reports a failed
 * name lookup only in its message; Workers report every failure as one opaque
 * "proxy request failed". Each becomes the same ConnectionError code, so the
 * balancer's rule (a failed dial marks the node failed) and the error a user
 * sees do not depend on the runtime.
 *
 * The connect deadline is not kept here: the caller owns it (src/deadline.ts)
 * and passes its signal in DialOptions; a dial stopped by it rejects with the
 * signal's reason.
 */
import { ConfigError, ConnectionError, ErrorCode, TlsError } from '../errors.js'
import { abortReason, type StopSignal } from '../deadline.js'

/** Codes of ConnectionErrors raised while dialling (all safe to retry). */
type ConnectErrorCode = (typeof ErrorCode)['ConnectRefused' | 'ConnectTimeout' | 'ConnectUnreachable' | 'ConnectDns' | 'ConnectFailed']

/** errno code → pgfleet code and libpq's wording. */
const NETWORK_FAILURES = new Map<string, [code: ConnectErrorCode, text: string]>([
  ['ECONNREFUSED', [ErrorCode.ConnectRefused, 'connection refused']],
  ['ENOENT', [ErrorCode.ConnectRefused, 'no such socket file (is the server running locally?)']],
  ['ECONNRESET', [ErrorCode.ConnectRefused, 'connection reset by peer']],
  ['ETIMEDOUT', [ErrorCode.ConnectTimeout, 'connection timed out']],
  ['EHOSTUNREACH', [ErrorCode.ConnectUnreachable, 'no route to host']],
  ['ENETUNREACH', [ErrorCode.ConnectUnreachable, 'network is unreachable']],
  ['EHOSTDOWN', [ErrorCode.ConnectUnreachable, 'host is down']],
  ['ENOTFOUND', [ErrorCode.ConnectDns, 'could not translate host name to address']],
  ['EAI_AGAIN', [ErrorCode.ConnectDns, 'temporary failure in name resolution']],
])

/** Deno's failed lookup carries no errno code: "failed to lookup address information: <gai_strerror>". */
const DENO_LOOKUP_FAILED = /failed to lookup address information/i

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The errno-style code a runtime's error stands for, if it names one. */
function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code
  if (typeof code === 'string' && NETWORK_FAILURES.has(code)) return code
  const message = messageOf(error)
  if (DENO_LOOKUP_FAILED.test(message)) return /temporary/i.test(message) ? 'EAI_AGAIN' : 'ENOTFOUND'
  return undefined
}

/**
 * Deno without `--allow-net` (or `--allow-read` for a Unix socket) throws
 * NotCapable (PermissionDenied before Deno 2): the node is fine, the process
 * may not reach it, so this is not a network failure.
 */
function isPermissionRefusal(error: unknown): boolean {
  const name = (error as { name?: unknown } | null | undefined)?.name
  return name === 'NotCapable' || name === 'PermissionDenied'
}

/** What a runtime's network error means: a ConnectErrorCode and the words to show (the runtime's own message when unknown). */
export function classifyNetworkError(error: unknown): { code: ConnectErrorCode; text: string } {
  const known = NETWORK_FAILURES.get(errnoOf(error) ?? '')
  return known ? { code: known[0], text: known[1] } : { code: ErrorCode.ConnectFailed, text: messageOf(error) }
}

/** "host:port" (IPv6 in brackets), or the socket path, for error messages. */
export function addressOf(options: { host: string; port: number; path?: string }): string {
  if (options.path !== undefined) return options.path
  return options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`
}

/**
 * The error a failed dial rejects with: the signal's reason when the deadline
 * (or the caller) stopped it, else a ConnectionError with the classified code.
 * Nothing reached the server, so a retry is safe.
 */
export function dialError(address: string, error: unknown, signal?: StopSignal): Error {
  if (signal?.aborted) return abortReason(signal)
  if (error instanceof ConnectionError || error instanceof TlsError || error instanceof ConfigError) return error
  if (isPermissionRefusal(error)) {
    return new ConfigError(`could not connect to ${address}: ${messageOf(error)}`, { code: ErrorCode.RuntimeLimit, cause: error })
  }
  const { code, text } = classifyNetworkError(error)
  return new ConnectionError(`could not connect to ${address}: ${text}`, { code, cause: error, safeToRetry: true, address })
}

/** The error onClose reports when an open socket fails (a TlsError, as Workers' lazy handshake raises, is kept). */
export function lostError(address: string, error: unknown): Error {
  if (error instanceof ConnectionError || error instanceof TlsError) return error
  return new ConnectionError(`connection to ${address} lost: ${messageOf(error)}`, { code: ErrorCode.ConnectionLost, cause: error, address })
}
