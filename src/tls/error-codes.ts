/**
 * OpenSSL / Node / Bun verification codes (CERT_HAS_EXPIRED,
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID, ...), as
 * opposed to handshake failures such as ERR_SSL_* alerts or EPROTO.
 */
const CERTIFICATE_CODE = /CERT|SIGNATURE|ISSUER|INVALID_CA|PATH_LENGTH|INVALID_PURPOSE|HOSTNAME|SELF_SIGNED|UNABLE_TO_|EXPIRED|ALTNAME/

/** True when a runtime's TLS error code says the server certificate failed verification. */
export function isCertificateErrorCode(code: string | undefined): boolean {
  return code !== undefined && !code.startsWith('ERR_SSL_') && CERTIFICATE_CODE.test(code)
}
