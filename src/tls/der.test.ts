import { describe, expect, it } from 'vitest'
import { DerError, decodeOid, readAlgorithmIdentifier, readCertificateSignatureAlgorithm, readChildren, readElement } from './der.js'

const bytes = (...values: number[]) => new Uint8Array(values)

describe('readElement', () => {
  it('reads short and long definite lengths', () => {
    expect(readElement(bytes(0x04, 0x02, 0xaa, 0xbb))).toMatchObject({ tag: 0x04, value: bytes(0xaa, 0xbb), end: 4 })
    const long = new Uint8Array(4 + 300)
    long.set([0x04, 0x82, 0x01, 0x2c])
    expect(readElement(long)).toMatchObject({ tag: 0x04, end: 304 })
    expect(readElement(long).value.length).toBe(300)
  })

  it('returns a view, not a copy', () => {
    const input = bytes(0x04, 0x01, 0x07)
    expect(readElement(input).value.buffer).toBe(input.buffer)
  })

  it.each([
    ['truncated header', bytes(0x30)],
    ['length beyond the input', bytes(0x30, 0x05, 0x00)],
    ['indefinite length (BER only)', bytes(0x30, 0x80, 0x00, 0x00)],
    ['five length bytes', bytes(0x30, 0x85, 0, 0, 0, 0, 1)],
    ['truncated long length', bytes(0x30, 0x82, 0x01)],
    ['high tag number form', bytes(0x1f, 0x01, 0x00)],
  ])('rejects %s', (_, input) => {
    expect(() => readElement(input)).toThrow(DerError)
  })

  it('splits children', () => {
    expect(readChildren(bytes(0x05, 0x00, 0x02, 0x01, 0x05)).map((child) => child.tag)).toEqual([0x05, 0x02])
    expect(() => readChildren(bytes(0x05, 0x00, 0x02))).toThrow(DerError)
  })
})

describe('decodeOid', () => {
  it('decodes known OIDs', () => {
    expect(decodeOid(bytes(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b))).toBe('1.2.840.113549.1.1.11')
    expect(decodeOid(bytes(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03))).toBe('1.2.840.10045.4.3.3')
    expect(decodeOid(bytes(0x2b, 0x65, 0x70))).toBe('1.3.101.112')
    expect(decodeOid(bytes(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01))).toBe('2.16.840.1.101.3.4.2.1')
    // First subidentifier >= 80: arc 2 with a large second arc (2.999.3, X.690 example).
    expect(decodeOid(bytes(0x88, 0x37, 0x03))).toBe('2.999.3')
  })

  it('rejects malformed OIDs', () => {
    expect(() => decodeOid(bytes())).toThrow(DerError)
    expect(() => decodeOid(bytes(0x2a, 0x86))).toThrow(/truncated/)
    expect(() => decodeOid(bytes(0x2a, 0x80, 0x01))).toThrow(/leading 0x80/)
  })
})

describe('AlgorithmIdentifier and Certificate', () => {
  // SEQUENCE { OID sha256WithRSAEncryption, NULL }
  const sha256WithRsa = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00]

  it('reads the algorithm and its parameters', () => {
    const algorithm = readAlgorithmIdentifier(bytes(...sha256WithRsa).subarray(2))
    expect(algorithm.oid).toBe('1.2.840.113549.1.1.11')
    expect(algorithm.parameters?.tag).toBe(0x05)
  })

  it('finds signatureAlgorithm after the TBS part of a skeleton certificate', () => {
    const tbs = [0x30, 0x03, 0x02, 0x01, 0x02]
    const signature = [0x03, 0x02, 0x00, 0xff]
    const body = [...tbs, ...sha256WithRsa, ...signature]
    const cert = bytes(0x30, body.length, ...body)
    expect(readCertificateSignatureAlgorithm(cert).oid).toBe('1.2.840.113549.1.1.11')
    expect(() => readCertificateSignatureAlgorithm(bytes(...cert, 0x00))).toThrow(/1 bytes after the Certificate/)
    expect(() => readCertificateSignatureAlgorithm(bytes(0x30, 5, ...tbs))).toThrow(/signatureAlgorithm/)
    expect(() => readCertificateSignatureAlgorithm(bytes(0x31, body.length, ...body))).toThrow(/Certificate SEQUENCE/)
  })
})
