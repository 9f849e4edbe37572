/**
 * CancelRequest (protocol docs 55.2.8): a new connection to the session's own
 * host and port, encrypted as the session's sslmode says (libpq 17 does the
 * same), carrying the process id and secret key. The server closes it without
 * an answer; whether anything was cancelled shows on the original session.
 */
import type { Config, HostSpec } from '../config/types.js'
import { describeHost } from '../config/index.js'
import { ConnectionError } from '../errors.js'
import { encodeCancelRequest } from '../protocol/frontend/index.js'
import { initialTlsStep, tlsUpgradeOptions } from '../tls/policy.js'
import { withDeadline } from '../transport/deadline.js'
import { negotiateSsl, type Runtime } from './startup.js'

const CANCEL_WAIT_MS = 5_000

/** Send a CancelRequest for the session (processId, secretKey) on `host`; resolves once the server has closed the cancel connection. */
export async function sendCancelRequest(
  config: Config,
  host: HostSpec,
  runtime: Runtime,
  processId: number,
  secretKey: number,
): Promise<void> {
  const step = initialTlsStep(config)
  const upgrade = step === 'plain' ? undefined : tlsUpgradeOptions(config, host.host, runtime.readFile, { homeDir: runtime.homeDir?.() })
  const socket = await runtime.dial({
    host: host.host,
    port: host.port,
    timeoutMs: config.connectTimeoutMs,
    directTls: step === 'direct-tls' ? upgrade : undefined,
  })
  try {
    // A server that never answers the SSLRequest must not hold the cancel forever.
    if (step === 'ssl-request')
      await withDeadline(negotiateSsl(socket, config, upgrade!), config.connectTimeoutMs || CANCEL_WAIT_MS, describeHost(host), () => undefined, () => socket.destroy())
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new ConnectionError('no close from the server after CancelRequest', { code: 'PGFLEET_CANCEL_TIMEOUT' }))
      }, CANCEL_WAIT_MS)
      socket.onData = () => undefined
      socket.onClose = () => {
        clearTimeout(timer)
        resolve()
      }
      socket.resume()
      socket.write(encodeCancelRequest(processId, secretKey))
    })
  } finally {
    socket.destroy()
  }
}
