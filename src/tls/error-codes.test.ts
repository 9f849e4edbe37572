import { describe, expect, it } from 'vitest'
import { isCertificateErrorCode } from './error-codes.js'

describe('isCertificateErrorCode', () => {
  it.each([
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'INVALID_CA',
    'HOSTNAME_MISMATCH',
  ])('%s is a certificate failure', (code) => {
    expect(isCertificateErrorCode(code)).toBe(true)
  })

  it.each(['EPROTO', 'ECONNRESET', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', '', undefined])(
    '%s is not',
    (code) => {
      expect(isCertificateErrorCode(code)).toBe(false)
    },
  )
})
