/**
 * The same smoke suite (test/runtimes/smoke/scenarios.ts) on Node, Bun, Deno
 * and Cloudflare Workers (workerd through Miniflare), each against the built
 * package entry for that runtime (dist/), on the harness's servers.
 *
 * Load balancing is checked from both sides: the runtime opens 9 balanced
 * sessions and POSTs to a checkpoint served here; while it waits for the
 * answer, this side counts the sessions in each node's pg_stat_activity and
 * answers with the counts. After the runtime exits, no session may be left.
 */
import { execFile, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capabilitiesOf, RUNTIMES, type RuntimeName } from '../../src/transport/testing/runtimes.js'
import type { SmokeEnv, SmokeReport } from '../runtimes/smoke/scenarios.js'
import { DATABASE, PASSWORD, CERT_USER, SCRAM_USER, harness, serverConnectionCounts, waitForConnectionCounts } from '../support/harness.js'

const ROOT = new URL('../..', import.meta.url).pathname
const BIN = `${ROOT}node_modules/.bin`
const RUN_TIMEOUT_MS = 120_000

type Runtime = RuntimeName

/**
 * What each runtime cannot do in the smoke suite (scenario → why), from its
 * capability row and its runtime object (src/transport/<runtime>.ts); every
 * other scenario must run and pass.
 */
function limitsOf(runtime: Runtime): Record<string, RegExp> {
  const can = capabilitiesOf(runtime)
  const limits: Record<string, RegExp> = {}
  // Verification cannot be skipped; Workers pass anyway, trusting the test CA through SSL_CERT_FILE.
  if (!can.unverifiedTls && runtime !== 'workerd') limits.tlsRequireNoVerify = /TlsError PGFLEET_TLS_CERTIFICATE: .*always verifies/
  // No peer certificate: no tls-server-end-point.
  if (!can.peerCertificate) limits.tlsChannelBinding = /AuthError .*does not expose the server certificate/
  // The scenario sends its certificate after SSLRequest.
  if (can.clientCertificate !== 'always') limits.tlsClientCert = /TlsError PGFLEET_TLS_RUNTIME_LIMIT: .*client certificate/i
  // No file system: an explicit passfile is a ConfigError.
  if (RUNTIMES[runtime].readFile === undefined) limits.passwordFile = new RegExp(`ConfigError PGFLEET_CONFIG: passfile needs file access, but ${runtime} cannot read files`)
  return limits
}

function command(runtime: Runtime, envJson: string): [string, string[]] {
  switch (runtime) {
    case 'node':
      return [`${BIN}/tsx`, ['test/runtimes/smoke/node-main.ts', envJson]]
    case 'bun':
      return [`${BIN}/bun`, ['run', 'test/runtimes/smoke/bun-main.ts', envJson]]
    case 'deno':
      return [`${BIN}/deno`, ['run', '-A', '--unstable-sloppy-imports', 'test/runtimes/smoke/deno-main.ts', envJson]]
    case 'workerd':
      return [process.execPath, ['test/runtimes/run-in-workerd.mjs', 'test/runtimes/smoke/worker.mjs', envJson]]
  }
}

/** Run one runtime with a hard timeout; its last stdout line is the report. */
function runSmoke(runtime: Runtime, env: SmokeEnv, extraEnv: Record<string, string>): Promise<SmokeReport> {
  const [cmd, args] = command(runtime, JSON.stringify(env))
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd: ROOT, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 << 20, env: { ...process.env, ...extraEnv } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${runtime} failed (${error.message}):\n${stderr}\n${stdout}`))
        const line = stdout.trim().split('\n').pop() ?? ''
        try {
          resolve(JSON.parse(line) as SmokeReport)
        } catch {
          reject(new Error(`no JSON report from ${runtime}:\n${stdout}\n${stderr}`))
        }
      },
    )
  })
}

let checkpoint: Server
let passfile: string
let loosePassfile: string
let checkpointUrl: string
/** Server-side counts taken at each runtime's checkpoint. */
const serverCounts = new Map<string, Record<string, number>>()
const lbTag = (runtime: string) => `pgfleet-smoke-lb-${runtime}`

beforeAll(async () => {
  // `npm test` builds first (scripts/test.sh); build here when run alone.
  const entries = ['index.js', 'index.bun.js', 'index.deno.js', 'index.workerd.js']
  if (!entries.every((e) => existsSync(`${ROOT}dist/${e}`))) {
    const built = spawnSync(`${BIN}/tsup`, ['--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 })
    if (built.status !== 0) throw new Error(`tsup failed:\n${built.stderr}${built.stdout}`)
  }
  passfile = join(mkdtempSync(join(tmpdir(), 'pgfleet-smoke-')), 'pgpass')
  writeFileSync(passfile, `*:*:*:${SCRAM_USER}:${PASSWORD}\n`, { mode: 0o600 })
  loosePassfile = `${passfile}-loose`
  writeFileSync(loosePassfile, `*:*:*:${SCRAM_USER}:${PASSWORD}\n`)
  chmodSync(loosePassfile, 0o644)
  const nodes = harness().nodes
  checkpoint = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8').on('data', (d: string) => (body += d))
    req.on('end', async () => {
      try {
        const { runtime } = JSON.parse(body) as { runtime: string }
        const counts = Object.fromEntries(await serverConnectionCounts(nodes, lbTag(runtime)))
        serverCounts.set(runtime, counts)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts))
      } catch (error) {
        res.writeHead(500).end(String(error))
      }
    })
  })
  await new Promise<void>((resolve) => checkpoint.listen(0, '127.0.0.1', resolve))
  checkpointUrl = `http://127.0.0.1:${(checkpoint.address() as AddressInfo).port}/`
}, 200_000)

afterAll(async () => {
  await new Promise((resolve) => checkpoint?.close(resolve))
})

function smokeEnv(runtime: Runtime): SmokeEnv {
  const pg = harness()
  const at = (n: { host: string; port: number }) => ({ host: n.host, port: n.port })
  return {
    runtime,
    database: DATABASE,
    main: at(pg.nodes[0]!),
    scramUser: SCRAM_USER,
    password: PASSWORD,
    tls: at(pg.tls.good),
    tlsUntrusted: at(pg.tls.untrusted),
    tlsWrongName: at(pg.tls.wrongName),
    ca: pg.certs.ca.certPem,
    // Workers take no custom CA: the local workerd trusts it through SSL_CERT_FILE.
    caFromSystem: runtime === 'workerd',
    clientCert: pg.certs.client.certPem,
    clientKey: pg.certs.client.keyPem,
    certUser: CERT_USER,
    cluster: pg.nodes.map(at),
    lbTag: lbTag(runtime),
    checkpoint: checkpointUrl,
    passfile,
    loosePassfile,
  }
}

describe.each<Runtime>(['node', 'bun', 'deno', 'workerd'])('smoke suite on %s', (runtime) => {
  it(
    'every scenario passes; TLS limits are the known ones, refused with a clear error',
    async () => {
      const extraEnv: Record<string, string> = runtime === 'workerd' ? { SSL_CERT_FILE: harness().certs.ca.cert } : {}
      const report = await runSmoke(runtime, smokeEnv(runtime), extraEnv)
      expect(report.runtime).toBe(runtime)
      const failed = Object.entries(report.results).filter(([, r]) => !r.ok)
      expect(failed, JSON.stringify(report, null, 2)).toEqual([])

      const limits = limitsOf(runtime)
      const unsupported = Object.fromEntries(
        Object.entries(report.results)
          .filter(([, r]) => r.unsupported !== undefined)
          .map(([name, r]) => [name, r.unsupported!]),
      )
      expect(Object.keys(unsupported).sort(), JSON.stringify(unsupported, null, 2)).toEqual(Object.keys(limits).sort())
      for (const [name, why] of Object.entries(limits)) expect(unsupported[name]).toMatch(why)

      // prefer against an untrusted server: TLS unverified where the runtime can, else clear.
      const preferEncrypted = (report.results.tlsPreferUntrusted!.data as { encrypted: boolean }).encrypted
      expect(preferEncrypted).toBe(runtime === 'node' || runtime === 'bun')

      // Load balancing: client map and pg_stat_activity both 3/3/3.
      const hosts = harness().nodes.map((n) => n.host)
      const data = report.results.loadBalance!.data as { map: Record<string, number>; server: Record<string, number> }
      expect(hosts.map((h) => data.map[h])).toEqual([3, 3, 3])
      expect(hosts.map((h) => serverCounts.get(runtime)?.[h])).toEqual([3, 3, 3])
      // And nothing is left open once the runtime has exited.
      const after = await waitForConnectionCounts(harness().nodes, lbTag(runtime), {}, 5000)
      expect([...after.values()]).toEqual([0, 0, 0])

      // Scenario details go to the log: the per-runtime evidence.
      console.log(
        `[${runtime}]\n` +
          Object.entries(report.results)
            .map(([name, r]) => `  ${name}: ${r.unsupported ? `UNSUPPORTED — ${r.unsupported}` : r.detail}`)
            .join('\n'),
      )
    },
    RUN_TIMEOUT_MS + 10_000,
  )
})
