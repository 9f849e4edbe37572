/**
 * sslnegotiation=direct (libpq 17): TLS from the first byte, ALPN
 * "postgresql" required. Against the suite's real server (PostgreSQL 17+:
 * every sslmode that allows direct TLS) and a real PostgreSQL 16 (which reads
 * the ClientHello as a bad startup packet: the clear error); what a real
 * server cannot show (no ALPN, another ALPN protocol) against a node:tls
 * server in this file that checks ALPN and then speaks just enough protocol
 * (startup, one simple query) with the hostile server's message builders.
 */
import * as tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect, type ClientOptions } from '../../src/index.js'
import { ConfigError, TlsError } from '../../src/errors.js'
import { cleanRuntime } from './helpers/server.js'
import { ErrorCode } from '../../src/error-codes.js'
import { concat, messages, startupOk } from '../support/hostile-server.js'
import { harness, startExtraCluster, DATABASE, TRUST_USER, type ExtraCluster } from '../support/harness.js'

interface DirectServer {
  port: number
  /** The ALPN protocol negotiated on each accepted TLS connection (false: none). */
  alpnSeen: (string | false)[]
  close(): Promise<void>
}

const servers: DirectServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/**
 * A TLS server with the harness's good certificate that plays a PostgreSQL
 * backend after the handshake: AuthenticationOk..ReadyForQuery after the
 * StartupMessage, and to every Query one row holding the negotiated ALPN.
 */
async function startDirectServer(alpn: string[] | undefined): Promise<DirectServer> {
  const { certs } = harness()
  const alpnSeen: (string | false)[] = []
  const sockets = new Set<tls.TLSSocket>()
  const server = tls.createServer({ cert: certs.server.certPem, key: certs.server.keyPem, ALPNProtocols: alpn }, (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    alpnSeen.push(socket.alpnProtocol ?? false)
    let buffer: Uint8Array = new Uint8Array(0)
    let started = false
    socket.on('data', (chunk: Buffer) => {
      buffer = concat(buffer, new Uint8Array(chunk))
      for (;;) {
        const header = started ? 5 : 4
        if (buffer.length < header) return
        const length = new DataView(buffer.buffer, buffer.byteOffset).getInt32(header - 4)
        if (buffer.length < header - 4 + length) return
        const type = started ? String.fromCharCode(buffer[0]!) : 'startup'
        buffer = buffer.slice(header - 4 + length)
        if (type === 'startup') {
          started = true
          socket.write(startupOk())
        } else if (type === 'Q') {
          socket.write(
            concat(
              messages.rowDescription('alpn'),
              messages.dataRow(String(socket.alpnProtocol)),
              messages.commandComplete('SELECT 1'),
              messages.readyForQuery('I'),
            ),
          )
        } else if (type === 'X') {
          socket.end()
        }
      }
    })
  })
  // A failed handshake must not be an unhandled error in the test process.
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const info: DirectServer = {
    port: (server.address() as AddressInfo).port,
    alpnSeen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
  servers.push(info)
  return info
}

function options(port: number, extra: Partial<ClientOptions> = {}): ClientOptions {
  return {
    host: '127.0.0.1',
    port,
    user: TRUST_USER,
    database: DATABASE,
    sslmode: 'verify-full',
    sslrootcert: harness().certs.ca.cert,
    sslnegotiation: 'direct',
    connectTimeout: 5000,
    runtime: cleanRuntime(),
    ...extra,
  }
}

async function failure(opts: ClientOptions): Promise<Error> {
  return connect(opts).then(
    async (client) => {
      await client.close()
      return new Error('connect() unexpectedly succeeded')
    },
    (e: unknown) => e as Error,
  )
}

describe('sslnegotiation=direct', () => {
  it('completes the direct handshake with ALPN "postgresql" and runs a query', async () => {
    const server = await startDirectServer(['postgresql'])
    const client = await connect(options(server.port))
    try {
      expect(client.encrypted).toBe(true)
      const { rows } = await client.query<{ alpn: string }>('select alpn')
      expect(rows).toEqual([{ alpn: 'postgresql' }])
    } finally {
      await client.close()
    }
    // The server saw TLS first (no SSLRequest: its handshake would have failed) and ALPN selected.
    expect(server.alpnSeen).toEqual(['postgresql'])
  })

  it('refuses a direct TLS server that selects no ALPN protocol', async () => {
    const server = await startDirectServer(undefined)
    const error = await failure(options(server.port))
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsHandshake)
    // pgfleet's own check (policy.checkNegotiatedAlpn), after a handshake that otherwise succeeded.
    expect(error.message).toMatch(/without ALPN/)
  })

  it('refuses a direct TLS server that speaks another ALPN protocol', async () => {
    const server = await startDirectServer(['http/1.1'])
    const error = await failure(options(server.port))
    expect(error).toBeInstanceOf(TlsError)
  })

  it('still verifies the certificate on direct TLS', async () => {
    const server = await startDirectServer(['postgresql'])
    const error = await failure(options(server.port, { sslrootcert: harness().certs.untrustedCa.cert }))
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).code).toBe(ErrorCode.TlsCertificate)
  })

  it('needs sslmode require or stronger (libpq)', async () => {
    for (const sslmode of ['disable', 'allow', 'prefer'] as const) {
      const error = await failure(options(1, { sslmode }))
      expect(error, sslmode).toBeInstanceOf(ConfigError)
      expect(error.message).toMatch(/sslnegotiation=direct/)
    }
  })

})

/** Direct TLS to a real server; resolves with what the server says about the session's TLS. */
async function directSession(host: string, port: number, sslmode: 'require' | 'verify-ca' | 'verify-full') {
  const client = await connect(options(port, { host, sslmode, sslrootcert: sslmode === 'require' ? undefined : harness().certs.ca.cert }))
  try {
    const { rows } = await client.query<{ ssl: boolean; version: string }>('select ssl, version from pg_stat_ssl where pid = pg_backend_pid()')
    return { encrypted: client.encrypted, server: rows[0] }
  } finally {
    await client.close()
  }
}

/** Real servers: the suite's main version with every sslmode that allows direct TLS, an older one for the failure. */
function describeDirectTlsOnRealServers(major: number, node: () => { host: string; port: number }): void {
  describe(`sslnegotiation=direct against a real PostgreSQL ${major}`, () => {
    if (major >= 17) {
      // The server demands ALPN "postgresql" on a direct connection; pgfleet
      // demands the server select it (checkNegotiatedAlpn): success shows both.
      it.each(['require', 'verify-ca', 'verify-full'] as const)('%s: TLS from the first byte, encrypted on both ends', async (sslmode) => {
        const { host, port } = node()
        const seen = await directSession(host, port, sslmode)
        expect(seen.encrypted).toBe(true)
        expect(seen.server).toMatchObject({ ssl: true, version: 'TLSv1.3' })
      })
    } else {
      it('fails at once with the libpq-style hint that direct TLS needs PostgreSQL 17', async () => {
        const { host, port } = node()
        const started = performance.now()
        const error = await failure(options(port, { host }))
        expect(performance.now() - started).toBeLessThan(5000)
        expect(error).toBeInstanceOf(TlsError)
        expect((error as TlsError).code).toBe(ErrorCode.TlsHandshake)
        expect(error.message).toMatch(/PostgreSQL 17 or later/)
      })
    }
  })
}

describeDirectTlsOnRealServers(Number(harness().major), () => harness().tls.good)

// A real server older than 17 for the failure (unless the suite itself runs on one).
if (Number(harness().major) >= 17) {
  let old: ExtraCluster | undefined
  beforeAll(async () => {
    old = await startExtraCluster({ count: 1, hostBase: 36, port: 5466, major: '16' })
  }, 120_000)
  afterAll(async () => {
    await old?.destroy()
  })
  describeDirectTlsOnRealServers(16, () => old!.nodes[0]!)
}
