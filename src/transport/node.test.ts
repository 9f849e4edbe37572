import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionError, ErrorCode, TlsError } from '../errors.js'
import { fileMode, readFileText, warn } from './node-fs.js'
import { dialNode } from './node.js'
import { connectTimeoutError, Deadline } from '../deadline.js'
import type { Socket, TlsUpgradeOptions } from './socket.js'

/** A connect deadline as the startup makes one. */
function within(ms: number, address = 'test'): AbortSignal {
  return new Deadline(ms, () => connectTimeoutError(address, ms)).signal
}

// Certificates made at test time with openssl: a CA, a server certificate for
// localhost/127.0.0.1 signed by it, and one for another name.
let dir: string
let caPem: string
let goodCert: string
let goodKey: string
let wrongCert: string
let wrongKey: string

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

function makeLeaf(name: string, san: string): void {
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`)
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`)
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgfleet-node-transport-'))
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=pgfleet test CA')
  makeLeaf('good', 'DNS:localhost,IP:127.0.0.1')
  makeLeaf('wrong', 'DNS:wrong.example')
  caPem = readFileSync(join(dir, 'ca.crt'), 'utf8')
  goodCert = readFileSync(join(dir, 'good.crt'), 'utf8')
  goodKey = readFileSync(join(dir, 'good.key'), 'utf8')
  wrongCert = readFileSync(join(dir, 'wrong.crt'), 'utf8')
  wrongKey = readFileSync(join(dir, 'wrong.key'), 'utf8')
}, 30_000)

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

const servers: net.Server[] = []
const accepted = new Set<net.Socket>()
afterAll(async () => {
  for (const s of accepted) s.destroy()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
})

async function listen(server: net.Server, where: { port: number; host: string } | { path: string } = { port: 0, host: '127.0.0.1' }): Promise<number> {
  servers.push(server)
  server.on('connection', (s: net.Socket) => accepted.add(s))
  server.on('secureConnection', (s: net.Socket) => accepted.add(s))
  await new Promise<void>((resolve) => server.listen(where, resolve))
  const a = server.address()
  return typeof a === 'object' && a !== null ? a.port : 0
}

/** Echo server. */
function echoServer(): net.Server {
  return net.createServer((s) => {
    s.on('error', () => {})
    s.pipe(s)
  })
}

/**
 * A server that answers 'S' to the first byte, then does TLS on the same
 * socket with the given certificate and echoes; it records the SNI it saw.
 */
function starttlsServer(cert: string, key: string, seen: string[] = []): net.Server {
  return net.createServer((s) => {
    s.on('error', () => {})
    s.once('data', () => {
      s.write('S')
      const context = tls.createSecureContext({ cert, key })
      const secure = new tls.TLSSocket(s, {
        isServer: true,
        secureContext: context,
        ALPNProtocols: ['postgresql'],
        SNICallback: (name, done) => {
          seen.push(name)
          done(null, context)
        },
      })
      secure.on('error', () => {})
      secure.pipe(secure)
    })
  })
}

function collect(socket: Socket): { text: () => string; chunks: Uint8Array[]; closes: (Error | undefined)[] } {
  const chunks: Uint8Array[] = []
  const closes: (Error | undefined)[] = []
  socket.onData = (c) => chunks.push(c)
  socket.onClose = (e) => closes.push(e)
  return { chunks, closes, text: () => chunks.map((c) => new TextDecoder().decode(c)).join('') }
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

function verifyFull(servername: string): TlsUpgradeOptions {
  return { servername, ca: caPem, rejectUnauthorized: true, checkServerIdentity: true, alpnProtocols: ['postgresql'] }
}

async function sslRequest(socket: Socket, received: Uint8Array[]): Promise<void> {
  socket.write(new Uint8Array([0, 0, 0, 8, 4, 210, 22, 47]))
  await until(() => received.length > 0)
  expect(new TextDecoder().decode(received[0])).toBe('S')
  received.length = 0
}

describe('dialNode', () => {
  it('connects, echoes and delivers the Buffers it read (Uint8Arrays with a native utf8Slice); close reports a clean close once', async () => {
    const port = await listen(echoServer())
    const socket = await dialNode({ host: '127.0.0.1', port, signal: within(2000) })
    const got = collect(socket)
    expect(socket.write(new TextEncoder().encode('hello'))).toBe(true)
    await socket.drain()
    await until(() => got.text() === 'hello')
    expect(got.chunks[0]).toBeInstanceOf(Uint8Array)
    expect(Buffer.isBuffer(got.chunks[0])).toBe(true)
    socket.close()
    await until(() => got.closes.length === 1)
    socket.destroy()
    socket.close()
    await new Promise((r) => setTimeout(r, 20))
    expect(got.closes).toEqual([undefined])
    expect(socket.write(new Uint8Array([1]))).toBe(false)
  })

  it('connects over a Unix-domain socket', async () => {
    const path = join(dir, 'echo.sock')
    await listen(echoServer(), { path })
    const socket = await dialNode({ host: '', port: 0, path })
    const got = collect(socket)
    socket.write(new TextEncoder().encode('unix'))
    await until(() => got.text() === 'unix')
    socket.destroy()
  })

  it('pauses and resumes delivery', async () => {
    const port = await listen(echoServer())
    const socket = await dialNode({ host: '127.0.0.1', port })
    const got = collect(socket)
    socket.pause()
    socket.write(new TextEncoder().encode('later'))
    await new Promise((r) => setTimeout(r, 50))
    expect(got.chunks).toHaveLength(0)
    socket.resume()
    await until(() => got.text() === 'later')
    socket.destroy()
  })

  it('calls onClose once with a ConnectionError when the peer resets', async () => {
    const port = await listen(
      net.createServer((s) => {
        s.on('error', () => {})
        s.once('data', () => s.resetAndDestroy())
      }),
    )
    const socket = await dialNode({ host: '127.0.0.1', port })
    const got = collect(socket)
    socket.write(new Uint8Array([1]))
    await until(() => got.closes.length > 0)
    await new Promise((r) => setTimeout(r, 20))
    expect(got.closes).toHaveLength(1)
    expect(got.closes[0]).toBeInstanceOf(ConnectionError)
    expect((got.closes[0] as ConnectionError).code).toBe(ErrorCode.ConnectionLost)
  })

  it('maps a refused port to a retryable ConnectionError with the address', async () => {
    const probe = net.createServer()
    const port = await listen(probe)
    await new Promise((r) => probe.close(r))
    const error = await dialNode({ host: '127.0.0.1', port }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ code: ErrorCode.ConnectRefused, safeToRetry: true, address: `127.0.0.1:${port}` })
    expect((error as Error).message).toContain('connection refused')
  })

  it('maps an unknown host name to PGFLEET_CONNECT_DNS', async () => {
    const error = await dialNode({ host: 'no-such-host.invalid', port: 5432, signal: within(5000) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).code).toBe(ErrorCode.ConnectDns)
    expect((error as ConnectionError).safeToRetry).toBe(true)
  })

  it('times out a direct TLS handshake against a server that never answers', async () => {
    const port = await listen(net.createServer((s) => s.on('error', () => {})))
    const started = Date.now()
    const error = await dialNode({ host: '127.0.0.1', port, signal: within(200, `127.0.0.1:${port}`), directTls: verifyFull('localhost') }).catch(
      (e: unknown) => e,
    )
    expect(Date.now() - started).toBeLessThan(2000)
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ code: ErrorCode.ConnectTimeout, safeToRetry: true, address: `127.0.0.1:${port}` })
  })
})

describe('startTls', () => {
  it('upgrades after SSLRequest with verify-full, sends SNI and returns the peer certificate', async () => {
    const seen: string[] = []
    const port = await listen(starttlsServer(goodCert, goodKey, seen))
    const socket = await dialNode({ host: 'localhost', port, signal: within(2000) })
    const got = collect(socket)
    await sslRequest(socket, got.chunks)
    const info = await socket.startTls(verifyFull('localhost'))
    expect(info.authorized).toBe(true)
    expect(info.alpnProtocol).toBe('postgresql')
    expect(Object.getPrototypeOf(info.peerCertificate)).toBe(Uint8Array.prototype)
    expect(Buffer.from(info.peerCertificate!).equals(new X509Certificate(goodCert).raw)).toBe(true)
    expect(seen).toEqual(['localhost'])
    socket.write(new TextEncoder().encode('secret'))
    await until(() => got.text() === 'secret')
    socket.close()
    await until(() => got.closes.length === 1)
    expect(got.closes).toEqual([undefined])
  })

  it('verifies an IP host against IP SANs and sends no SNI for it', async () => {
    const seen: string[] = []
    const port = await listen(starttlsServer(goodCert, goodKey, seen))
    const socket = await dialNode({ host: '127.0.0.1', port })
    const got = collect(socket)
    await sslRequest(socket, got.chunks)
    const info = await socket.startTls(verifyFull('127.0.0.1'))
    expect(info.authorized).toBe(true)
    expect(seen).toEqual([])
    socket.destroy()
  })

  it('fails verify-full with a wrong host name, and reports the close once', async () => {
    const port = await listen(starttlsServer(wrongCert, wrongKey))
    const socket = await dialNode({ host: '127.0.0.1', port })
    const got = collect(socket)
    await sslRequest(socket, got.chunks)
    const error = await socket.startTls(verifyFull('127.0.0.1')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsCertificate)
    expect((error as TlsError).message).toMatch(/^certificate has wrong host name: IP: 127\.0\.0\.1 is not in the cert's list/)
    await until(() => got.closes.length > 0)
    await new Promise((r) => setTimeout(r, 20))
    expect(got.closes).toEqual([error])
  })

  it('verify-ca accepts the wrong name but rejects an unknown CA', async () => {
    const port = await listen(starttlsServer(wrongCert, wrongKey))
    const ok = await dialNode({ host: '127.0.0.1', port })
    const okData = collect(ok)
    await sslRequest(ok, okData.chunks)
    const info = await ok.startTls({ ...verifyFull('127.0.0.1'), checkServerIdentity: false })
    expect(info.authorized).toBe(true)
    ok.destroy()

    const bad = await dialNode({ host: '127.0.0.1', port })
    const badData = collect(bad)
    await sslRequest(bad, badData.chunks)
    const error = await bad.startTls({ ...verifyFull('127.0.0.1'), ca: undefined, checkServerIdentity: false }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsCertificate)
    expect((error as TlsError).message).toMatch(/^certificate verification failed: unable to verify the first certificate/)
  })

  it('sslmode=require performs no verification', async () => {
    const port = await listen(starttlsServer(wrongCert, wrongKey))
    const socket = await dialNode({ host: '127.0.0.1', port })
    const got = collect(socket)
    await sslRequest(socket, got.chunks)
    const info = await socket.startTls({ servername: '127.0.0.1', rejectUnauthorized: false, checkServerIdentity: false })
    expect(info.authorized).toBe(false)
    expect(info.peerCertificate?.length).toBeGreaterThan(100)
    socket.destroy()
  })

  it('reports a non-TLS peer as a handshake TlsError', async () => {
    const port = await listen(
      net.createServer((s) => {
        s.on('error', () => {})
        s.once('data', () => {
          s.write('S')
          s.once('data', () => s.end('this is not TLS at all, sorry\n'))
        })
      }),
    )
    const socket = await dialNode({ host: '127.0.0.1', port })
    const got = collect(socket)
    await sslRequest(socket, got.chunks)
    const error = await socket.startTls(verifyFull('localhost')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsHandshake)
    expect((error as TlsError).message).toMatch(/^SSL error: /)
  })

  it('dials direct TLS with ALPN postgresql', async () => {
    const server = tls.createServer({ cert: goodCert, key: goodKey, ALPNProtocols: ['postgresql'] }, (s) => {
      s.on('error', () => {})
      s.pipe(s)
    })
    const port = await listen(server)
    const socket = await dialNode({ host: 'localhost', port, signal: within(2000), directTls: verifyFull('localhost') })
    expect(socket.tls?.alpnProtocol).toBe('postgresql')
    expect(socket.tls?.authorized).toBe(true)
    const got = collect(socket)
    socket.write(new TextEncoder().encode('direct'))
    await until(() => got.text() === 'direct')
    socket.unref?.()
    socket.ref?.()
    socket.destroy()
    await until(() => got.closes.length === 1)
  })

  it('presents a client certificate when asked', async () => {
    let peerCn: string | undefined
    const server = tls.createServer({ cert: goodCert, key: goodKey, ca: caPem, requestCert: true, rejectUnauthorized: true }, (s) => {
      s.on('error', () => {})
      peerCn = String(s.getPeerCertificate().subject?.CN)
      s.end()
    })
    const port = await listen(server)
    const certPath = join(dir, 'good.crt')
    const socket = await dialNode({
      host: 'localhost',
      port,
      directTls: { ...verifyFull('localhost'), cert: readFileText(certPath), key: goodKey },
    })
    collect(socket)
    await until(() => peerCn !== undefined)
    expect(peerCn).toBe('good')
    socket.destroy()
  })
})

describe('readFileText', () => {
  it('reads a file and returns undefined for a missing one', () => {
    expect(readFileText(join(dir, 'ca.crt'))).toBe(caPem)
    expect(readFileText(join(dir, 'missing.crt'))).toBeUndefined()
    expect(() => readFileText(dir)).toThrow()
  })
})

describe('node-fs: password file support', () => {
  it('warn() emits a PgfleetWarning on process; fileMode() reads st_mode, undefined when missing', async () => {
    const seen = new Promise<Error>((resolve) => process.once('warning', resolve))
    warn('password file "/x" has group or world access')
    const w = await seen
    expect(w.name).toBe('PgfleetWarning')
    expect(w.message).toBe('password file "/x" has group or world access')
    const file = join(mkdtempSync(join(tmpdir(), 'pgfleet-mode-')), 'f')
    writeFileSync(file, 'x', { mode: 0o640 })
    expect(fileMode(file)! & 0o777).toBe(0o640)
    expect(fileMode(`${file}.missing`)).toBeUndefined()
  })
})
