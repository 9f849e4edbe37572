/**
 * Runs the transport scenarios (test/runtimes/transport/scenarios.ts) on the
 * real runtimes: Deno and Bun as child processes, Cloudflare's workerd through
 * Miniflare. Each expectation below is a verified fact about that runtime's
 * TLS support; the README's runtime table is drawn from them.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtures, type Fixtures } from '../runtimes/transport/servers.js'
import type { ScenarioEnv } from '../runtimes/transport/scenarios.js'

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

/** Outcomes every runtime shares. */
function expectCommon(results: Record<string, string>): void {
  expect(results.echo).toBe('intact=true pausedDelivery=0 close=clean')
  expect(results.secondLoopback).toBe('via 127.0.0.2')
  expect(results.refused).toBe('error PGFLEET_CONNECTION retry=true')
}

describe('runtime transports', () => {
  it('Deno: plain, STARTTLS verify-full, direct TLS with client cert; no verify-ca, no unverified TLS', async () => {
    const results = await run(`${BIN}/deno`, ['run', '-A', '--unstable-sloppy-imports', 'test/runtimes/transport/deno-main.ts', JSON.stringify(env)])
    expectCommon(results)
    expect(results.wrongName).toBe('error PGFLEET_TLS_CERTIFICATE')
    expect(results.verifyCaUntrusted).toBe('error PGFLEET_TLS_RUNTIME_LIMIT')
    expect(results.verifyFull).toBe('over tls authorized=true alpn=postgresql peerCert=none')
    expect(results.verifyCaWrongName).toBe('error PGFLEET_TLS_RUNTIME_LIMIT')
    expect(results.requireNoVerify).toBe('error PGFLEET_TLS_CERTIFICATE')
    expect(results.clientCert).toBe('error PGFLEET_TLS_RUNTIME_LIMIT')
    expect(results.directTls).toBe('direct alpn=postgresql')
    expect(results.directTlsClientCert).toBe('cn=pgfleet-client')
  }, 90_000)

  it('Bun: every TLS mode, client certificates and the peer certificate', async () => {
    const results = await run(`${BIN}/bun`, ['run', 'test/runtimes/transport/bun-main.ts', JSON.stringify(env)])
    expectCommon(results)
    expect(results.wrongName).toBe('error PGFLEET_TLS_CERTIFICATE')
    expect(results.verifyCaUntrusted).toBe('error PGFLEET_TLS_CERTIFICATE')
    expect(results.verifyFull).toBe('over tls authorized=true alpn=postgresql peerCert=der')
    expect(results.verifyCaWrongName).toBe('ca only authorized=false')
    expect(results.requireNoVerify).toBe('unverified authorized=false')
    expect(results.clientCert).toBe('cn=pgfleet-client')
    expect(results.directTls).toBe('direct alpn=postgresql')
    expect(results.directTlsClientCert).toBe('cn=pgfleet-client')
  }, 90_000)

  it('Workers (workerd via Miniflare): plain and STARTTLS verify-full only; no custom CA, client cert, ALPN or peer cert', async () => {
    // SSL_CERT_FILE makes the local workerd trust the test CA in place of a public root.
    const workerEnv = { ...env, systemRoots: true }
    const results = await run(process.execPath, ['test/runtimes/run-in-workerd.mjs', 'test/runtimes/transport/worker.ts', JSON.stringify(workerEnv)], {
      SSL_CERT_FILE: join(fixtures.dir, 'ca.crt'),
    })
    expectCommon(results)
    expect(results.verifyFull).toBe('over tls authorized=true alpn=undefined peerCert=none')
    expect(results.wrongName).toBe('error PGFLEET_TLS_HANDSHAKE')
    expect(results.verifyCaWrongName).toBe('error PGFLEET_TLS_RUNTIME_LIMIT')
    expect(results.verifyCaUntrusted).toBe('error PGFLEET_TLS_RUNTIME_LIMIT')
    // require is verified fully (the fixture's CA is trusted here via SSL_CERT_FILE).
    expect(results.requireNoVerify).toBe('unverified authorized=true')
    expect(results.clientCert).toBe('error PGFLEET_TLS_RUNTIME_LIMIT')
    expect(results.directTls).toBe('error PGFLEET_TLS_RUNTIME_LIMIT')
    expect(results.directTlsClientCert).toBe('error PGFLEET_TLS_RUNTIME_LIMIT')
  }, 90_000)
})
