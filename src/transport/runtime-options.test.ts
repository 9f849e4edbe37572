import { describe, expect, it } from 'vitest'
import { TlsError } from '../errors.js'
import { acceptHandshake, alpnWireFormat, bunTlsOptions } from './bun.js'
import { cloudflareTlsName } from './cloudflare.js'
import { denoTlsOptions } from './deno.js'
import type { TlsUpgradeOptions } from './socket.js'

const full: TlsUpgradeOptions = { servername: 'db.example', ca: 'PEM', rejectUnauthorized: true, checkServerIdentity: true, alpnProtocols: ['postgresql'] }
const verifyCa: TlsUpgradeOptions = { ...full, checkServerIdentity: false }
const require_: TlsUpgradeOptions = { servername: 'db.example', rejectUnauthorized: false, checkServerIdentity: false }
const limit = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(TlsError)
    return (error as TlsError).code
  }
  return 'no error'
}

describe('Bun TLS options', () => {
  it('encodes ALPN in wire format (RFC 7301)', () => {
    expect([...new Uint8Array(alpnWireFormat(['postgresql', 'h2']))]).toEqual([10, ...new TextEncoder().encode('postgresql'), 2, 104, 50])
  })
  it('lets Bun reject only for verify-full; verify-ca accepts a name mismatch alone', () => {
    expect(bunTlsOptions(full).rejectUnauthorized).toBe(true)
    expect(bunTlsOptions(verifyCa).rejectUnauthorized).toBe(false)
    expect(acceptHandshake(verifyCa, { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).toBe(true)
    expect(acceptHandshake(verifyCa, { code: 'SELF_SIGNED_CERT_IN_CHAIN' })).toBe(false)
    expect(acceptHandshake(full, { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).toBe(false)
    expect(acceptHandshake(require_, { code: 'SELF_SIGNED_CERT_IN_CHAIN' })).toBe(true)
  })
})

describe('Deno TLS options', () => {
  it('maps verify-full and require; refuses verify-ca, encrypted keys and client certs after SSLRequest', () => {
    expect(denoTlsOptions(full, false)).toMatchObject({ hostname: 'db.example', caCerts: ['PEM'], unsafelyDisableHostnameVerification: false })
    expect(denoTlsOptions(require_, false)).toMatchObject({ caCerts: undefined, unsafelyDisableHostnameVerification: true })
    expect(limit(() => denoTlsOptions(verifyCa, false))).toBe('PGFLEET_TLS_RUNTIME_LIMIT')
    expect(limit(() => denoTlsOptions({ ...full, passphrase: 'x' }, true))).toBe('PGFLEET_TLS_RUNTIME_LIMIT')
    expect(limit(() => denoTlsOptions({ ...full, cert: 'C', key: 'K' }, false))).toBe('PGFLEET_TLS_RUNTIME_LIMIT')
    expect(denoTlsOptions({ ...full, cert: 'C', key: 'K' }, true)).toMatchObject({ cert: 'C', key: 'K' })
  })
})

describe('Workers TLS options', () => {
  it('accepts public-root verification only', () => {
    expect(cloudflareTlsName({ ...full, ca: undefined })).toBe('db.example')
    expect(cloudflareTlsName(require_)).toBe('db.example')
    expect(limit(() => cloudflareTlsName(full))).toBe('PGFLEET_TLS_RUNTIME_LIMIT')
    expect(limit(() => cloudflareTlsName({ ...verifyCa, ca: undefined }))).toBe('PGFLEET_TLS_RUNTIME_LIMIT')
    expect(limit(() => cloudflareTlsName({ ...require_, cert: 'C', key: 'K' }))).toBe('PGFLEET_TLS_RUNTIME_LIMIT')
  })
})
