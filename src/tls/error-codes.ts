/**
 * Stable `code`s of the TlsErrors raised by the sslmode policy and by the
 * transports, so that the policy can tell a failed handshake (which libpq
 * may retry in clear for sslmode=prefer) from a refusal it must not retry.
 */
export const TlsErrorCode = {
  /** Server answered 'N' to SSLRequest but the sslmode requires TLS. */
  NotSupported: 'PGFLEET_TLS_NOT_SUPPORTED',
  /** Server answered 'E' to SSLRequest (its text is never shown: CVE-2024-10977). */
  ServerError: 'PGFLEET_TLS_SERVER_ERROR',
  /** Bytes arrived after 'S' and before the handshake (CVE-2021-23222). */
  UnencryptedData: 'PGFLEET_TLS_UNENCRYPTED_DATA',
  /** The TLS handshake failed for a reason other than the certificate. */
  Handshake: 'PGFLEET_TLS_HANDSHAKE',
  /** The server certificate failed chain or host-name verification. */
  Certificate: 'PGFLEET_TLS_CERTIFICATE',
  /** A root certificate, client certificate or key could not be loaded. */
  Files: 'PGFLEET_TLS_FILES',
} as const

export type TlsErrorCode = (typeof TlsErrorCode)[keyof typeof TlsErrorCode]

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
