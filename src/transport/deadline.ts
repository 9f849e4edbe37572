/**
 * Dial deadlines shared by the non-Node transports: race a pending connect
 * against `timeoutMs`, and close whatever arrives after the deadline so no
 * socket leaks (the same rule the balancer applies to whole sessions).
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

/** The PGFLEET_CONNECT_TIMEOUT error of every transport and of the startup deadline. */
export function connectTimeoutError(address: string, timeoutMs: number): ConnectionError {
  return new ConnectionError(`timeout expired after ${timeoutMs} ms connecting to ${address}`, {
    code: 'PGFLEET_CONNECT_TIMEOUT',
    address,
    safeToRetry: true,
  })
}

/**
 * Resolve `pending`, or reject with PGFLEET_CONNECT_TIMEOUT after `timeoutMs`
 * (0 or undefined = no limit). A value that arrives late goes to `discard`;
 * `onExpire` runs when the deadline passes (to stop the work still under way).
 */
export function withDeadline<T>(
  pending: Promise<T>,
  timeoutMs: number | undefined,
  address: string,
  discard: (late: T) => void,
  onExpire?: () => void,
): Promise<T> {
  if (!timeoutMs || timeoutMs <= 0) return pending
  return new Promise<T>((resolve, reject) => {
    let expired = false
    const timer = setTimeout(() => {
      expired = true
      onExpire?.()
      reject(connectTimeoutError(address, timeoutMs))
    }, timeoutMs)
    pending.then(
      (value) => {
        clearTimeout(timer)
        if (expired) discard(value)
        else resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        if (!expired) reject(error)
      },
    )
  })
}
