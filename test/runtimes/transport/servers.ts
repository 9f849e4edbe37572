/**
 * Node-side fixtures for the runtime transport tests: an echo server on
 * 127.0.0.1, 127.0.0.2 and a Unix-domain socket, a server that resets the
 * connection on the first byte, one that never answers, a PostgreSQL-style server that answers SSLRequest
 * with 'S' and then speaks TLS, and a direct-TLS server that insists on ALPN
 * "postgresql". Certificates are made with openssl at test time.
 * Over TLS, the line "whoami" is answered with the client certificate's CN.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import type { ScenarioEnv } from './scenarios.js'

/** The servers every runtime's scenarios talk to (scenarios.ts), and where they live. */
export interface Fixtures extends Omit<ScenarioEnv, 'host2' | 'systemRoots'> {
  dir: string
  close(): Promise<void>
}

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 30_000 })
}

function makeCerts(dir: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=pgfleet test CA'])
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'])
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'])
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=pgfleet-client'])
  // v3 (with extensions): rustls (Deno) refuses v1 certificates.
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n')
  openssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2', '-extfile', 'client.ext'])
}

function tlsEcho(socket: tls.TLSSocket): void {
  socket.on('data', (data: Buffer) => {
    if (data.toString() === 'whoami') {
      const peer = socket.getPeerCertificate()
      socket.write(`${peer && peer.subject ? String(peer.subject.CN) : 'none'}\n`)
    } else socket.write(data)
  })
  socket.on('error', () => undefined)
}

function listen(server: net.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    const ready = () => resolve(host.startsWith('/') ? 0 : (server.address() as net.AddressInfo).port)
    if (host.startsWith('/')) server.listen(host, ready)
    else server.listen(0, host, ready)
  })
}

/** Start every server; call close() when done. */
export async function startFixtures(): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'pgfleet-transport-'))
  makeCerts(dir)
  const read = (name: string) => readFileSync(join(dir, name), 'utf8')
  const secureContext = tls.createSecureContext({ key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt') })
  const tlsServerOptions = { secureContext, requestCert: true, rejectUnauthorized: false }

  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
  }
  const echo = (socket: net.Socket) => {
    track(socket)
    socket.pipe(socket)
  }
  const echo1 = net.createServer(echo)
  const echo2 = net.createServer(echo)
  const startTls = net.createServer((socket) => {
    track(socket)
    socket.once('data', (data: Buffer) => {
      if (!data.equals(SSL_REQUEST)) return socket.destroy()
      socket.write('S')
      const secure = new tls.TLSSocket(socket, { isServer: true, ...tlsServerOptions, ALPNProtocols: ['postgresql'] })
      tlsEcho(secure)
    })
  })
  const directTls = tls.createServer({
    key: read('server.key'),
    cert: read('server.crt'),
    ca: read('ca.crt'),
    requestCert: true,
    rejectUnauthorized: false,
    // libpq 17 servers refuse direct TLS without ALPN "postgresql".
    ALPNCallback: ({ protocols }) => (protocols.includes('postgresql') ? 'postgresql' : undefined),
  } as tls.TlsOptions, (socket) => {
    track(socket)
    tlsEcho(socket)
  })
  const closed = net.createServer()
  const reset = net.createServer((socket) => {
    track(socket)
    socket.once('data', () => socket.resetAndDestroy())
  })
  const silent = net.createServer(track)
  const unixEcho = net.createServer(echo)
  const unixPath = join(dir, 'echo.sock')
  const servers = [echo1, echo2, startTls, directTls, closed, reset, silent, unixEcho]
  const [echoPort, echoPort2, startTlsPort, directTlsPort, closedPort, resetPort, silentPort] = await Promise.all([
    listen(echo1, '127.0.0.1'),
    listen(echo2, '127.0.0.2'),
    listen(startTls, '127.0.0.1'),
    listen(directTls, '127.0.0.1'),
    listen(closed, '127.0.0.1'),
    listen(reset, '127.0.0.1'),
    listen(silent, '127.0.0.1'),
    listen(unixEcho, unixPath),
  ])
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  return {
    dir,
    echoPort: echoPort!,
    echoPort2: echoPort2!,
    startTlsPort: startTlsPort!,
    directTlsPort: directTlsPort!,
    closedPort: closedPort!,
    resetPort: resetPort!,
    silentPort: silentPort!,
    unixPath,
    ca: read('ca.crt'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    async close() {
      for (const socket of sockets) socket.destroy()
      await Promise.all(servers.filter((s) => s.listening).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
