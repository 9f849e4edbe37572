import { describe, expect, it } from 'vitest'
import { acceptHandshake, alpnWireFormat, bunTlsOptions } from './bun.js'
import { denoTlsOptions } from './deno.js'
import type { TlsUpgradeOptions } from './socket.js'

const full: TlsUpgradeOptions = { servername: 'db.example', ca: 'PEM', rejectUnauthorized: true, checkServerIdentity: true, alpnProtocols: ['postgresql'] }
const verifyCa: TlsUpgradeOptions = { ...full, checkServerIdentity: false }
const require_: TlsUpgradeOptions = { servername: 'db.example', rejectUnauthorized: false, checkServerIdentity: false }

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
  it('maps verify-full and require; a client certificate travels with the options (Deno.connectTls takes it)', () => {
    expect(denoTlsOptions(full)).toMatchObject({ hostname: 'db.example', caCerts: ['PEM'], unsafelyDisableHostnameVerification: false })
    expect(denoTlsOptions(require_)).toMatchObject({ caCerts: undefined, unsafelyDisableHostnameVerification: true })
    expect(denoTlsOptions({ ...full, cert: 'C', key: 'K' })).toMatchObject({ cert: 'C', key: 'K' })
  })
})
