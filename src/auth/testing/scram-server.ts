/**
 * Test-only: the server side of SCRAM-SHA-256 (RFC 5802 §3, RFC 7677),
 * computed independently of src/auth/scram.ts with WebCrypto called
 * directly, so tests can check the client's proof and answer with a real
 * server signature. Not exported from the package.
 */
const subtle = globalThis.crypto.subtle
const utf8 = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')

async function hmac(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const k = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await subtle.sign('HMAC', k, data))
}

/** The client proof and server signature a server computes for `authMessage`. */
export async function serverProof(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number, authMessage: string) {
  const base = await subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits'])
  const salted = new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, 256))
  const clientKey = await hmac(salted, utf8('Client Key'))
  const storedKey = new Uint8Array(await subtle.digest('SHA-256', clientKey))
  const clientSignature = await hmac(storedKey, utf8(authMessage))
  const proof = clientKey.map((b, i) => b ^ clientSignature[i]!)
  const serverSignature = await hmac(await hmac(salted, utf8('Server Key')), utf8(authMessage))
  return { proof: base64(proof), serverSignature: base64(serverSignature) }
}

/**
 * One server-side SCRAM-SHA-256 exchange without channel binding:
 * `first(clientFirst)` gives the server-first-message, `final(clientFinal)`
 * checks the proof and gives the server-final-message (`v=` signature).
 */
export class ScramServer {
  private clientFirstBare = ''
  private serverFirst = ''

  constructor(
    private readonly password: string,
    private readonly salt = new Uint8Array(16).fill(7),
    private readonly iterations = 4096,
  ) {}

  /** server-first-message for a client-first-message `n,,n=<user>,r=<nonce>`. */
  first(clientFirst: string): string {
    if (!clientFirst.startsWith('n,,')) throw new Error(`ScramServer: expected a GS2 header without channel binding, got ${clientFirst}`)
    this.clientFirstBare = clientFirst.slice(3)
    const nonce = /(?:^|,)r=([^,]*)/.exec(this.clientFirstBare)?.[1] ?? ''
    this.serverFirst = `r=${nonce}server-nonce,s=${base64(this.salt)},i=${this.iterations}`
    return this.serverFirst
  }

  /** Checks the client's proof; the server-final-message when it holds, undefined when it does not. */
  async final(clientFinal: string): Promise<string | undefined> {
    const withoutProof = clientFinal.replace(/,p=[^,]*$/, '')
    const given = /,p=([^,]*)$/.exec(clientFinal)?.[1]
    const expected = await serverProof(this.password, this.salt, this.iterations, `${this.clientFirstBare},${this.serverFirst},${withoutProof}`)
    return given === expected.proof ? `v=${expected.serverSignature}` : undefined
  }
}
