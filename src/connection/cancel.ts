/**
 * CancelRequest (protocol docs 55.2.8): a new connection to the session's own
 * host and port, encrypted as the session's sslmode says (libpq 17 does the
 * same), carrying the process id and secret key (4 bytes in protocol 3.0, as
 * long as BackendKeyData sent it in 3.2). The server closes it without
 * an answer; whether anything was cancelled shows on the original session.
 */
import type { Config, HostSpec } from '../config/types.js'
import { describeHost, dialTarget } from '../config/index.js'
import { abortReason, Deadline, onAbort, raceSignal } from '../deadline.js'
import { ConnectionError, ErrorCode } from '../errors.js'
import { encodeCancelRequest } from '../protocol/frontend/index.js'
import { initialTlsStep, tlsUpgradeOptions } from '../tls/policy.js'
import type { Runtime } from '../runtime.js'
import { negotiateSsl } from './startup.js'

/** How long a cancel may take when no connect timeout is set. */
const CANCEL_WAIT_MS = 5_000

/**
 * Send a CancelRequest for the session (processId, secretKey) on `host`;
 * resolves once the server has closed the cancel connection. One deadline
 * bounds it all (dial, SSL negotiation, the server's close): the connect
 * timeout (5 s when none is set), or `signal` when that aborts first. With
 * `background`, neither its socket nor its timer keeps the process alive.
 */
export async function sendCancelRequest(
  config: Config,
  host: HostSpec,
  runtime: Runtime,
  processId: number,
  secretKey: Uint8Array,
  options: { signal?: AbortSignal; background?: boolean } = {},
): Promise<void> {
  const address = describeHost(host)
  const ms = config.connectTimeoutMs > 0 ? config.connectTimeoutMs : CANCEL_WAIT_MS
  const deadline = new Deadline(
    ms,
    () => new ConnectionError(`no answer from ${address} within ${ms} ms to a CancelRequest`, { code: ErrorCode.CancelTimeout, address }),
    options.signal,
    { unref: options.background },
  )
  try {
    const step = initialTlsStep(config)
    const upgrade = step === 'plain' ? undefined : tlsUpgradeOptions(config, host.host, runtime.readFile, { homeDir: runtime.homeDir?.() })
    const socket = await runtime.dial({
      ...dialTarget(host),
      signal: deadline.signal,
      keepAlive: config.keepAlive,
      background: options.background,
      directTls: step === 'direct-tls' ? upgrade : undefined,
    })
    if (options.background) socket.unref?.()
    const unlink = onAbort(deadline.signal, () => socket.destroy())
    try {
      if (step === 'ssl-request') await raceSignal(negotiateSsl(socket, config, upgrade!), deadline.signal)
      const closed = new Promise<void>((resolve) => {
        socket.onData = ignore
        socket.onClose = resolveOnClose(resolve) // made by a call: see Connection.flusherOf
      })
      socket.resume()
      socket.write(encodeCancelRequest(processId, secretKey))
      await raceSignal(closed, deadline.signal)
    } finally {
      unlink()
      socket.destroy()
    }
  } catch (error) {
    throw deadline.aborted ? abortReason(deadline) : error
  } finally {
    deadline.clear()
  }
}

const ignore = (): void => undefined

/** The cancel socket's onClose, made by a call: a literal stored into a property lives in old space (Connection.flusherOf). */
function resolveOnClose(resolve: () => void): () => void {
  return () => resolve()
}
