/**
 * Runtime-neutral transport scenarios: each runtime's entry script runs them
 * with its own Dial against the Node fixtures (servers.ts) and prints one
 * JSON object { scenario: outcome }. Outcomes are short strings so the vitest
 * side can assert them exactly; errors become "error <code>".
 */
import type { Dial, Socket, TlsUpgradeOptions } from '../../../src/transport/socket.js'

export interface ScenarioEnv {
  host2: string
  echoPort: number
  echoPort2: number
  startTlsPort: number
  directTlsPort: number
  closedPort: number
  resetPort: number
  silentPort: number
  unixPath: string
  ca: string
  clientCert: string
  clientKey: string
  /** Trust the test CA as a runtime root (Workers: SSL_CERT_FILE) instead of passing it as `ca`. */
  systemRoots?: boolean
}

const SSL_REQUEST = new Uint8Array([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const bytes = (s: string) => new TextEncoder().encode(s)

/** Collect `length` bytes from the socket (with a deadline). */
function readBytes(socket: Socket, length: number, ms = 5000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const out = new Uint8Array(length)
    let filled = 0
    const timer = setTimeout(() => reject(new Error(`read timeout after ${filled}/${length} bytes`)), ms)
    socket.onData = (chunk) => {
      out.set(chunk.subarray(0, length - filled), filled)
      filled += chunk.length
      if (filled >= length) {
        clearTimeout(timer)
        resolve(out)
      }
    }
    socket.onClose = (error) => {
      clearTimeout(timer)
      reject(error ?? new Error('closed'))
    }
  })
}

/** SSLRequest, wait for 'S' (pausing in onData, as negotiateSsl does), upgrade. */
async function upgrade(dial: Dial, env: ScenarioEnv, options: TlsUpgradeOptions) {
  const socket = await dial({ host: '127.0.0.1', port: env.startTlsPort, signal: AbortSignal.timeout(5000) })
  const answer = await new Promise<Uint8Array>((resolve, reject) => {
    socket.onData = (chunk) => {
      socket.pause()
      resolve(chunk)
    }
    socket.onClose = (error) => reject(error ?? new Error('closed'))
    socket.write(SSL_REQUEST)
  })
  if (text(answer) !== 'S') throw new Error(`unexpected answer ${text(answer)}`)
  const info = await socket.startTls(options)
  return { socket, info }
}

/** Ask the TLS fixture for the client certificate's CN (answered as one line). */
function whoami(socket: Socket, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let line = ''
    const timer = setTimeout(() => reject(new Error('whoami timeout')), ms)
    socket.onData = (chunk) => {
      line += text(chunk)
      if (line.endsWith('\n')) {
        clearTimeout(timer)
        resolve(line.trim())
      }
    }
    socket.onClose = (error) => reject(error ?? new Error('closed'))
    socket.write(bytes('whoami'))
  })
}

async function roundTrip(socket: Socket, message: string): Promise<string> {
  const reply = readBytes(socket, bytes(message).length)
  socket.write(bytes(message))
  return text(await reply)
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code
  return code ? `error ${code}` : `error ${(error as Error).name}: ${(error as Error).message}`
}

type Scenario = (dial: Dial, env: ScenarioEnv) => Promise<string>

const verifyFull = (env: ScenarioEnv, extra: Partial<TlsUpgradeOptions> = {}): TlsUpgradeOptions => ({
  servername: 'localhost',
  ca: env.systemRoots ? undefined : env.ca,
  rejectUnauthorized: true,
  checkServerIdentity: true,
  alpnProtocols: ['postgresql'],
  ...extra,
})

export const scenarios: Record<string, Scenario> = {
  /** 1 MiB echoed back intact, with a pause that really stops delivery. */
  async echo(dial, env) {
    const socket = await dial({ host: '127.0.0.1', port: env.echoPort, signal: AbortSignal.timeout(5000) })
    const payload = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) % 251)
    let received = 0
    let duringPause = 0
    let paused = false
    let pausedOnce = false
    const done = new Promise<boolean>((resolve, reject) => {
      const out = new Uint8Array(payload.length)
      socket.onData = (chunk) => {
        if (paused) duringPause += chunk.length
        out.set(chunk, received)
        received += chunk.length
        if (!pausedOnce && received >= 64 * 1024) {
          pausedOnce = paused = true
          socket.pause()
          setTimeout(() => {
            paused = false
            socket.resume()
          }, 100)
        }
        if (received >= payload.length) resolve(out.every((b, i) => b === payload[i]))
      }
      socket.onClose = (error) => reject(error ?? new Error('closed early'))
    })
    let writesRefused = 0
    for (let offset = 0; offset < payload.length; offset += 16 * 1024) {
      if (!socket.write(payload.subarray(offset, offset + 16 * 1024))) {
        writesRefused++
        await socket.drain()
      }
    }
    const intact = await done
    const closed = new Promise<string>((resolve) => (socket.onClose = (error) => resolve(error ? 'error' : 'clean')))
    socket.close()
    return `intact=${intact} pausedDelivery=${duringPause} close=${await closed}`
  },
  async secondLoopback(dial, env) {
    const socket = await dial({ host: env.host2, port: env.echoPort2, signal: AbortSignal.timeout(5000) })
    const reply = await roundTrip(socket, 'via 127.0.0.2')
    socket.destroy()
    return reply
  },
  async refused(dial, env) {
    try {
      await dial({ host: '127.0.0.1', port: env.closedPort, signal: AbortSignal.timeout(5000) })
      return 'connected?'
    } catch (error) {
      return `${describe(error)} retry=${(error as { safeToRetry?: boolean }).safeToRetry}`
    }
  },
  async dns(dial) {
    try {
      await dial({ host: 'no-such-host.invalid', port: 5432, signal: AbortSignal.timeout(5000) })
      return 'connected?'
    } catch (error) {
      return `${describe(error)} retry=${(error as { safeToRetry?: boolean }).safeToRetry}`
    }
  },
  /** The peer resets an open connection: onClose says how (every runtime but Workers names it). */
  async reset(dial, env) {
    const socket = await dial({ host: '127.0.0.1', port: env.resetPort, signal: AbortSignal.timeout(5000) })
    const closed = new Promise<string>((resolve) => {
      socket.onData = () => undefined
      socket.onClose = (error) => resolve(error ? `closed ${describe(error).slice('error '.length)}` : 'closed clean')
    })
    socket.write(bytes('reset me'))
    return closed
  },
  async unix(dial, env) {
    try {
      const socket = await dial({ host: '', port: 0, path: env.unixPath, signal: AbortSignal.timeout(5000) })
      const reply = await roundTrip(socket, 'via unix')
      socket.destroy()
      return reply
    } catch (error) {
      return describe(error)
    }
  },
  async verifyFull(dial, env) {
    try {
      const { socket, info } = await upgrade(dial, env, verifyFull(env))
      const reply = await roundTrip(socket, 'over tls')
      socket.destroy()
      return `${reply} authorized=${info.authorized} alpn=${info.alpnProtocol} peerCert=${info.peerCertificate ? 'der' : 'none'}`
    } catch (error) {
      return describe(error)
    }
  },
  async wrongName(dial, env) {
    try {
      const { socket } = await upgrade(dial, env, verifyFull(env, { servername: 'wrong.example' }))
      // Workers verify lazily: a refused certificate shows on the first I/O.
      await roundTrip(socket, 'must not arrive')
      socket.destroy()
      return 'accepted'
    } catch (error) {
      return describe(error)
    }
  },
  async verifyCaWrongName(dial, env) {
    try {
      const { socket, info } = await upgrade(dial, env, verifyFull(env, { servername: 'wrong.example', checkServerIdentity: false }))
      const reply = await roundTrip(socket, 'ca only')
      socket.destroy()
      return `${reply} authorized=${info.authorized}`
    } catch (error) {
      return describe(error)
    }
  },
  async verifyCaUntrusted(dial, env) {
    try {
      const { socket } = await upgrade(dial, env, verifyFull(env, { ca: undefined, checkServerIdentity: false }))
      // Workers verify lazily: a refused certificate shows on the first I/O.
      await roundTrip(socket, 'must not arrive')
      socket.destroy()
      return 'accepted'
    } catch (error) {
      return describe(error)
    }
  },
  async requireNoVerify(dial, env) {
    try {
      const { socket, info } = await upgrade(dial, env, { servername: 'localhost', rejectUnauthorized: false, checkServerIdentity: false })
      const reply = await roundTrip(socket, 'unverified')
      socket.destroy()
      return `${reply} authorized=${info.authorized}`
    } catch (error) {
      return describe(error)
    }
  },
  async clientCert(dial, env) {
    try {
      const { socket } = await upgrade(dial, env, verifyFull(env, { cert: env.clientCert, key: env.clientKey }))
      const reply = await whoami(socket)
      socket.destroy()
      return `cn=${reply}`
    } catch (error) {
      return describe(error)
    }
  },
  async directTls(dial, env) {
    try {
      const socket = await dial({ host: '127.0.0.1', port: env.directTlsPort, signal: AbortSignal.timeout(5000), directTls: verifyFull(env) })
      const reply = await roundTrip(socket, 'direct')
      socket.destroy()
      return `${reply} alpn=${socket.tls?.alpnProtocol}`
    } catch (error) {
      return describe(error)
    }
  },
  /** The peer resets during a direct TLS handshake. */
  async directTlsReset(dial, env) {
    try {
      await dial({ host: '127.0.0.1', port: env.resetPort, signal: AbortSignal.timeout(5000), directTls: verifyFull(env) })
      return 'connected?'
    } catch (error) {
      return describe(error)
    }
  },
  /** A direct TLS handshake the peer never answers ends with the dial's deadline, at once. */
  async directTlsSilent(dial, env) {
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(Object.assign(new Error('deadline'), { code: 'DEADLINE' })), 200)
    const started = Date.now()
    try {
      await dial({ host: '127.0.0.1', port: env.silentPort, signal: deadline.signal, directTls: verifyFull(env) })
      return 'connected?'
    } catch (error) {
      return `${describe(error)}${Date.now() - started < 2000 ? '' : ' (late)'}`
    } finally {
      clearTimeout(timer)
    }
  },
  async directTlsClientCert(dial, env) {
    try {
      const options = verifyFull(env, { servername: '127.0.0.1', cert: env.clientCert, key: env.clientKey })
      const socket = await dial({ host: '127.0.0.1', port: env.directTlsPort, signal: AbortSignal.timeout(5000), directTls: options })
      const reply = await whoami(socket)
      socket.destroy()
      return `cn=${reply}`
    } catch (error) {
      return describe(error)
    }
  },
}

/** Run every scenario (one at a time) and return the outcomes. */
export async function runScenarios(dial: Dial, env: ScenarioEnv): Promise<Record<string, string>> {
  const results: Record<string, string> = {}
  for (const [name, scenario] of Object.entries(scenarios)) {
    try {
      results[name] = await scenario(dial, env)
    } catch (error) {
      results[name] = `threw ${(error as Error).message}`
    }
  }
  return results
}
