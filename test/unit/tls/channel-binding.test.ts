import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TlsError } from '../../../src/errors.js'
import { CHANNEL_BINDING_ERROR_CODE, endPointHashAlgorithm, tlsServerEndPoint } from '../../../src/tls/channel-binding.js'

// Certificates are made here with the openssl CLI, and the expected
// tls-server-end-point value is computed by `openssl dgst` on their DER form.
let dir: string
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })

/** Self-signed certificate with the given key file and `req` signing options; returns its DER bytes. */
function makeCert(name: string, key: string, ...signOptions: string[]): Uint8Array {
  openssl('req', '-x509', '-key', key, ...signOptions, '-subj', `/CN=${name}`, '-days', '1', '-out', `${name}.pem`)
  return new Uint8Array(openssl('x509', '-in', `${name}.pem`, '-outform', 'der'))
}

/** What OpenSSL says the end-point hash is: `openssl x509 -outform der | openssl dgst -<digest>`. */
function opensslDigest(name: string, digest: string): Uint8Array {
  openssl('x509', '-in', `${name}.pem`, '-outform', 'der', '-out', `${name}.der`)
  return new Uint8Array(openssl('dgst', `-${digest}`, '-binary', `${name}.der`))
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgfleet-cb-'))
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem')
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'ec.pem')
  openssl('genpkey', '-algorithm', 'ED25519', '-out', 'ed25519.pem')
  openssl('genpkey', '-algorithm', 'ED448', '-out', 'ed448.pem')
}, 60_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('tlsServerEndPoint (RFC 5929 §4.1)', () => {
  it.each([
    ['rsa-sha256', 'rsa.pem', ['-sha256'], 'SHA-256', 'sha256'],
    ['rsa-sha1', 'rsa.pem', ['-sha1'], 'SHA-256', 'sha256'], // SHA-1 → SHA-256
    ['rsa-md5', 'rsa.pem', ['-md5'], 'SHA-256', 'sha256'], // MD5 → SHA-256
    ['rsa-sha224', 'rsa.pem', ['-sha224'], 'SHA-224', 'sha224'],
    ['rsa-sha384', 'rsa.pem', ['-sha384'], 'SHA-384', 'sha384'],
    ['rsa-sha512', 'rsa.pem', ['-sha512'], 'SHA-512', 'sha512'],
    ['ecdsa-sha384', 'ec.pem', ['-sha384'], 'SHA-384', 'sha384'],
    ['ecdsa-sha256', 'ec.pem', ['-sha256'], 'SHA-256', 'sha256'],
    ['ecdsa-sha1', 'ec.pem', ['-sha1'], 'SHA-256', 'sha256'],
    ['ecdsa-sha512', 'ec.pem', ['-sha512'], 'SHA-512', 'sha512'],
    ['pss-sha384', 'rsa.pem', ['-sha384', '-sigopt', 'rsa_padding_mode:pss'], 'SHA-384', 'sha384'],
    ['pss-sha512', 'rsa.pem', ['-sha512', '-sigopt', 'rsa_padding_mode:pss'], 'SHA-512', 'sha512'],
    // PSS with SHA-1 omits hashAlgorithm (DER drops DEFAULT values): SHA-1 → SHA-256.
    ['pss-sha1-default', 'rsa.pem', ['-sha1', '-sigopt', 'rsa_padding_mode:pss'], 'SHA-256', 'sha256'],
  ])('%s certificate is hashed with %s', async (name, key, options, hash, digest) => {
    const der = makeCert(name, key, ...(options as string[]))
    expect(endPointHashAlgorithm(der)).toBe(hash)
    const endPoint = await tlsServerEndPoint(der)
    expect(endPoint).toEqual(opensslDigest(name, digest))
  })

  it('hashes only the certificate bytes of a view into a larger buffer', async () => {
    const der = makeCert('view', 'rsa.pem', '-sha256')
    const padded = new Uint8Array(der.length + 20)
    padded.set(der, 10)
    expect(await tlsServerEndPoint(padded.subarray(10, 10 + der.length))).toEqual(opensslDigest('view', 'sha256'))
  })

  it.each([
    ['ed25519', 'Ed25519'],
    ['ed448', 'Ed448'],
  ])('%s certificates have no hash: TlsError as libpq', async (key, label) => {
    const der = makeCert(key, `${key}.pem`)
    const error = await tlsServerEndPoint(der).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(CHANNEL_BINDING_ERROR_CODE)
    expect((error as Error).message).toBe(`could not determine server certificate signature algorithm (${label} has no hash for tls-server-end-point)`)
  })

  it('rejects malformed certificates with a TlsError', async () => {
    const der = makeCert('truncated', 'rsa.pem', '-sha256')
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
