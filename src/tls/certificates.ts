/**
 * Pure helpers for the certificate options (sslrootcert, sslcert, sslkey):
 * tell PEM text from a file path, load files through an injected reader, and
 * recognise IP-literal hosts (no SNI, IP SANs). No runtime imports: the file
 * reader comes from the transport (src/transport/node-fs.ts on Node).
 */
import { ErrorCode, TlsError } from '../errors.js'

/**
 * Reads a text file. Returns undefined when the file does not exist; throws
 * for any other failure (permissions, a directory, ...).
 */
export type ReadFile = (path: string) => string | undefined

/** True when the value is PEM text rather than a file path. */
export function isPemText(value: string): boolean {
  return value.trimStart().startsWith('-----BEGIN')
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const IPV6_CHARS = /^[0-9a-f:.]+$/i

/**
 * True for an IPv4 or IPv6 literal (optionally in brackets, optionally with a
 * %zone). libpq sends no SNI for these and checks them against the
 * certificate's iPAddress SANs instead of its DNS names.
 */
export function isIpAddress(host: string): boolean {
  if (IPV4.test(host)) return true
  let h = host
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  const zone = h.indexOf('%')
  if (zone >= 0) h = h.slice(0, zone)
  if (!h.includes(':') || !IPV6_CHARS.test(h)) return false
  const doubleColons = h.split('::').length - 1
  if (doubleColons > 1) return false
  const groups = h.split(':').filter((g) => g !== '')
  const last = groups[groups.length - 1] ?? ''
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const tailIsV4 = last.includes('.')
  if (tailIsV4 && !IPV4.test(last)) return false
  const hexGroups = tailIsV4 ? groups.slice(0, -1) : groups
  if (!hexGroups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false
  const count = hexGroups.length + (tailIsV4 ? 2 : 0)
  return doubleColons === 1 ? count < 8 : count === 8
}

/** Which certificate option a PEM value came from, for error messages (libpq's wording). */
export type PemKind = 'root certificate' | 'certificate' | 'private key'

/**
 * Returns the PEM text of a certificate option: the value itself when it is
 * PEM text, else the contents of the file it names. Throws a TlsError when
 * the file is missing, unreadable, or holds no PEM data.
 */
export function loadPem(value: string, kind: PemKind, readFile: ReadFile | undefined): string {
  if (isPemText(value)) return value
  if (readFile === undefined) {
    throw new TlsError(`${kind} "${value}" is a file path, but this runtime cannot read files; pass the PEM text instead`, { code: ErrorCode.TlsFiles })
  }
  let text: string | undefined
  try {
    text = readFile(value)
  } catch (cause) {
    throw new TlsError(`could not read ${kind} file "${value}": ${(cause as Error).message ?? String(cause)}`, { code: ErrorCode.TlsFiles, cause })
  }
  if (text === undefined) {
    throw new TlsError(`${kind} file "${value}" does not exist`, { code: ErrorCode.TlsFiles })
  }
  if (!text.includes('-----BEGIN')) {
    throw new TlsError(`${kind} file "${value}" holds no PEM data`, { code: ErrorCode.TlsFiles })
  }
  return text
}

/**
 * Reads an optional default file (libpq's ~/.postgresql/root.crt and
 * friends): its PEM text, or undefined when it does not exist.
 */
export function loadDefaultPem(path: string, kind: PemKind, readFile: ReadFile | undefined): string | undefined {
  if (readFile === undefined) return undefined
  let text: string | undefined
  try {
    text = readFile(path)
  } catch {
    // libpq stat()s the default file and treats any failure as "absent".
    return undefined
  }
  if (text === undefined) return undefined
  if (!text.includes('-----BEGIN')) {
    throw new TlsError(`${kind} file "${path}" holds no PEM data`, { code: ErrorCode.TlsFiles })
  }
  return text
}
