import { describe, expect, it, vi } from 'vitest'
import { ConfigError, TlsError } from '../errors.js'
import { refuseDial, refuseTls } from './capabilities.js'
import { capabilitiesOf, RUNTIME_NAMES, type RuntimeName } from './testing/runtimes.js'
import type { TlsUpgradeOptions } from './socket.js'

const RUNTIMES = RUNTIME_NAMES
const full: TlsUpgradeOptions = { servername: 'db.example', ca: 'PEM', rejectUnauthorized: true, checkServerIdentity: true, alpnProtocols: ['postgresql'] }
const publicRoots: TlsUpgradeOptions = { ...full, ca: undefined }
const verifyCa: TlsUpgradeOptions = { ...publicRoots, checkServerIdentity: false }
const withCert: TlsUpgradeOptions = { ...publicRoots, cert: 'C', key: 'K' }

/** The refusal's text, or 'ok'. */
function outcome(fn: () => void): string {
  try {
    fn()
    return 'ok'
  } catch (error) {
    return `${(error as Error).constructor.name} ${(error as TlsError).code}: ${(error as Error).message}`
  }
}

describe('refuseTls', () => {
  it('lets Node and Bun do everything', () => {
    for (const runtime of ['node', 'bun'] as const) {
      for (const options of [full, verifyCa, { ...withCert, passphrase: 'p' }]) {
        expect(outcome(() => refuseTls(capabilitiesOf(runtime), options, false))).toBe('ok')
      }
    }
  })

  it('Deno: verify-full with sslrootcert; no verify-ca, no encrypted key; a client certificate only over direct TLS', () => {
    const deno = capabilitiesOf('deno')
    expect(outcome(() => refuseTls(deno, full, false))).toBe('ok')
    expect(outcome(() => refuseTls(deno, verifyCa, false))).toMatch(/^TlsError PGFLEET_TLS_RUNTIME_LIMIT: sslmode=verify-ca is not supported on Deno/)
    expect(outcome(() => refuseTls(deno, { ...withCert, passphrase: 'p' }, true))).toMatch(/encrypted private key \(sslpassword\)/)
    expect(outcome(() => refuseTls(deno, withCert, false))).toMatch(/cannot send a client certificate after SSLRequest/)
    expect(outcome(() => refuseTls(deno, withCert, true))).toBe('ok')
  })

  it('Workers: public roots and the host name only, no client certificate', () => {
    const workerd = capabilitiesOf('workerd')
    expect(outcome(() => refuseTls(workerd, publicRoots, false))).toBe('ok')
    expect(outcome(() => refuseTls(workerd, { ...publicRoots, rejectUnauthorized: false, checkServerIdentity: false }, false))).toBe('ok')
    expect(outcome(() => refuseTls(workerd, full, false))).toMatch(/^TlsError PGFLEET_TLS_RUNTIME_LIMIT: .*custom root certificate/)
    expect(outcome(() => refuseTls(workerd, verifyCa, false))).toMatch(/always check the host name/)
    // The client certificate is what Workers lack, whatever its key's passphrase.
    expect(outcome(() => refuseTls(workerd, { ...withCert, passphrase: 'p' }, false))).toMatch(/cannot send a client certificate/)
  })

  it('every refusal is safe to retry and has its own text', () => {
    for (const runtime of RUNTIMES) {
      for (const text of Object.values(capabilitiesOf(runtime).refusals)) expect(text).not.toMatch(/this runtime cannot do/)
    }
    const error = (() => {
      try {
        refuseTls(capabilitiesOf('deno'), verifyCa, false)
      } catch (e) {
        return e as TlsError
      }
    })()
    expect(error?.safeToRetry).toBe(true)
  })
})

describe('refuseDial', () => {
  it('refuses a Unix-domain socket and direct TLS on Workers only', () => {
    const unix = { host: '', port: 0, path: '/tmp/.s.PGSQL.5432' }
    const direct = { host: 'db', port: 5432, directTls: publicRoots }
    for (const runtime of ['node', 'bun', 'deno'] as const) {
      expect(outcome(() => refuseDial(capabilitiesOf(runtime), unix))).toBe('ok')
      expect(outcome(() => refuseDial(capabilitiesOf(runtime), direct))).toBe('ok')
    }
    // A setting the runtime cannot honour, not a network failure: the balancer must not mark the node down.
    expect(() => refuseDial(capabilitiesOf('workerd'), unix)).toThrow(ConfigError)
    expect(outcome(() => refuseDial(capabilitiesOf('workerd'), unix))).toBe('ConfigError PGFLEET_RUNTIME_LIMIT: Cloudflare Workers cannot open Unix-domain sockets')
    expect(outcome(() => refuseDial(capabilitiesOf('workerd'), direct))).toMatch(/^TlsError PGFLEET_TLS_RUNTIME_LIMIT: .*ALPN/)
  })
})

describe('each package entry installs its runtime', () => {
  const entries: Record<RuntimeName, string> = { node: '../index.js', bun: '../index.bun.js', deno: '../index.deno.js', workerd: '../index.workerd.js' }
  for (const runtime of RUNTIMES) {
    it(runtime, async () => {
      vi.resetModules()
      await import(entries[runtime])
      const { defaultRuntime } = await import('../runtime.js')
      const installed = defaultRuntime()
      expect(installed.name).toBe(runtime)
      expect(installed.capabilities).toEqual(capabilitiesOf(runtime))
      // File access is having readFile: everywhere but Workers.
      expect(installed.readFile !== undefined).toBe(runtime !== 'workerd')
    })
  }
})
