import { describe, expect, it } from 'vitest'
import type { SslMode } from '../config/types.js'
import { AuthError, ConfigError, ConnectionError, ErrorCode, PgError, ProtocolError, TlsError } from '../errors.js'
import {
  type EncryptionAttempt,
  type TlsConfig,
  allowRetry,
  checkNegotiatedAlpn,
  firstAttempt,
  initialTlsStep,
  onSslResponse,
  retryAfterFailure,
  stepFor,
  tlsUpgradeOptions,
} from './policy.js'

const MODES: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
const S = 'S'.charCodeAt(0)
const N = 'N'.charCodeAt(0)
const E = 'E'.charCodeAt(0)

function cfg(sslmode: SslMode, extra: Partial<TlsConfig> = {}): TlsConfig {
  return { sslmode, sslnegotiation: 'postgres', ...extra }
}

function pgError(code: string, message = 'x'): PgError {
  return new PgError({ severity: 'FATAL', code, message })
}

const ROOT = '-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----\n'
const CERT = '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n'
const KEY = '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n'

describe('initialTlsStep', () => {
  it.each([
    ['disable', 'plain'],
    ['allow', 'plain'],
    ['prefer', 'ssl-request'],
    ['require', 'ssl-request'],
    ['verify-ca', 'ssl-request'],
    ['verify-full', 'ssl-request'],
  ] as const)('sslmode=%s starts with %s', (mode, step) => {
    expect(initialTlsStep(cfg(mode))).toBe(step)
  })

  it('opens TLS directly with sslnegotiation=direct', () => {
    for (const mode of ['require', 'verify-ca', 'verify-full'] as const) {
      expect(initialTlsStep(cfg(mode, { sslnegotiation: 'direct' }))).toBe('direct-tls')
    }
  })

  it('refuses sslnegotiation=direct with a mode that allows clear text', () => {
    for (const mode of ['disable', 'allow', 'prefer'] as const) {
      expect(() => initialTlsStep(cfg(mode, { sslnegotiation: 'direct' }))).toThrow(
        `weak sslmode "${mode}" may not be used with sslnegotiation=direct`,
      )
    }
  })

  it('never requests TLS over a Unix socket (libpq)', () => {
    for (const mode of MODES) expect(initialTlsStep(cfg(mode), { unixSocket: true })).toBe('plain')
  })
})

describe('onSslResponse', () => {
  it("upgrades on 'S' in every mode that sends SSLRequest", () => {
    for (const mode of MODES.filter((m) => m !== 'disable')) {
      const d = onSslResponse(cfg(mode), S, 0)
      expect(d.action).toBe('upgrade')
      expect(d.error).toBeUndefined()
    }
  })

  it("fails on bytes after 'S' before the handshake (CVE-2021-23222)", () => {
    for (const mode of MODES) {
      const d = onSslResponse(cfg(mode), S, 5)
      expect(d.action).toBe('fail')
      expect(d.error).toBeInstanceOf(TlsError)
      expect(d.error?.message).toBe('received unencrypted data after SSL response')
      expect(d.error?.code).toBe(ErrorCode.TlsUnencryptedData)
    }
  })

  it("continues in clear on 'N' for prefer, fails for require and stronger", () => {
    const prefer = onSslResponse(cfg('prefer'), N, 0)
    expect(prefer.action).toBe('continue-plain')
    expect(prefer.attempt).toEqual({ current: 'plain', failed: ['tls'] })
    for (const mode of ['require', 'verify-ca', 'verify-full'] as const) {
      const d = onSslResponse(cfg(mode), N, 0)
      expect(d.action).toBe('fail')
      expect(d.error).toBeInstanceOf(TlsError)
      expect(d.error?.message).toBe('server does not support SSL, but SSL was required')
      expect(d.error?.safeToRetry).toBe(true)
    }
  })

  it("fails on 'N' for allow once clear text has already failed", () => {
    const retry: EncryptionAttempt = { current: 'tls', failed: ['plain'] }
    const d = onSslResponse(cfg('allow'), N, 0, retry)
    expect(d.action).toBe('fail')
    expect(d.error?.message).toBe('server does not support SSL, but SSL was required')
  })

  it("fails on 'E' in every mode without the server's text (CVE-2024-10977)", () => {
    for (const mode of MODES) {
      const d = onSslResponse(cfg(mode), E, 40)
      expect(d.action).toBe('fail')
      expect(d.error).toBeInstanceOf(TlsError)
      expect(d.error?.message).toBe('server sent an error response during SSL exchange')
      expect(d.error?.code).toBe(ErrorCode.TlsServerError)
    }
  })

  it('raises a ProtocolError on any other byte', () => {
    const d = onSslResponse(cfg('prefer'), 'R'.charCodeAt(0), 0)
    expect(d.action).toBe('fail')
    expect(d.error).toBeInstanceOf(ProtocolError)
    expect(d.error?.message).toBe('received invalid response to SSL negotiation: R')
    expect(onSslResponse(cfg('prefer'), 0, 0).error?.message).toContain('0x00')
  })
})

describe('retry with the other encryption (libpq CONNECTION_FAILED)', () => {
  const hba = pgError('28000', 'no pg_hba.conf entry for host "127.0.0.1", user "u", database "d", no encryption')
  const handshake = new TlsError('socket hang up', { code: ErrorCode.TlsHandshake })
  const badCert = new TlsError('self-signed certificate in certificate chain', { code: ErrorCode.TlsCertificate })

  it('allow: a startup error in clear retries with TLS, once', () => {
    const first = firstAttempt(cfg('allow'))
    expect(first).toEqual({ current: 'plain', failed: [] })
    const second = retryAfterFailure(cfg('allow'), first, hba)
    expect(second).toEqual({ current: 'tls', failed: ['plain'] })
    expect(stepFor(cfg('allow'), second!)).toBe('ssl-request')
    expect(allowRetry(cfg('allow'), hba)).toBe(true)
    expect(allowRetry(cfg('allow'), pgError('28P01'))).toBe(true)
    // The TLS retry failing again is final.
    expect(retryAfterFailure(cfg('allow'), second!, pgError('28P01'))).toBeUndefined()
    expect(retryAfterFailure(cfg('allow'), second!, handshake)).toBeUndefined()
  })

  it('prefer: a failed handshake or a startup error over TLS retries in clear', () => {
    const first = firstAttempt(cfg('prefer'))
    expect(retryAfterFailure(cfg('prefer'), first, handshake)).toEqual({ current: 'plain', failed: ['tls'] })
    expect(allowRetry(cfg('prefer'), badCert)).toBe(true)
    expect(allowRetry(cfg('prefer'), hba)).toBe(true)
    // After 'N' the clear attempt is the last one.
    const afterN = onSslResponse(cfg('prefer'), N, 0).attempt
    expect(retryAfterFailure(cfg('prefer'), afterN, hba)).toBeUndefined()
  })

  it('require and stronger never fall back to clear text', () => {
    for (const mode of ['require', 'verify-ca', 'verify-full'] as const) {
      expect(allowRetry(cfg(mode), handshake)).toBe(false)
      expect(allowRetry(cfg(mode), badCert)).toBe(false)
      expect(allowRetry(cfg(mode), hba)).toBe(false)
    }
  })

  it('disable never retries', () => {
    expect(allowRetry(cfg('disable'), hba)).toBe(false)
  })

  it('does not retry on cannot_connect_now, client-side or refusal errors', () => {
    expect(allowRetry(cfg('allow'), pgError('57P03'))).toBe(false)
    expect(allowRetry(cfg('prefer'), pgError('57P03'))).toBe(false)
    expect(allowRetry(cfg('allow'), new AuthError('server signature mismatch'))).toBe(false)
    expect(allowRetry(cfg('prefer'), new ConnectionError('closed'))).toBe(false)
    expect(allowRetry(cfg('prefer'), onSslResponse(cfg('prefer'), E, 0).error)).toBe(false)
    expect(allowRetry(cfg('prefer'), onSslResponse(cfg('prefer'), S, 1).error)).toBe(false)
  })

  it('does not retry a TLS error raised on a clear attempt', () => {
    expect(allowRetry(cfg('allow'), handshake)).toBe(false)
  })

  it('does not retry over a Unix socket', () => {
    expect(allowRetry(cfg('allow'), hba, undefined, { unixSocket: true })).toBe(false)
  })
})

describe('tlsUpgradeOptions', () => {
  const files: Record<string, string> = {
    '/etc/pg/root.crt': ROOT,
    '/etc/pg/client.crt': CERT,
    '/etc/pg/client.key': KEY,
    '/home/u/.postgresql/root.crt': ROOT,
    '/home/u/.postgresql/postgresql.crt': CERT,
    '/home/u/.postgresql/postgresql.key': KEY,
    '/etc/pg/der.crt': '0\x82\x01',
  }
  const readFile = (path: string): string | undefined => files[path]

  it('require: no verification, SNI name and ALPN', () => {
    expect(tlsUpgradeOptions(cfg('require'), 'db.example.com')).toEqual({
      servername: 'db.example.com',
      rejectUnauthorized: false,
      checkServerIdentity: false,
      alpnProtocols: ['postgresql'],
    })
  })

  it('sslkeylogfile goes to the transport as keyLogFile', () => {
    expect(tlsUpgradeOptions(cfg('require', { sslkeylogfile: '/tmp/keys.log' }), 'h').keyLogFile).toBe('/tmp/keys.log')
    expect(tlsUpgradeOptions(cfg('require'), 'h').keyLogFile).toBeUndefined()
  })

  it('require with a root certificate acts as verify-ca (libpq)', () => {
    const o = tlsUpgradeOptions(cfg('require', { sslrootcert: ROOT }), 'h')
    expect(o.ca).toBe(ROOT)
    expect(o.rejectUnauthorized).toBe(true)
    expect(o.checkServerIdentity).toBe(false)
  })

  it('verify-ca checks the chain only; verify-full also the host name', () => {
    const ca = tlsUpgradeOptions(cfg('verify-ca', { sslrootcert: '/etc/pg/root.crt' }), 'h', readFile)
    expect(ca).toMatchObject({ ca: ROOT, rejectUnauthorized: true, checkServerIdentity: false })
    const full = tlsUpgradeOptions(cfg('verify-full', { sslrootcert: ROOT }), '127.0.0.1')
    expect(full).toMatchObject({ ca: ROOT, rejectUnauthorized: true, checkServerIdentity: true, servername: '127.0.0.1' })
  })

  it('sslrootcert=system uses the runtime roots and needs verify-full', () => {
    const o = tlsUpgradeOptions(cfg('verify-full', { sslrootcert: 'system' }), 'h')
    expect(o.ca).toBeUndefined()
    expect(o.rejectUnauthorized).toBe(true)
    expect(o.checkServerIdentity).toBe(true)
    for (const mode of ['allow', 'prefer', 'require', 'verify-ca'] as const) {
      expect(() => tlsUpgradeOptions(cfg(mode, { sslrootcert: 'system' }), 'h')).toThrow(ConfigError)
      expect(() => tlsUpgradeOptions(cfg(mode, { sslrootcert: 'system' }), 'h')).toThrow(
        `weak sslmode "${mode}" may not be used with sslrootcert=system (use "verify-full")`,
      )
    }
  })

  it('verify-ca / verify-full without a root certificate fail before connecting', () => {
    for (const mode of ['verify-ca', 'verify-full'] as const) {
      expect(() => tlsUpgradeOptions(cfg(mode), 'h')).toThrow(/no root certificate given/)
      expect(() => tlsUpgradeOptions(cfg(mode), 'h', () => undefined, { homeDir: '/home/x' })).toThrow(
        'root certificate file "/home/x/.postgresql/root.crt" does not exist',
      )
    }
  })

  it('finds ~/.postgresql/root.crt, postgresql.crt and postgresql.key with homeDir', () => {
    const o = tlsUpgradeOptions(cfg('require'), 'h', readFile, { homeDir: '/home/u' })
    expect(o).toMatchObject({ ca: ROOT, rejectUnauthorized: true, cert: CERT, key: KEY })
  })

  it('reads client certificate, key and passphrase', () => {
    const o = tlsUpgradeOptions(
      cfg('verify-full', { sslrootcert: ROOT, sslcert: '/etc/pg/client.crt', sslkey: '/etc/pg/client.key', sslpassword: 'pw' }),
      'h',
      readFile,
    )
    expect(o).toMatchObject({ cert: CERT, key: KEY, passphrase: 'pw' })
    const inline = tlsUpgradeOptions(cfg('require', { sslcert: CERT, sslkey: KEY }), 'h')
    expect(inline).toMatchObject({ cert: CERT, key: KEY })
  })

  it('reports missing, unreadable and non-PEM files as TlsError PGFLEET_TLS_FILES', () => {
    const cases: [TlsConfig, RegExp][] = [
      [cfg('verify-ca', { sslrootcert: '/nope.crt' }), /root certificate file "\/nope.crt" does not exist/],
      [cfg('require', { sslrootcert: '/etc/pg/der.crt' }), /holds no PEM data/],
      [cfg('require', { sslcert: '/etc/pg/client.crt' }), /certificate present, but not private key file/],
      [cfg('require', { sslcert: '/etc/pg/client.crt', sslkey: '/gone.key' }), /private key file "\/gone.key" does not exist/],
    ]
    for (const [config, message] of cases) {
      let caught: unknown
      try {
        tlsUpgradeOptions(config, 'h', readFile)
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(TlsError)
      expect((caught as TlsError).code).toBe(ErrorCode.TlsFiles)
      expect((caught as TlsError).message).toMatch(message)
    }
    const throwing = () => {
      throw new Error('EACCES: permission denied')
    }
    expect(() => tlsUpgradeOptions(cfg('require', { sslrootcert: '/x' }), 'h', throwing)).toThrow(
      'could not read root certificate file "/x": EACCES: permission denied',
    )
    expect(() => tlsUpgradeOptions(cfg('require', { sslrootcert: '/x' }), 'h')).toThrow(/cannot read files/)
  })

  it('a failure to load files on a prefer TLS attempt falls back to clear, as in libpq', () => {
    let caught: unknown
    try {
      tlsUpgradeOptions(cfg('prefer', { sslcert: '/gone.crt' }), 'h', readFile)
    } catch (e) {
      caught = e
    }
    expect(allowRetry(cfg('prefer'), caught)).toBe(true)
  })
})

describe('checkNegotiatedAlpn', () => {
  it('requires "postgresql" on direct TLS and rejects other protocols', () => {
    expect(checkNegotiatedAlpn(true, 'postgresql')).toBeUndefined()
    expect(checkNegotiatedAlpn(true, false)?.message).toMatch(/without ALPN/)
    expect(checkNegotiatedAlpn(false, false)).toBeUndefined()
    expect(checkNegotiatedAlpn(false, 'h2')?.message).toMatch(/unexpected ALPN protocol "h2"/)
    expect(checkNegotiatedAlpn(true, undefined)).toBeUndefined()
  })
})
