/**
 * Authentication against the suite's real PostgreSQL servers: every login method
 * of the test roles, channel binding (SCRAM-SHA-256-PLUS over TLS),
 * require_auth, client certificates and sslrootcert forms.
 *
 * Proof that -PLUS is really used: a runtime that reports a different peer
 * certificate to the SCRAM layer makes the server refuse the login whenever
 * channel binding is in use (it checks the tls-server-end-point hash against
 * its own certificate), and only then.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { connect, type Client, type ClientOptions } from '../../src/index.js'
import { AuthError, ConfigError, PgError, TlsError } from '../../src/errors.js'
import type { RuntimeEnvironment } from '../../src/runtime.js'
import type { Socket, TlsInfo, TlsUpgradeOptions } from '../../src/transport/socket.js'
import { ErrorCode } from '../../src/error-codes.js'
import { cleanRuntime, goodTlsOptions } from './helpers/server.js'
import { harness, CERT_USER, DATABASE, MD5_USER, PASSWORD, PASSWORD_USER, SCRAM_USER, TRUST_USER } from '../support/harness.js'

const run = promisify(execFile)

const base = goodTlsOptions

/** Connect, read the server's view of the session, close. */
async function login(options: ClientOptions): Promise<{ user: string; ssl: boolean; encrypted: boolean }> {
  const client: Client = await connect(options)
  try {
    const { rows } = await client.query<{ user: string; ssl: boolean }>(
      'select current_user as user, (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl',
    )
    return { ...rows[0]!, encrypted: client.encrypted }
  } finally {
    await client.close()
  }
}

function failure(options: ClientOptions): Promise<Error> {
  return login(options).then(
    () => new Error('login unexpectedly succeeded'),
    (e: unknown) => e as Error,
  )
}

/** DER bytes of a PEM certificate. */
function der(pem: string): Uint8Array {
  const b64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
  return new Uint8Array(Buffer.from(b64, 'base64'))
}

/**
 * The Node runtime, except that a TLS upgrade reports `certificate` as the
 * server's: the channel-binding data the client sends then no longer matches
 * the certificate the server really presented.
 */
function runtimeReporting(certificate: Uint8Array): RuntimeEnvironment {
  const real = cleanRuntime()
  return {
    ...real,
    dial: async (options) => {
      const socket = (await real.dial(options)) as Socket & { tls?: TlsInfo }
      const startTls = socket.startTls.bind(socket)
      socket.startTls = async (upgrade: TlsUpgradeOptions) => ({ ...(await startTls(upgrade)), peerCertificate: certificate })
      return socket
    },
  }
}

describe('logins per method (real servers)', () => {
  const users = { trust: TRUST_USER, md5: MD5_USER, scram: SCRAM_USER, password: PASSWORD_USER }
  for (const [method, user] of Object.entries(users)) {
    for (const sslmode of ['disable', 'verify-full'] as const) {
      it(`${method} user logs in with sslmode=${sslmode}`, async () => {
        const session = await login(base({ user, sslmode }))
        expect(session.user).toBe(user)
        expect(session.ssl).toBe(sslmode !== 'disable')
        expect(session.encrypted).toBe(session.ssl)
      })
    }
  }

  for (const [method, user] of [
    ['md5', MD5_USER],
    ['scram', SCRAM_USER],
    ['password', PASSWORD_USER],
  ] as const) {
    it(`${method} user with a wrong password gets PgError 28P01`, async () => {
      const error = await failure(base({ user, password: 'not-the-password' }))
      expect(error).toBeInstanceOf(PgError)
      expect((error as PgError).code).toBe('28P01')
      expect(error.message).not.toContain('not-the-password')
    })
  }

  it('a password role without a password fails before anything is sent', async () => {
    const error = await failure(base({ user: SCRAM_USER, password: undefined }))
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).code).toBe('PGFLEET_NO_PASSWORD')
  })
})

describe('channel binding (SCRAM-SHA-256-PLUS)', () => {
  let otherCert: Uint8Array
  beforeAll(() => {
    otherCert = der(harness().certs.wrongName.certPem)
  })

  it('channel_binding=require over TLS logs a SCRAM user in', async () => {
    const session = await login(base({ user: SCRAM_USER, channelBinding: 'require' }))
    expect(session).toMatchObject({ user: SCRAM_USER, ssl: true })
  })

  it('the server checks the binding: a forged end-point hash is refused under require and prefer, ignored under disable', async () => {
    const forged = runtimeReporting(otherCert)
    for (const channelBinding of ['require', 'prefer'] as const) {
      const error = await failure(base({ user: SCRAM_USER, channelBinding, runtime: forged }))
      expect(error, channelBinding).toBeInstanceOf(PgError)
      // 28000 invalid_authorization_specification ("SCRAM channel binding check failed").
      expect((error as PgError).code, error.message).toMatch(/^28/)
    }
    // Without binding (SCRAM-SHA-256, "n,,") the reported certificate plays no part.
    const session = await login(base({ user: SCRAM_USER, channelBinding: 'disable', runtime: forged }))
    expect(session.ssl).toBe(true)
    // The server's own log says why it refused.
    const log = await readFile(harness().tls.good.logFile, 'utf8')
    expect(log).toMatch(/channel binding/i)
  })

  it('channel_binding=require with sslmode=disable is a configuration error', async () => {
    const error = await failure(base({ user: SCRAM_USER, channelBinding: 'require', sslmode: 'disable' }))
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).option).toMatch(/channel/i)
  })

  it('channel_binding=require fails over a clear connection (no -PLUS offered)', async () => {
    const off = harness().tls.off
    const error = await failure(base({ host: off.host, port: off.port, user: SCRAM_USER, sslmode: 'prefer', channelBinding: 'require' }))
    expect(error).toBeInstanceOf(AuthError)
    expect(error.message).toMatch(/channel binding/i)
  })

  for (const [method, user] of [
    ['md5', MD5_USER],
    ['password', PASSWORD_USER],
    ['trust', TRUST_USER],
  ] as const) {
    it(`channel_binding=require refuses the ${method} user over TLS`, async () => {
      const error = await failure(base({ user, channelBinding: 'require' }))
      expect(error).toBeInstanceOf(AuthError)
      expect(error.message).toMatch(/channel binding/i)
    })
  }
})

describe('require_auth (libpq 16 semantics)', () => {
  const cases: [requireAuth: string, user: string, ok: boolean][] = [
    ['scram-sha-256', SCRAM_USER, true],
    ['scram-sha-256', MD5_USER, false],
    ['scram-sha-256', PASSWORD_USER, false],
    ['scram-sha-256', TRUST_USER, false],
    ['!password', PASSWORD_USER, false],
    ['!password', MD5_USER, true],
    ['!password', SCRAM_USER, true],
    ['md5,password', SCRAM_USER, false],
    // A plain list without none: the listed method, answered, is enough.
    ['password', PASSWORD_USER, true],
    ['md5', MD5_USER, true],
    ['password,md5', PASSWORD_USER, true],
    ['password,md5', MD5_USER, true],
    ['md5', PASSWORD_USER, false],
    ['password', MD5_USER, false],
    ['password,md5', TRUST_USER, false],
    ['none', TRUST_USER, true],
    ['none', SCRAM_USER, false],
    ['!none', TRUST_USER, false],
    ['scram-sha-256,none', TRUST_USER, true],
  ]
  for (const [requireAuth, user, ok] of cases) {
    it(`require_auth=${requireAuth} ${ok ? 'admits' : 'refuses'} ${user}`, async () => {
      const options = base({ user, requireAuth })
      if (ok) {
        expect((await login(options)).user).toBe(user)
      } else {
        const error = await failure(options)
        expect(error).toBeInstanceOf(AuthError)
        expect((error as AuthError).code).toBe('PGFLEET_REQUIRE_AUTH')
      }
    })
  }
})

describe('client certificates and sslrootcert forms', () => {
  let encryptedKeyPath: string
  let encryptedKeyPem: string
  const keyPassword = 'key-passphrase-7e1'

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgfleet-key-'))
    encryptedKeyPath = join(dir, 'client-encrypted.key')
    await run('openssl', ['pkey', '-in', harness().certs.client.key, '-aes256', '-passout', `pass:${keyPassword}`, '-out', encryptedKeyPath])
    encryptedKeyPem = await readFile(encryptedKeyPath, 'utf8')
  })

  it('the cert user logs in with sslcert/sslkey as PEM text', async () => {
    const { client } = harness().certs
    const session = await login(base({ user: CERT_USER, password: undefined, sslcert: client.certPem, sslkey: client.keyPem }))
    expect(session).toMatchObject({ user: CERT_USER, ssl: true })
  })

  it('the cert user logs in with sslcert/sslkey as file paths', async () => {
    const { client } = harness().certs
    const session = await login(base({ user: CERT_USER, password: undefined, sslcert: client.cert, sslkey: client.key }))
    expect(session).toMatchObject({ user: CERT_USER, ssl: true })
  })

  it('the cert user is refused without a client certificate', async () => {
    const error = await failure(base({ user: CERT_USER, password: undefined }))
    expect(error).toBeInstanceOf(PgError)
    expect((error as PgError).code).toBe('28000')
  })

  it('an encrypted key works with sslpassword (PEM text and path), and fails without or with a wrong one', async () => {
    const { client } = harness().certs
    for (const sslkey of [encryptedKeyPem, encryptedKeyPath]) {
      const session = await login(base({ user: CERT_USER, password: undefined, sslcert: client.cert, sslkey, sslpassword: keyPassword }))
      expect(session.user).toBe(CERT_USER)
    }
    for (const sslpassword of [undefined, 'wrong-passphrase']) {
      const error = await failure(base({ user: CERT_USER, password: undefined, sslcert: client.cert, sslkey: encryptedKeyPath, sslpassword }))
      expect(error).toBeInstanceOf(TlsError)
      expect((error as TlsError).code).toBe(ErrorCode.TlsFiles)
      expect(error.message).not.toContain('wrong-passphrase')
    }
  })

  it('sslrootcert as PEM text and as a file path verify the server', async () => {
    const { ca } = harness().certs
    expect((await login(base({ user: TRUST_USER, sslrootcert: ca.certPem }))).ssl).toBe(true)
    expect((await login(base({ user: TRUST_USER, sslrootcert: ca.cert }))).ssl).toBe(true)
  })

  it('a missing sslrootcert file is a TlsError naming it', async () => {
    const error = await failure(base({ user: TRUST_USER, sslrootcert: '/nonexistent/root.crt' }))
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsFiles)
    expect(error.message).toContain('/nonexistent/root.crt')
  })

  it('sslrootcert=system uses the system roots with verify-full: our private CA fails verification', async () => {
    const error = await failure(base({ user: TRUST_USER, sslrootcert: 'system' }))
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsCertificate)
  })

  it('sslrootcert=system with a weaker sslmode is a configuration error (libpq 16)', async () => {
    for (const sslmode of ['require', 'verify-ca'] as const) {
      const error = await failure(base({ user: TRUST_USER, sslrootcert: 'system', sslmode }))
      expect(error).toBeInstanceOf(ConfigError)
    }
  })
})
