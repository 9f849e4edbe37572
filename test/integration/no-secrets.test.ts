/**
 * No password in what a user can print: util.inspect and JSON.stringify of
 * every public object that holds a configuration (configs, clients, sessions,
 * pools, the pg facade's clients and pools), connected to a real server with a
 * SCRAM user, with the password given in a URL, a key=value string and an
 * options object.
 */
import { execFileSync } from 'node:child_process'
import { inspect } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { connect, createPool, parseConfig } from '../../src/index.js'
import pg, { type ClientConfig, type PoolConfig } from '../../src/pg.js'
import { harness, DATABASE, PASSWORD, SCRAM_USER } from '../support/harness.js'

const node = harness().nodes[0]!
const url = `postgresql://${SCRAM_USER}:${encodeURIComponent(PASSWORD)}@${node.host}:${node.port}/${DATABASE}?sslmode=disable&sslpassword=${PASSWORD}`
const conninfo = `host=${node.host} port=${node.port} user=${SCRAM_USER} password=${PASSWORD} dbname=${DATABASE} sslmode=disable`
const object = { host: node.host, port: node.port, user: SCRAM_USER, password: PASSWORD, database: DATABASE, sslmode: 'disable' }

const closers: (() => Promise<unknown>)[] = []
afterAll(async () => {
  await Promise.all(closers.map((c) => c().catch(() => undefined)))
})

/** JSON.stringify that survives cycles and bigints (what a logger does). */
function json(value: unknown): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[cycle]'
      seen.add(v)
    }
    return v
  })
}

function expectNoPassword(what: string, value: unknown, secrets: readonly string[] = [PASSWORD]): void {
  for (const [how, text] of [
    ['inspect', inspect(value, { depth: 10 })],
    ['JSON', json(value)],
  ] as const) {
    for (const secret of secrets) expect(text.includes(secret), `${how} of ${what} shows ${secret.slice(0, 20)}`).toBe(false)
  }
}

describe('no password in printed objects', () => {
  for (const [form, input] of [
    ['URL', url],
    ['key=value', conninfo],
    ['object', object],
  ] as const) {
    it(`pgfleet: config, client, session and pool (${form})`, async () => {
      expectNoPassword('config', parseConfig(input))
      const client = await connect(input)
      closers.push(() => client.close())
      await client.query('select 1')
      expectNoPassword('client', client)
      expectNoPassword('connection', client.connection)
      const pool = createPool(input, { max: 2 })
      closers.push(() => pool.end())
      await pool.query('select 1')
      expectNoPassword('pool', pool)
      const lease = await pool.connect()
      expectNoPassword('pool client', lease)
      lease.release()
    })
  }

  it('over TLS with a client certificate: no password, key passphrase or private key on the session or its socket', async () => {
    const { tls, certs } = harness()
    const keyPassphrase = 'key-passphrase-never-shown'
    const encryptedKey = execFileSync('openssl', ['pkey', '-in', certs.client.key, '-aes256', '-passout', `pass:${keyPassphrase}`], { encoding: 'utf8' })
    const options = {
      ...object,
      host: tls.good.host,
      port: tls.good.port,
      sslmode: 'verify-full',
      sslrootcert: certs.ca.certPem,
      sslcert: certs.client.certPem,
      sslkey: encryptedKey,
      sslpassword: keyPassphrase,
    }
    const secrets = [PASSWORD, keyPassphrase, 'PRIVATE KEY']
    const client = await connect(options)
    closers.push(() => client.close())
    expect(client.encrypted).toBe(true)
    await client.query('select 1')
    expectNoPassword('TLS client', client, secrets)
    const pool = createPool(options, { max: 1 })
    closers.push(() => pool.end())
    await pool.query('select 1')
    expectNoPassword('TLS pool', pool, secrets)
  })

  it('pgfleet/pg: Client and Pool, from a connection string and from an object', async () => {
    for (const config of [{ connectionString: url }, object, { ...object, ssl: { rejectUnauthorized: false, key: PASSWORD, passphrase: PASSWORD }, sslmode: undefined }]) {
      const client = new pg.Client(config as ClientConfig)
      expectNoPassword('pg.Client before connect', client)
      if (!('ssl' in config)) {
        await client.connect()
        closers.push(() => client.end())
        await client.query('select 1')
        expectNoPassword('pg.Client', client)
      }
      const pool = new pg.Pool(config as PoolConfig)
      closers.push(() => pool.end())
      expectNoPassword('pg.Pool', pool)
      expect(pool.options).toBeDefined()
      if (!('ssl' in config)) {
        await pool.query('select 1')
        expectNoPassword('pg.Pool after a query', pool)
      }
    }
  })
})
