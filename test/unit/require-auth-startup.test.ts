/**
 * require_auth through the real startup (src/connection/startup.ts) against the
 * scripted fake server: a plain list without `none` admits a server that asked
 * for one of the listed methods and got an answer, and refuses one that asked
 * for nothing (trust) or for an unlisted method, without sending the password.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, type ClientOptions } from '../../src/index.js'
import { AuthError } from '../../src/errors.js'
import { messages, scenarios, startHostileServer, startupOk, type HostileServer, type Scenario } from '../support/hostile-server.js'

const PASSWORD = 'require-auth-secret-4c1e'
const servers: HostileServer[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** One fake server per method the server asks for. */
const SERVERS: Record<'password' | 'md5' | 'trust', () => Scenario> = {
  password: scenarios.cleartextPassword,
  md5: () => [{ receive: 'startup' }, { send: messages.authMd5() }, { receive: 'p' }, { send: startupOk() }],
  trust: () => [{ receive: 'startup' }, { send: startupOk() }],
}

async function serve(kind: keyof typeof SERVERS): Promise<HostileServer> {
  const server = await startHostileServer(SERVERS[kind]())
  servers.push(server)
  return server
}

function options(server: HostileServer, requireAuth: string): ClientOptions {
  return {
    host: '127.0.0.1',
    port: server.port,
    user: 'alice',
    password: PASSWORD,
    database: 'db',
    sslmode: 'disable',
    connectTimeout: 5000,
    requireAuth,
  }
}

/** Connect and close; the error when the connect fails. */
async function tryConnect(server: HostileServer, requireAuth: string): Promise<Error | undefined> {
  try {
    const client = await connect(options(server, requireAuth))
    await client.close()
    return undefined
  } catch (error) {
    return error as Error
  }
}

/** True when the password, or anything derived from it, reached the server (a 'p' message). */
function passwordSent(server: HostileServer): boolean {
  const received = Buffer.from(server.received())
  return received.includes(Buffer.from(PASSWORD)) || received.includes(Buffer.from('md5'))
}

describe('require_auth with password methods (startup)', () => {
  const admits: [requireAuth: string, server: 'password' | 'md5'][] = [
    ['password', 'password'],
    ['md5', 'md5'],
    ['password,md5', 'password'],
    ['password,md5', 'md5'],
    ['md5,password', 'md5'],
  ]
  for (const [requireAuth, kind] of admits) {
    it(`require_auth=${requireAuth} connects to a server that asks for ${kind}`, async () => {
      const server = await serve(kind)
      expect(await tryConnect(server, requireAuth)).toBeUndefined()
      expect(passwordSent(server)).toBe(true)
    })
  }

  const refuses: [requireAuth: string, server: keyof typeof SERVERS, why: RegExp][] = [
    ['md5', 'password', /"md5" failed: server requested a cleartext password/],
    ['password', 'md5', /"password" failed: server requested a hashed password/],
    ['password', 'trust', /"password" failed: server did not complete authentication/],
    ['md5', 'trust', /"md5" failed: server did not complete authentication/],
    ['password,md5', 'trust', /"password,md5" failed: server did not complete authentication/],
  ]
  for (const [requireAuth, kind, why] of refuses) {
    it(`require_auth=${requireAuth} refuses a server that asks for ${kind === 'trust' ? 'nothing' : kind}`, async () => {
      const server = await serve(kind)
      const error = await tryConnect(server, requireAuth)
      expect(error).toBeInstanceOf(AuthError)
      expect((error as AuthError).code).toBe('PGFLEET_REQUIRE_AUTH')
      expect(error!.message).toMatch(why)
      expect(passwordSent(server)).toBe(false)
    })
  }

  it("'none' in the list still admits a server that asks for nothing", async () => {
    expect(await tryConnect(await serve('trust'), 'password,none')).toBeUndefined()
  })
})
