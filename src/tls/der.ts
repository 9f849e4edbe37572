/**
 * A minimal DER reader (X.690 §8, §10): enough to walk an X.509 certificate
 * down to its signatureAlgorithm. Definite lengths only, as DER requires;
 * every length is checked against the bytes that hold it.
 */

/** Universal tags used here. */
export const DerTag = {
  Sequence: 0x30,
  ObjectIdentifier: 0x06,
  Null: 0x05,
  /** [0] EXPLICIT, constructed context-specific. */
  Context0: 0xa0,
} as const

/** One tag-length-value element. `value` is a view into the input, not a copy. */
export interface DerElement {
  tag: number
  value: Uint8Array
  /** Offset just past this element in the buffer it was read from. */
  end: number
}

/** Thrown on bytes that are not valid DER; callers wrap it in their own error. */
export class DerError extends Error {
  override name = 'DerError'
}

/** Read the element that starts at `offset`, staying within `bytes`. */
export function readElement(bytes: Uint8Array, offset = 0): DerElement {
  if (offset + 2 > bytes.length) throw new DerError(`truncated element at offset ${offset}`)
  const tag = bytes[offset]!
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high-tag-number form at offset ${offset} is not supported`)
  let length = bytes[offset + 1]!
  let start = offset + 2
  if (length & 0x80) {
    const count = length & 0x7f
    // 0x80 is the BER indefinite form, forbidden in DER; 4 length bytes is plenty for a certificate.
    if (count === 0 || count > 4) throw new DerError(`unsupported length form at offset ${offset}`)
    if (start + count > bytes.length) throw new DerError(`truncated length at offset ${offset}`)
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!
    start += count
  }
  const end = start + length
  if (end > bytes.length) throw new DerError(`element at offset ${offset} claims ${length} bytes, ${bytes.length - start} remain`)
  return { tag, value: bytes.subarray(start, end), end }
}

/** Read an element and check its tag. */
export function expectElement(bytes: Uint8Array, offset: number, tag: number, what: string): DerElement {
  if (offset >= bytes.length) throw new DerError(`missing ${what} at offset ${offset}`)
  const element = readElement(bytes, offset)
  if (element.tag !== tag)
    throw new DerError(`expected ${what} (tag 0x${tag.toString(16)}), found tag 0x${element.tag.toString(16)} at offset ${offset}`)
  return element
}

/** The elements directly inside a constructed value (e.g. a SEQUENCE's contents). */
export function readChildren(value: Uint8Array): DerElement[] {
  const children: DerElement[] = []
  for (let offset = 0; offset < value.length; ) {
    const child = readElement(value, offset)
    children.push(child)
    offset = child.end
  }
  return children
}

/** Decode OBJECT IDENTIFIER contents (X.690 §8.19) to dotted form, e.g. "1.2.840.113549.1.1.11". */
export function decodeOid(value: Uint8Array): string {
  if (value.length === 0) throw new DerError('empty OBJECT IDENTIFIER')
  const arcs: number[] = []
  let arc = 0
  for (let i = 0; i < value.length; i++) {
    const byte = value[i]!
    if (arc === 0 && byte === 0x80) throw new DerError('OBJECT IDENTIFIER arc with a leading 0x80 byte')
    arc = arc * 128 + (byte & 0x7f)
    if (arc > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OBJECT IDENTIFIER arc too large')
    if (byte & 0x80) continue
    if (arcs.length === 0) {
      // The first subidentifier packs the first two arcs: 40 * X + Y, X in 0..2.
      const first = arc < 40 ? 0 : arc < 80 ? 1 : 2
      arcs.push(first, arc - first * 40)
    } else arcs.push(arc)
    arc = 0
  }
  if (value[value.length - 1]! & 0x80) throw new DerError('truncated OBJECT IDENTIFIER')
  return arcs.join('.')
}

/** X.509 AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL } (RFC 5280 §4.1.1.2). */
export interface AlgorithmIdentifier {
  oid: string
  /** The parameters element, when present (NULL for RSA PKCS#1 v1.5). */
  parameters?: DerElement
}

/** Read an AlgorithmIdentifier SEQUENCE's contents. */
export function readAlgorithmIdentifier(value: Uint8Array): AlgorithmIdentifier {
  const children = readChildren(value)
  const algorithm = children[0]
  if (!algorithm || algorithm.tag !== DerTag.ObjectIdentifier) throw new DerError('AlgorithmIdentifier without an OBJECT IDENTIFIER')
  if (children.length > 2) throw new DerError('AlgorithmIdentifier with more than two elements')
  return { oid: decodeOid(algorithm.value), parameters: children[1] }
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
 * (RFC 5280 §4.1): return signatureAlgorithm without parsing the TBS part.
 */
export function readCertificateSignatureAlgorithm(certDer: Uint8Array): AlgorithmIdentifier {
  const certificate = expectElement(certDer, 0, DerTag.Sequence, 'Certificate SEQUENCE')
  if (certificate.end !== certDer.length) throw new DerError(`${certDer.length - certificate.end} bytes after the Certificate`)
  const tbs = expectElement(certificate.value, 0, DerTag.Sequence, 'tbsCertificate SEQUENCE')
  const signatureAlgorithm = expectElement(certificate.value, tbs.end, DerTag.Sequence, 'signatureAlgorithm SEQUENCE')
  return readAlgorithmIdentifier(signatureAlgorithm.value)
}
