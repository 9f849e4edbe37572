import { describe, expect, it } from 'vitest'
import { AuthError } from '../errors.js'
import { base64Encode, utf8Decode, utf8Encode } from './bytes.js'
import { assertScramCompleted, continueScram, finishScram, startScram, type StartScramOptions } from './scram.js'
import { serverProof } from './testing/scram-server.js'

const enc = (text: string) => utf8Encode(text)
const dec = (bytes: Uint8Array) => utf8Decode(bytes)

// RFC 7677 §3 test vector.
const NONCE = 'rOprNGfwEbeRWgbNEkqO'
const SERVER_NONCE = `${NONCE}%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0`
const SERVER_FIRST = `r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`
const CLIENT_FINAL = `c=biws,r=${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='

function start(overrides: Partial<StartScramOptions> = {}) {
  return startScram({
    password: 'pencil',
    mechanisms: ['SCRAM-SHA-256'],
    channelBinding: 'prefer',
    clientNonce: NONCE,
    username: 'user',
    ...overrides,
  })
}

describe('SCRAM-SHA-256, RFC 7677 vector', () => {
  it('produces the published client-first, client-final and accepts the server-final', async () => {
    const { mechanism, initialResponse, session } = start()
    expect(mechanism).toBe('SCRAM-SHA-256')
    expect(dec(initialResponse)).toBe(`n,,n=user,r=${NONCE}`)
    expect(session.completed).toBe(false)
    expect(session.channelBound).toBe(false)
    const clientFinal = await continueScram(session, enc(SERVER_FIRST), { maxIterations: 100_000 })
    expect(dec(clientFinal)).toBe(CLIENT_FINAL)
    expect(session.completed).toBe(false)
    expect(() => assertScramCompleted(session)).toThrow(AuthError)
    await finishScram(session, enc(SERVER_FINAL))
    expect(session.completed).toBe(true)
    expect(() => assertScramCompleted(session)).not.toThrow()
  })

  it('sends an empty name like libpq by default and a random 24-char nonce', () => {
    const { initialResponse } = startScram({ password: 'x', mechanisms: ['SCRAM-SHA-256'], channelBinding: 'prefer' })
    expect(dec(initialResponse)).toMatch(/^n,,n=,r=[A-Za-z0-9+/]{24}$/)
  })

  it('escapes = and , in the name', () => {
    expect(dec(start({ username: 'a=b,c' }).initialResponse)).toBe(`n,,n=a=3Db=2Cc,r=${NONCE}`)
  })
})

describe('mechanism choice and GS2 header (libpq rules)', () => {
  const endpointHash = new Uint8Array(32).fill(7)
  const both = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']

  it('chooses -PLUS on TLS when offered and binds c= to gs2 header + endpoint hash', async () => {
    const { mechanism, initialResponse, session } = start({ mechanisms: both, endpointHash })
    expect(mechanism).toBe('SCRAM-SHA-256-PLUS')
    expect(session.channelBound).toBe(true)
    expect(dec(initialResponse)).toBe(`p=tls-server-end-point,,n=user,r=${NONCE}`)
    const clientFinal = dec(await continueScram(session, enc(SERVER_FIRST), { maxIterations: 4096 }))
    const cbind = new Uint8Array([...enc('p=tls-server-end-point,,'), ...endpointHash])
    const withoutProof = `c=${base64Encode(cbind)},r=${SERVER_NONCE}`
    const expected = await serverProof('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096, `n=user,r=${NONCE},${SERVER_FIRST},${withoutProof}`)
    expect(clientFinal).toBe(`${withoutProof},p=${expected.proof}`)
    await finishScram(session, enc(`v=${expected.serverSignature}`))
    expect(session.completed).toBe(true)
  })

  it('also chooses -PLUS with channel_binding=require', () => {
    expect(start({ mechanisms: both, endpointHash, channelBinding: 'require' }).mechanism).toBe('SCRAM-SHA-256-PLUS')
  })

  it("sends 'y,,' when on TLS but the server did not offer -PLUS", () => {
    const { mechanism, initialResponse } = start({ endpointHash })
    expect(mechanism).toBe('SCRAM-SHA-256')
    expect(dec(initialResponse)).toBe(`y,,n=user,r=${NONCE}`)
  })

  it("'y,,' gives c=eSws in client-final", async () => {
    const { session } = start({ endpointHash })
    expect(dec(await continueScram(session, enc(SERVER_FIRST), { maxIterations: 4096 }))).toMatch(/^c=eSws,r=/)
  })

  it("sends 'n,,' with channel_binding=disable even when -PLUS is offered", () => {
    const { mechanism, initialResponse, session } = start({ mechanisms: both, endpointHash, channelBinding: 'disable' })
    expect(mechanism).toBe('SCRAM-SHA-256')
    expect(session.channelBound).toBe(false)
    expect(dec(initialResponse)).toBe(`n,,n=user,r=${NONCE}`)
  })

  it("sends 'n,,' without TLS even when -PLUS is offered", () => {
    const { mechanism, initialResponse } = start({ mechanisms: both })
    expect(mechanism).toBe('SCRAM-SHA-256')
    expect(dec(initialResponse).startsWith('n,,')).toBe(true)
  })

  it('refuses channel_binding=require when the server offers no -PLUS', () => {
    expect(() => start({ endpointHash, channelBinding: 'require' })).toThrow(
      new AuthError('channel binding required, but server did not offer SCRAM-SHA-256-PLUS (offered: SCRAM-SHA-256)'),
    )
  })

  it('refuses channel_binding=require without TLS', () => {
    expect(() => start({ mechanisms: both, channelBinding: 'require' })).toThrow(/does not use TLS/)
    expect(() => start({ mechanisms: both, channelBinding: 'require', tls: false })).toThrow(
      new AuthError('channel binding required, but the connection does not use TLS (SCRAM-SHA-256-PLUS needs it)'),
    )
  })

  it('channel_binding=require over TLS names the real cause, whether or not a certificate hash was computed', () => {
    // The startup hashes the certificate only when -PLUS is offered, so a TLS
    // session with a SCRAM-SHA-256-only server comes here without a hash.
    for (const hash of [undefined, endpointHash]) {
      expect(() => start({ channelBinding: 'require', tls: true, endpointHash: hash })).toThrow(
        new AuthError('channel binding required, but server did not offer SCRAM-SHA-256-PLUS (offered: SCRAM-SHA-256)'),
      )
    }
    expect(() => start({ mechanisms: [], channelBinding: 'require', tls: true })).toThrow(/did not offer SCRAM-SHA-256-PLUS \(offered: none\)/)
  })

  it('channel_binding=require over TLS with -PLUS offered but no certificate hash says so', () => {
    expect(() => start({ mechanisms: both, channelBinding: 'require', tls: true })).toThrow(
      new AuthError('channel binding required, but no hash of the server certificate is available for SCRAM-SHA-256-PLUS (tls-server-end-point)'),
    )
  })

  it("over TLS without a certificate hash, prefer falls back to 'n,,' (the client cannot bind)", () => {
    const { mechanism, initialResponse } = start({ mechanisms: both, tls: true })
    expect(mechanism).toBe('SCRAM-SHA-256')
    expect(dec(initialResponse).startsWith('n,,')).toBe(true)
  })

  it('names the offered mechanisms when SCRAM-SHA-256 is not among them', () => {
    expect(() => start({ mechanisms: ['SCRAM-SHA-1', 'OAUTHBEARER'] })).toThrow(/offered: SCRAM-SHA-1, OAUTHBEARER/)
    expect(() => start({ mechanisms: [] })).toThrow(/offered: none/)
    // Only -PLUS offered, but we have no TLS: nothing we can do.
    expect(() => start({ mechanisms: ['SCRAM-SHA-256-PLUS'] })).toThrow(/offered: SCRAM-SHA-256-PLUS/)
  })

  it('rejects a client nonce with a comma', () => {
    expect(() => start({ clientNonce: 'a,b' })).toThrow(AuthError)
  })
})

describe('server-first rejections', () => {
  const reject = async (serverFirst: string, message: RegExp | string, maxIterations = 100_000) => {
    const { session } = start()
    await expect(continueScram(session, enc(serverFirst), { maxIterations })).rejects.toThrow(message)
    await expect(continueScram(session, enc(SERVER_FIRST), { maxIterations })).rejects.toThrow(/unexpected message in state failed/)
  }

  it('server nonce that does not start with ours', () =>
    reject(`r=XXX${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, 'SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce does not start with client nonce'))
  it('server nonce equal to ours (no server part)', () => reject(`r=${NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, /server nonce is too short/))
  it('non-printable nonce', () => reject(`r=${NONCE}\u0001x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, /printable/))
  it('iterations above the cap', () => reject(SERVER_FIRST, /iteration count 4096 exceeds the maximum 4095/, 4095))
  it('zero iterations', () => reject(`r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0`, /at least 1/))
  it('negative iterations', () => reject(`r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1`, /invalid iteration count/))
  it('fractional iterations', () => reject(`r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096.5`, /invalid iteration count/))
  it('non-numeric iterations', () => reject(`r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1e3`, /invalid iteration count/))
  it('empty iterations', () => reject(`r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=`, /invalid iteration count/))
  it('huge iterations', () => reject(`r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=${'9'.repeat(400)}`, /exceeds the maximum/))
  it('missing nonce', () => reject('s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', /nonce missing/))
  it('missing salt', () => reject(`r=${SERVER_NONCE},i=4096`, /salt missing/))
  it('missing iterations', () => reject(`r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==`, /iteration count missing/))
  it('attributes out of order', () => reject(`s=W22ZaJ0SNY7soEsUEjb6gQ==,r=${SERVER_NONCE},i=4096`, /nonce missing/))
  it('salt not base64', () => reject(`r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ=!,i=4096`, /salt must be non-empty base64/))
  it('empty salt', () => reject(`r=${SERVER_NONCE},s=,i=4096`, /salt must be non-empty base64/))
  it('garbage after i=', () => reject(`${SERVER_FIRST},x=1`, /garbage at end/))
  it('mandatory extension', () => reject(`m=ext,${SERVER_FIRST}`, /unsupported mandatory extension/))
  it('empty message', () => reject('', /nonce missing/))
  it('invalid UTF-8', async () => {
    const { session } = start()
    await expect(continueScram(session, new Uint8Array([0x72, 0x3d, 0xff]), { maxIterations: 4096 })).rejects.toThrow(/UTF-8/)
  })
})

describe('server-final', () => {
  const continued = async () => {
    const { session } = start()
    await continueScram(session, enc(SERVER_FIRST), { maxIterations: 4096 })
    return session
  }
  const reject = async (serverFinal: string, message: RegExp | string) => {
    const session = await continued()
    await expect(finishScram(session, enc(serverFinal))).rejects.toThrow(message)
    expect(session.completed).toBe(false)
    expect(() => assertScramCompleted(session)).toThrow(/before completing SCRAM/)
  }

  it('rejects non-canonical base64 (nonzero padding bits)', () => reject('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=', /server signature must be base64/))
  it('rejects a signature that differs in one bit', () =>
    reject('v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=', 'SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature mismatch'))
  it('rejects a truncated signature', () => reject(`v=${base64Encode(new Uint8Array(31))}`, /server signature mismatch/))
  it('reports e= with the server text', () => reject('e=invalid-proof', /server reported an error: invalid-proof/))
  it('rejects a missing v=', () => reject('x=abc', /server signature is missing/))
  it('rejects garbage after v=', () => reject(`${SERVER_FINAL},x=1`, /garbage at end/))
  it('rejects server-final before server-first', async () => {
    const { session } = start()
    await expect(finishScram(session, enc(SERVER_FINAL))).rejects.toThrow(/unexpected message in state started/)
  })
  it('rejects a second server-final', async () => {
    const session = await continued()
    await finishScram(session, enc(SERVER_FINAL))
    await expect(finishScram(session, enc(SERVER_FINAL))).rejects.toThrow(/unexpected message in state completed/)
  })
  it('rejects a session not made by startScram', async () => {
    await expect(finishScram({ mechanism: 'SCRAM-SHA-256', channelBound: false, completed: false }, enc(SERVER_FINAL))).rejects.toThrow(
      /not a session created by startScram/,
    )
  })
})

describe('SASLprep of the password', () => {
  const salt = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])
  const serverFirst = `r=${SERVER_NONCE},s=${base64Encode(salt)},i=16`
  const proofFor = async (password: string) => {
    const { session } = start({ password })
    return dec(await continueScram(session, enc(serverFirst), { maxIterations: 16 }))
  }
  const expectedFor = async (prepared: string) => {
    const withoutProof = `c=biws,r=${SERVER_NONCE}`
    return `${withoutProof},p=${(await serverProof(prepared, salt, 16, `n=user,r=${NONCE},${serverFirst},${withoutProof}`)).proof}`
  }

  it('maps U+00AA (ª) to "a" by NFKC', async () => {
    expect(await proofFor('p\u00aass')).toBe(await expectedFor('pass'))
  })
  it('maps a non-ASCII space (U+00A0) to a space', async () => {
    expect(await proofFor('a\u00a0b')).toBe(await expectedFor('a b'))
  })
  it('removes characters mapped to nothing (U+00AD soft hyphen)', async () => {
    expect(await proofFor('pa\u00adss')).toBe(await expectedFor('pass'))
  })
  it('falls back to the raw password when SASLprep prohibits a character (libpq)', async () => {
    expect(await proofFor('pass\u0007word')).toBe(await expectedFor('pass\u0007word'))
  })
})
