/**
 * Runs the transport scenarios (test/runtimes/transport/scenarios.ts) on the
 * real runtimes: Node in process, Deno and Bun as child processes,
 * Cloudflare's workerd through Miniflare. The outcome each runtime must give
 * is derived from its row of the capability table (src/transport/capabilities.ts),
 * so the table is checked against the runtimes themselves.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capabilitiesOf, type RuntimeName } from '../../src/transport/testing/runtimes.js'
import { dialNode } from '../../src/transport/node.js'
import { startFixtures, type Fixtures } from '../runtimes/transport/servers.js'
import { runScenarios, type ScenarioEnv } from '../runtimes/transport/scenarios.js'

const ROOT = new URL('../..', import.meta.url).pathname
const BIN = `${ROOT}node_modules/.bin`

let fixtures: Fixtures
let env: ScenarioEnv

beforeAll(async () => {
  fixtures = await startFixtures()
  env = {
    host2: '127.0.0.2',
    echoPort: fixtures.echoPort,
    echoPort2: fixtures.echoPort2,
    startTlsPort: fixtures.startTlsPort,
    directTlsPort: fixtures.directTlsPort,
    closedPort: fixtures.closedPort,
    resetPort: fixtures.resetPort,
    silentPort: fixtures.silentPort,
    unixPath: fixtures.unixPath,
    ca: fixtures.ca,
    clientCert: fixtures.clientCert,
    clientKey: fixtures.clientKey,
  }
}, 60_000)

afterAll(async () => {
  await fixtures?.close()
})

/** Run a runtime with a hard timeout; resolve its last stdout line as JSON. */
function run(command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: ROOT, timeout: 60_000, killSignal: 'SIGKILL', env: { ...process.env, ...extraEnv } }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${command} failed (${error.message}):\n${stderr}\n${stdout}`))
      const line = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(line))
      } catch {
        reject(new Error(`no JSON from ${command}:\n${stdout}\n${stderr}`))
      }
    })
  })
}

/**
 * The outcome of every scenario on `runtime`, from its capabilities.
 * `systemRoots`: the runtime trusts the test CA as a root (Workers: SSL_CERT_FILE).
 */
function expected(runtime: RuntimeName, systemRoots = false): Record<string, string> {
  const can = capabilitiesOf(runtime)
  const limit = 'error PGFLEET_TLS_RUNTIME_LIMIT'
  const certificateRefused = can.lazyVerification ? 'error PGFLEET_TLS_HANDSHAKE' : 'error PGFLEET_TLS_CERTIFICATE'
  const dialFailed = (code: string) => `error ${can.namesNetworkErrors ? code : 'PGFLEET_CONNECT_FAILED'} retry=true`
  const clientCertificate = 'cn=pgfleet-client'
  return {
    echo: 'intact=true pausedDelivery=0 close=clean',
    secondLoopback: 'via 127.0.0.2',
    refused: dialFailed('PGFLEET_CONNECT_REFUSED'),
    dns: dialFailed('PGFLEET_CONNECT_DNS'),
    // Workers read a reset as the end of the stream.
    reset: can.namesNetworkErrors ? 'closed PGFLEET_CONNECTION_LOST' : 'closed clean',
    unix: can.unixSockets ? 'via unix' : 'error PGFLEET_RUNTIME_LIMIT',
    verifyFull: `over tls authorized=true alpn=${can.alpn ? 'postgresql' : 'undefined'} peerCert=${can.peerCertificate ? 'der' : 'none'}`,
    wrongName: certificateRefused,
    verifyCaWrongName: can.verifyCa ? 'ca only authorized=true' : limit,
    verifyCaUntrusted: can.verifyCa ? certificateRefused : limit,
    // Without a root file: unverified where the runtime can skip verification, else verified against its roots.
    requireNoVerify: can.unverifiedTls ? 'unverified authorized=false' : systemRoots ? 'unverified authorized=true' : certificateRefused,
    clientCert: can.clientCertificate === 'always' ? clientCertificate : limit,
    directTls: can.directTls ? 'direct alpn=postgresql' : limit,
    directTlsReset: can.directTls ? 'error PGFLEET_TLS_HANDSHAKE' : limit,
    directTlsSilent: can.directTls ? 'error DEADLINE' : limit,
    directTlsClientCert: can.directTls && can.clientCertificate !== false ? clientCertificate : limit,
  }
}

describe('runtime transports give what their capability row says', () => {
  it('Node (in process)', async () => {
    expect(await runScenarios(dialNode, env)).toEqual(expected('node'))
  }, 60_000)

  it('Deno: plain, STARTTLS verify-full, direct TLS with client cert; no verify-ca, no unverified TLS', async () => {
    const results = await run(`${BIN}/deno`, ['run', '-A', '--unstable-sloppy-imports', 'test/runtimes/transport/deno-main.ts', JSON.stringify(env)])
    expect(results).toEqual(expected('deno'))
  }, 90_000)

  it('Bun: every TLS mode, client certificates and the peer certificate', async () => {
    const results = await run(`${BIN}/bun`, ['run', 'test/runtimes/transport/bun-main.ts', JSON.stringify(env)])
    expect(results).toEqual(expected('bun'))
  }, 90_000)

  it('Workers (workerd via Miniflare): plain and STARTTLS verify-full only; no custom CA, client cert, ALPN or peer cert', async () => {
    // SSL_CERT_FILE makes the local workerd trust the test CA in place of a public root.
    const workerEnv = { ...env, systemRoots: true }
    const results = await run(process.execPath, ['test/runtimes/run-in-workerd.mjs', 'test/runtimes/transport/worker.ts', JSON.stringify(workerEnv)], {
      SSL_CERT_FILE: join(fixtures.dir, 'ca.crt'),
    })
    expect(results).toEqual(expected('workerd', true))
  }, 90_000)
})
