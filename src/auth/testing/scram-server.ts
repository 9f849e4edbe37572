/**
 * Test-only: the server side of SCRAM-SHA-256 (RFC 5802 §3, RFC 7677),
 * computed independently of src/auth/scram.ts with node:crypto, so tests can
 * check the client's proof and answer with a real server signature. Not
 * exported from the package.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'

/** The client proof and server signature a server computes for `authMessage`. */
export function serverProof(password: string, salt: Uint8Array, iterations: number, authMessage: string) {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest()
  const proof = Buffer.from(clientKey.map((b, i) => b ^ clientSignature[i]!))
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  const serverSignature = createHmac('sha256', serverKey).update(authMessage).digest()
  return { proof: proof.toString('base64'), serverSignature: serverSignature.toString('base64') }
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
    this.serverFirst = `r=${nonce}server-nonce,s=${Buffer.from(this.salt).toString('base64')},i=${this.iterations}`
    return this.serverFirst
  }

  /** Checks the client's proof; the server-final-message when it holds, undefined when it does not. */
  final(clientFinal: string): string | undefined {
    const withoutProof = clientFinal.replace(/,p=[^,]*$/, '')
    const given = /,p=([^,]*)$/.exec(clientFinal)?.[1]
    const expected = serverProof(this.password, this.salt, this.iterations, `${this.clientFirstBare},${this.serverFirst},${withoutProof}`)
    return given === expected.proof ? `v=${expected.serverSignature}` : undefined
  }
}
