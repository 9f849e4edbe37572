/**
 * libpq's password file, service file and hostaddr against the real servers.
 * The role PASSFILE_USER (SCRAM) gets a different password on each main
 * node, so a connection only works when the password file is matched per host:
 * for every host of a multi-host string and every node the balancer discovers.
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect, PgError, TlsError, type Client, type ClientOptions } from '../../src/index.js'
import { defaultRuntime, type RuntimeEnvironment } from '../../src/runtime.js'
import { appName, closeAll, serverCountsEventually } from '../support/balancing.js'
import { adminQuery, harness, DATABASE, PASSFILE_USER, setTopology } from '../support/harness.js'

const pg = harness()
const nodes = pg.nodes
/** The password of PASSFILE_USER on nodes[i]. */
const nodePassword = (i: number) => `pf-node-${i + 1}:with\\escapes`
/** How the password file writes nodePassword(i): ':' and '\' escaped. */
const fileField = (s: string) => s.replace(/[:\\]/g, (c) => `\\${c}`)

let dir: string
let passfile: string
const open: Client[] = []

/** A runtime with only the given PG* environment and a home directory of our own; warnings collected. */
function runtime(env: Record<string, string> = {}, warnings: string[] = []): RuntimeEnvironment {
  return { ...defaultRuntime(), env: () => env, homeDir: () => dir, warn: (m) => warnings.push(m) }
}

async function whereAmI(options: string | ClientOptions): Promise<string> {
  const client = await connect(options)
  open.push(client)
  const { rows } = await client.query<{ addr: string; user: string }>('select host(inet_server_addr()) as addr, current_user as user')
  expect(rows[0]!.user).toBe(PASSFILE_USER)
  return rows[0]!.addr
}

beforeAll(async () => {
  await Promise.all(
    nodes.map((n, i) =>
      adminQuery(n.host, n.port, `alter role ${PASSFILE_USER} password :'pw'`, { vars: { pw: nodePassword(i) }, database: 'postgres' }),
    ),
  )
  dir = await mkdtemp(join(tmpdir(), 'pgfleet-passfile-'))
  passfile = join(dir, 'pgpass')
  const lines = [
    '# one line per node; the first match wins',
    ...nodes.map((n, i) => `${n.host}:${n.port}:${DATABASE}:${PASSFILE_USER}:${fileField(nodePassword(i))}`),
    `db.example:${nodes[0]!.port}:*:${PASSFILE_USER}:${fileField(nodePassword(2))}`,
    `*:*:*:${PASSFILE_USER}:wrong-for-everything`,
  ]
  await writeFile(passfile, lines.join('\n') + '\n', { mode: 0o600 })
})

afterEach(async () => {
  await closeAll(open.splice(0))
})

const base = (extra: Record<string, string | number>): string =>
  Object.entries({ user: PASSFILE_USER, dbname: DATABASE, sslmode: 'disable', connect_timeout: 5, ...extra })
    .map(([k, v]) => `${k}='${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)
    .join(' ')

describe('password file (libpq passfile / PGPASSFILE / ~/.pgpass)', () => {
  it('each host of a multi-host string gets its own line: 12 random-order connects reach more than one node, each with its own password', async () => {
    const conninfo = base({ host: nodes.map((n) => n.host).join(','), port: nodes[0]!.port, passfile, load_balance_hosts: 'random' })
    const seen = new Set<string>()
    for (let i = 0; i < 12; i++) seen.add(await whereAmI({ connectionString: conninfo, runtime: runtime() }))
    expect(seen.size).toBeGreaterThanOrEqual(2)
  })

  it('every node the balancer discovers is looked up under its own host and port', async () => {
    await setTopology('passfile', pg.defaultTopology)
    const app = appName('passfile')
    const conninfo = base({
      host: nodes[0]!.host,
      port: nodes[0]!.port,
      load_balance: 'true',
      application_name: app,
      options: '-c pgfleet.topology=passfile',
    })
    for (let i = 0; i < 6; i++) open.push(await connect({ connectionString: conninfo, runtime: runtime({ PGPASSFILE: passfile }) }))
    expect(await serverCountsEventually(nodes, app, [2, 2, 2])).toEqual([2, 2, 2])
  })

  it('~/.pgpass is the default; a password given explicitly is always used instead', async () => {
    await writeFile(join(dir, '.pgpass'), `*:*:*:${PASSFILE_USER}:${fileField(nodePassword(1))}\n`, { mode: 0o600 })
    expect(await whereAmI({ connectionString: base({ host: nodes[1]!.host, port: nodes[1]!.port }), runtime: runtime() })).toBe(nodes[1]!.host)
    const wrong = await connect({ connectionString: base({ host: nodes[1]!.host, port: nodes[1]!.port, password: 'explicit-wrong' }), runtime: runtime() }).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(PgError)
    expect((wrong as PgError).code).toBe('28P01')
    expect((wrong as PgError).message).not.toContain('retrieved from file')
  })

  it('a refused password from the file says which file; a file open to others is ignored with a warning', async () => {
    const other = join(dir, 'wrong-pgpass')
    await writeFile(other, `*:*:*:*:not-it\n`, { mode: 0o600 })
    const e = await connect({ connectionString: base({ host: nodes[0]!.host, port: nodes[0]!.port, passfile: other }), runtime: runtime() }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(PgError)
    expect((e as PgError).message).toContain(`password retrieved from file "${other}"`)

    const loose = join(dir, 'loose-pgpass')
    await writeFile(loose, `*:*:*:*:${fileField(nodePassword(0))}\n`)
    await chmod(loose, 0o644)
    const warnings: string[] = []
    const ignored = await connect({ connectionString: base({ host: nodes[0]!.host, port: nodes[0]!.port, passfile: loose }), runtime: runtime({}, warnings) }).catch((x: unknown) => x)
    expect((ignored as { code?: string }).code).toBe('PGFLEET_NO_PASSWORD')
    expect(warnings).toEqual([`password file "${loose}" has group or world access; permissions should be u=rw (0600) or less; it is ignored`])
  })
})

describe('service file (service / PGSERVICE, PGSERVICEFILE, PGSYSCONFDIR)', () => {
  it('a service gives host, port, user, database and passfile; explicit settings win', async () => {
    const services = join(dir, 'services.conf')
    await writeFile(
      services,
      [
        '[orders]',
        `host=${nodes[2]!.host}`,
        `port=${nodes[2]!.port}`,
        `user=${PASSFILE_USER}`,
        `dbname=${DATABASE}`,
        `passfile=${passfile}`,
        'sslmode=disable',
      ].join('\n'),
    )
    expect(await whereAmI({ connectionString: 'service=orders', runtime: runtime({ PGSERVICEFILE: services }) })).toBe(nodes[2]!.host)
    expect(await whereAmI({ connectionString: `service=orders host=${nodes[1]!.host}`, runtime: runtime({ PGSERVICEFILE: services }) })).toBe(nodes[1]!.host)
    // From the system file, named by PGSERVICE.
    const sysconf = await mkdtemp(join(tmpdir(), 'pgfleet-sysconf-'))
    await writeFile(join(sysconf, 'pg_service.conf'), `[sys]\nhost=${nodes[0]!.host}\nport=${nodes[0]!.port}\nuser=${PASSFILE_USER}\ndbname=${DATABASE}\n`)
    const env = { PGSERVICE: 'sys', PGSYSCONFDIR: sysconf, PGPASSFILE: passfile, PGSSLMODE: 'disable' }
    expect(await whereAmI({ runtime: runtime(env) })).toBe(nodes[0]!.host)
  })
})

describe('hostaddr', () => {
  it('dials the address while TLS verifies the host name and the password file matches it', async () => {
    // The server certificate names DNS:localhost; db.example has its own line in the password file.
    // localhost resolves to node 1; the address given is node 2's, so reaching node 2 proves the address was dialled.
    const verified = base({ host: 'localhost', hostaddr: nodes[1]!.host, port: nodes[1]!.port, sslmode: 'verify-full', sslrootcert: pg.certs.ca.cert, password: nodePassword(1) })
    expect(await whereAmI({ connectionString: verified, runtime: runtime() })).toBe(nodes[1]!.host)
    // db.example is never looked up (it does not resolve): the certificate is checked against it and refused.
    const wrongName = base({ host: 'db.example', hostaddr: nodes[0]!.host, port: nodes[0]!.port, sslmode: 'verify-full', sslrootcert: pg.certs.ca.cert, passfile })
    const refused = await connect({ connectionString: wrongName, runtime: runtime() }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(TlsError)
    expect((refused as TlsError).code).toBe('PGFLEET_TLS_CERTIFICATE')
    // No TLS: db.example is never resolved; its password line (node 3's password) is used, so node 1 refuses it.
    const byName = await connect({ connectionString: base({ host: 'db.example', hostaddr: nodes[0]!.host, port: nodes[0]!.port, passfile }), runtime: runtime() }).catch((e: unknown) => e)
    expect((byName as PgError).message).toContain('retrieved from file')
    const paired = base({ host: `db.example,${nodes[1]!.host}`, hostaddr: `${nodes[2]!.host},`, port: nodes[0]!.port, passfile })
    // db.example → 127.0.0.3 with node 3's password from the db.example line.
    expect(await whereAmI({ connectionString: paired, runtime: runtime() })).toBe(nodes[2]!.host)
  })
})
