import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ErrorCode, TlsError } from '../../src/errors.js'
import { endPointHashAlgorithm, tlsServerEndPoint } from '../../src/tls/channel-binding.js'
import { certificateDer } from '../../src/tls/testing/end-point-certificates.js'

// Certificates were made once with the openssl CLI (testing/end-point-certificates.ts);
// the expected tls-server-end-point value is the DER form hashed here by node:crypto.
const digest = (der: Uint8Array, algorithm: string) => new Uint8Array(createHash(algorithm).update(der).digest())

describe('tlsServerEndPoint (RFC 5929 §4.1)', () => {
  it.each([
    ['rsa-sha256', 'SHA-256', 'sha256'],
    ['rsa-sha1', 'SHA-256', 'sha256'], // SHA-1 → SHA-256
    ['rsa-md5', 'SHA-256', 'sha256'], // MD5 → SHA-256
    ['rsa-sha224', 'SHA-224', 'sha224'],
    ['rsa-sha384', 'SHA-384', 'sha384'],
    ['rsa-sha512', 'SHA-512', 'sha512'],
    ['ecdsa-sha384', 'SHA-384', 'sha384'],
    ['ecdsa-sha256', 'SHA-256', 'sha256'],
    ['ecdsa-sha1', 'SHA-256', 'sha256'],
    ['ecdsa-sha512', 'SHA-512', 'sha512'],
    ['pss-sha384', 'SHA-384', 'sha384'],
    ['pss-sha512', 'SHA-512', 'sha512'],
    // PSS with SHA-1 omits hashAlgorithm (DER drops DEFAULT values): SHA-1 → SHA-256.
    ['pss-sha1-default', 'SHA-256', 'sha256'],
  ])('%s certificate is hashed with %s', async (name, hash, algorithm) => {
    const der = certificateDer(name)
    expect(endPointHashAlgorithm(der)).toBe(hash)
    expect(await tlsServerEndPoint(der)).toEqual(digest(der, algorithm))
  })

  it('hashes only the certificate bytes of a view into a larger buffer', async () => {
    const der = certificateDer('rsa-sha256')
    const padded = new Uint8Array(der.length + 20)
    padded.set(der, 10)
    expect(await tlsServerEndPoint(padded.subarray(10, 10 + der.length))).toEqual(digest(der, 'sha256'))
  })

  it.each([
    ['ed25519', 'Ed25519'],
    ['ed448', 'Ed448'],
  ])('%s certificates have no hash: TlsError as libpq', async (name, label) => {
    const error = await tlsServerEndPoint(certificateDer(name)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsChannelBinding)
    expect((error as Error).message).toBe(`could not determine server certificate signature algorithm (${label} has no hash for tls-server-end-point)`)
  })

  it('rejects malformed certificates with a TlsError', async () => {
    const der = certificateDer('rsa-sha256')
    for (const bad of [der.subarray(0, der.length - 1), new Uint8Array(), new Uint8Array([0x30, 0x80, 0, 0])]) {
      const error = await tlsServerEndPoint(bad).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(TlsError)
      expect((error as Error).message).toMatch(/could not parse server certificate for channel binding/)
    }
  })

  it('rejects an unknown signature algorithm naming its OID', () => {
    // Skeleton certificate whose signatureAlgorithm is 1.2.3.4.
    const body = [0x30, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x03, 0x01, 0x00]
    expect(() => endPointHashAlgorithm(new Uint8Array([0x30, body.length, ...body]))).toThrow(/unsupported algorithm 1\.2\.3\.4/)
  })
})
