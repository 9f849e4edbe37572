/**
 * tls-server-end-point channel-binding data (RFC 5929 §4.1) for
 * SCRAM-SHA-256-PLUS: the hash of the server's DER certificate, with the hash
 * function of the certificate's signatureAlgorithm, except that MD5 and SHA-1
 * are replaced by SHA-256. Mirrors libpq's pgtls_get_peer_certificate_hash,
 * including RSASSA-PSS, whose hash is a parameter (PostgreSQL 17 / OpenSSL
 * X509_get_signature_info).
 */
import { ErrorCode, TlsError } from '../errors.js'
import { DerError, DerTag, expectElement, readAlgorithmIdentifier, readCertificateSignatureAlgorithm, readChildren } from './der.js'
import { sha224 } from './sha224.js'

/** Hashes a certificate can be bound with. */
export type EndPointHash = 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512'

const RSASSA_PSS = '1.2.840.113549.1.1.10'

/** Signature algorithm OID → the hash RFC 5929 says to use (MD5/SHA-1 already upgraded to SHA-256). */
const SIGNATURE_HASH: Record<string, EndPointHash> = {
  // PKCS#1 v1.5 (RFC 8017 appendix C)
  '1.2.840.113549.1.1.4': 'SHA-256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'SHA-256', // sha1WithRSAEncryption
  '1.3.14.3.2.29': 'SHA-256', // sha1WithRSASignature (OIW)
  '1.2.840.113549.1.1.14': 'SHA-224',
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
  // ECDSA (RFC 5758 §3.2)
  '1.2.840.10045.4.1': 'SHA-256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'SHA-224',
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
  // DSA (RFC 5758 §3.1)
  '1.2.840.10040.4.3': 'SHA-256', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'SHA-224',
  '2.16.840.1.101.3.4.3.2': 'SHA-256',
}

/** Hash algorithm OIDs, as found in RSASSA-PSS parameters (RFC 4055 §2.1). */
const HASH_OID: Record<string, EndPointHash> = {
  '1.3.14.3.2.26': 'SHA-256', // sha1 → SHA-256
  '1.2.840.113549.2.5': 'SHA-256', // md5 → SHA-256
  '2.16.840.1.101.3.4.2.4': 'SHA-224',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
}

/** Names for algorithms that have no separate hash, for a clearer error. */
const NO_HASH: Record<string, string> = {
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
}

/**
 * The hash tls-server-end-point uses for this DER certificate. Throws
 * TlsError when there is none (Ed25519/Ed448, unknown algorithms) or the
 * certificate is malformed.
 */
export function endPointHashAlgorithm(certDer: Uint8Array): EndPointHash {
  let oid: string
  let hash: EndPointHash | undefined
  try {
    const algorithm = readCertificateSignatureAlgorithm(certDer)
    oid = algorithm.oid
    hash = oid === RSASSA_PSS ? pssHash(algorithm.parameters?.tag === DerTag.Sequence ? algorithm.parameters.value : undefined) : SIGNATURE_HASH[oid]
  } catch (error) {
    if (error instanceof DerError)
      throw new TlsError(`could not parse server certificate for channel binding: ${error.message}`, { code: ErrorCode.TlsChannelBinding, cause: error })
    throw error
  }
  if (hash === undefined) {
    const name = NO_HASH[oid]
    throw new TlsError(
      `could not determine server certificate signature algorithm (${name ? `${name} has no hash for tls-server-end-point` : `unsupported algorithm ${oid}`})`,
      { code: ErrorCode.TlsChannelBinding },
    )
  }
  return hash
}

/** tls-server-end-point channel-binding data for the server's DER certificate (RFC 5929 §4.1). */
export async function tlsServerEndPoint(certDer: Uint8Array): Promise<Uint8Array> {
  const hash = endPointHashAlgorithm(certDer)
  if (hash === 'SHA-224') return sha224(certDer)
  return new Uint8Array(await globalThis.crypto.subtle.digest(hash, certDer as Uint8Array<ArrayBuffer>))
}

/**
 * RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1, ... }
 * (RFC 4055 §3.1). An absent hash means SHA-1, which becomes SHA-256.
 */
function pssHash(params: Uint8Array | undefined): EndPointHash | undefined {
  if (params === undefined) return 'SHA-256'
  const first = readChildren(params)[0]
  if (first === undefined || first.tag !== DerTag.Context0) return 'SHA-256'
  const hashAlgorithm = expectElement(first.value, 0, DerTag.Sequence, 'PSS hashAlgorithm SEQUENCE')
  return HASH_OID[readAlgorithmIdentifier(hashAlgorithm.value).oid]
}
