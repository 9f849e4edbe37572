import { describe, expect, it } from 'vitest'
import { TlsError } from '../errors.js'
import { isIpAddress, isPemText, loadDefaultPem, loadPem } from './certificates.js'

describe('isIpAddress', () => {
  it.each(['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '::', 'fe80::1%eth0', '[::1]', '2001:db8::8a2e:370:7334', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8'])(
    '%s is an IP literal',
    (h) => expect(isIpAddress(h)).toBe(true),
  )
  it.each(['localhost', 'db.example.com', '256.0.0.1', '1.2.3', '01.2.3.4x', '1::2::3', '1:2:3:4:5:6:7:8:9', 'abcd', 'g::1', ''])(
    '%s is not',
    (h) => expect(isIpAddress(h)).toBe(false),
  )
})

describe('PEM values', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'
  it('tells PEM text from paths', () => {
    expect(isPemText(PEM)).toBe(true)
    expect(isPemText(`\n  ${PEM}`)).toBe(true)
    expect(isPemText('/etc/ssl/root.crt')).toBe(false)
  })
  it('returns PEM text as is and reads paths', () => {
    expect(loadPem(PEM, 'root certificate', undefined)).toBe(PEM)
    expect(loadPem('/a', 'root certificate', (p) => (p === '/a' ? PEM : undefined))).toBe(PEM)
    expect(() => loadPem('/b', 'certificate', () => undefined)).toThrow(TlsError)
  })
  it('treats an absent or unreadable default file as absent', () => {
    expect(loadDefaultPem('/d', 'root certificate', () => undefined)).toBeUndefined()
    expect(
      loadDefaultPem('/d', 'root certificate', () => {
        throw new Error('EACCES')
      }),
    ).toBeUndefined()
    expect(loadDefaultPem('/d', 'root certificate', undefined)).toBeUndefined()
    expect(loadDefaultPem('/d', 'root certificate', () => PEM)).toBe(PEM)
  })
})
