/**
 * Dial errors shared by the transports. The connect deadline itself is not
 * kept here: the caller owns it (src/deadline.ts) and passes its signal in
 * DialOptions; transports stop with the signal's reason.
 */
import { ConnectionError } from '../errors.js'

/** "host:port" (or the socket path) for error messages. */
export function addressOf(options: { host: string; port: number; path?: string }): string {
  return options.path ?? `${options.host}:${options.port}`
}

/** A ConnectionError for a network-level dial failure: nothing reached the server, so retry is safe. */
export function dialError(address: string, error: unknown): ConnectionError {
  if (error instanceof ConnectionError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new ConnectionError(`could not connect to ${address}: ${message}`, { cause: error, address, safeToRetry: true })
}
