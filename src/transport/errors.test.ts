import { describe, expect, it } from 'vitest'
import { ConfigError, ConnectionError, ErrorCode, TlsError } from '../errors.js'
import { addressOf, classifyNetworkError, dialError, lostError } from './errors.js'

/** An error shaped as a runtime makes it (class name, errno code, message), as observed on each runtime. */
function native(name: string, message: string, fields: Record<string, unknown> = {}): Error {
  const error = Object.assign(new Error(message), fields)
  Object.defineProperty(error, 'name', { value: name })
  return error
}

type Kind = 'refused' | 'reset' | 'noSocketFile' | 'timeout' | 'unreachable' | 'dns' | 'dnsAgain'

/** What Node 20, Bun 1.4 and Deno 2.9 raise for each failure (recorded from the runtimes). */
const NATIVE: Record<'node' | 'bun' | 'deno', Partial<Record<Kind, Error>>> = {
  node: {
    refused: native('Error', 'connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }),
    reset: native('Error', 'read ECONNRESET', { code: 'ECONNRESET', errno: -104, syscall: 'read' }),
    noSocketFile: native('Error', 'connect ENOENT /tmp/.s.PGSQL.5432', { code: 'ENOENT', errno: -2, syscall: 'connect' }),
    timeout: native('Error', 'connect ETIMEDOUT 10.255.255.1:5432', { code: 'ETIMEDOUT', errno: -110, syscall: 'connect' }),
    unreachable: native('Error', 'connect EHOSTUNREACH 2001:db8::1:5432', { code: 'EHOSTUNREACH', errno: -113, syscall: 'connect' }),
    dns: native('Error', 'getaddrinfo ENOTFOUND no-such-host.invalid', { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo' }),
    dnsAgain: native('Error', 'getaddrinfo EAI_AGAIN db.example', { code: 'EAI_AGAIN', errno: -3001, syscall: 'getaddrinfo' }),
  },
  bun: {
    refused: native('Error', 'Failed to connect', { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }),
    reset: native('Error', 'ECONNRESET: connection reset by peer, read', { code: 'ECONNRESET', errno: -104, syscall: 'read' }),
    noSocketFile: native('Error', 'Failed to connect', { code: 'ENOENT', errno: -2, syscall: 'connect' }),
    dns: native('Error', 'getaddrinfo ENOTFOUND no-such-host.invalid', { code: 'ENOTFOUND', errno: 4, syscall: 'getaddrinfo' }),
  },
  deno: {
    refused: native('ConnectionRefused', 'Connection refused (os error 111)', { code: 'ECONNREFUSED' }),
    reset: native('ConnectionReset', 'Connection reset by peer (os error 104)', { code: 'ECONNRESET' }),
    noSocketFile: native('NotFound', 'No such file or directory (os error 2)', { code: 'ENOENT' }),
    timeout: native('TimedOut', 'Connection timed out (os error 110)', { code: 'ETIMEDOUT' }),
    unreachable: native('Error', 'No route to host (os error 113)', { code: 'EHOSTUNREACH' }),
    // No errno code for a failed lookup: only the message says it.
    dns: native('Error', 'failed to lookup address information: Name or service not known'),
    dnsAgain: native('Error', 'failed to lookup address information: Temporary failure in name resolution'),
  },
}

const EXPECTED: Record<Kind, { code: string; text: string }> = {
  refused: { code: ErrorCode.ConnectRefused, text: 'connection refused' },
  reset: { code: ErrorCode.ConnectRefused, text: 'connection reset by peer' },
  noSocketFile: { code: ErrorCode.ConnectRefused, text: 'no such socket file (is the server running locally?)' },
  timeout: { code: ErrorCode.ConnectTimeout, text: 'connection timed out' },
  unreachable: { code: ErrorCode.ConnectUnreachable, text: 'no route to host' },
  dns: { code: ErrorCode.ConnectDns, text: 'could not translate host name to address' },
  dnsAgain: { code: ErrorCode.ConnectDns, text: 'temporary failure in name resolution' },
}

describe('classifyNetworkError', () => {
  for (const [runtime, errors] of Object.entries(NATIVE)) {
    it(`gives ${runtime}'s native errors the codes and words every runtime shares`, () => {
      for (const [kind, error] of Object.entries(errors)) expect([kind, classifyNetworkError(error)]).toEqual([kind, EXPECTED[kind as Kind]])
    })
  }

  it("Workers' one opaque failure, and anything unknown, is PGFLEET_CONNECT_FAILED with the runtime's words", () => {
    const opaque = new Error('proxy request failed, cannot connect to the specified address')
    expect(classifyNetworkError(opaque)).toEqual({ code: ErrorCode.ConnectFailed, text: opaque.message })
    expect(classifyNetworkError(native('PermissionDenied', 'Requires net access', { code: 'EACCES' }))).toEqual({
      code: ErrorCode.ConnectFailed,
      text: 'Requires net access',
    })
    expect(classifyNetworkError('a string')).toEqual({ code: ErrorCode.ConnectFailed, text: 'a string' })
    // An inherited property name is not an errno code.
    expect(classifyNetworkError(native('Error', 'odd', { code: 'constructor' })).code).toBe(ErrorCode.ConnectFailed)
  })
})

describe('dialError', () => {
  it('is a retryable ConnectionError naming the address', () => {
    const error = dialError('[::1]:5432', NATIVE.deno.refused)
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({
      message: 'could not connect to [::1]:5432: connection refused',
      code: ErrorCode.ConnectRefused,
      safeToRetry: true,
      address: '[::1]:5432',
      cause: NATIVE.deno.refused,
    })
  })

  it("keeps pgfleet's own errors, and gives the signal's reason once it aborted", () => {
    const own = new ConnectionError('timeout expired', { code: ErrorCode.ConnectTimeout })
    expect(dialError('h:1', own)).toBe(own)
    const reason = new Error('deadline')
    const controller = new AbortController()
    controller.abort(reason)
    expect(dialError('h:1', NATIVE.bun.refused, controller.signal)).toBe(reason)
  })
})

describe('a runtime that refuses the access (Deno without --allow-net)', () => {
  it('is a ConfigError PGFLEET_RUNTIME_LIMIT, not a network failure, so the node is not marked down', () => {
    for (const name of ['NotCapable', 'PermissionDenied']) {
      const refused = native(name, 'Requires net access to "127.0.0.1:5432", run again with the --allow-net flag')
      const error = dialError('127.0.0.1:5432', refused)
      expect(error).toBeInstanceOf(ConfigError)
      expect(error).toMatchObject({
        code: ErrorCode.RuntimeLimit,
        message: 'could not connect to 127.0.0.1:5432: Requires net access to "127.0.0.1:5432", run again with the --allow-net flag',
      })
    }
  })
})

describe('lostError', () => {
  it('is PGFLEET_CONNECTION_LOST, not safe to retry; TLS and connection errors pass as they are', () => {
    const error = lostError('h:1', NATIVE.bun.reset)
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ code: ErrorCode.ConnectionLost, safeToRetry: false, message: 'connection to h:1 lost: ECONNRESET: connection reset by peer, read' })
    const tls = new TlsError('handshake failed', { code: ErrorCode.TlsHandshake })
    expect(lostError('h:1', tls)).toBe(tls)
  })
})

describe('addressOf', () => {
  it('writes host:port, IPv6 in brackets, or the socket path', () => {
    expect(addressOf({ host: 'db', port: 5432 })).toBe('db:5432')
    expect(addressOf({ host: '::1', port: 5432 })).toBe('[::1]:5432')
    expect(addressOf({ host: '', port: 0, path: '/tmp/.s.PGSQL.5432' })).toBe('/tmp/.s.PGSQL.5432')
  })
})
