/**
 * Proves the PostgreSQL test harness (test/support) with psql and openssl
 * only (skipped where psql is not installed): each role gets in exactly as pg_hba.conf says, yb_servers() reports
 * the default and per-test topologies, the standby replays, the TLS servers
 * present the expected certificates, and the admin and extra-cluster helpers
 * do what they claim.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { psqlMissing, run, type RunResult } from '../support/proc.js'
import {
  adminQuery,
  CERT_USER,
  DATABASE,
  harness,
  MD5_USER,
  NOSSL_USER,
  PASSWORD,
  PASSWORD_USER,
  SCRAM_USER,
  serverConnectionCounts,
  setTopology,
  SSLONLY_USER,
  startExtraCluster,
  terminateBackends,
  TRUST_USER,
  waitForConnectionCounts,
} from '../support/harness.js'

const pg = harness()
const [node1, node2, node3] = pg.nodes as [typeof pg.standby, typeof pg.standby, typeof pg.standby]

interface Login {
  host: string
  port: number
  user: string
  password?: string
  sslmode?: string
  /** Extra conninfo words (sslrootcert=..., sslcert=...). */
  extra?: string
  /** PGOPTIONS. */
  options?: string
}

/** Runs `sql` through psql with a conninfo string; never rejects. */
function psql(login: Login, sql: string): Promise<RunResult> {
  const conninfo = [
    `host=${login.host}`,
    `port=${login.port}`,
    `user=${login.user}`,
    `dbname=${DATABASE}`,
    `sslmode=${login.sslmode ?? 'disable'}`,
    'connect_timeout=5',
    login.extra ?? '',
  ].join(' ')
  const env: NodeJS.ProcessEnv = { ...process.env, PGPASSFILE: '/nonexistent/pgpass', PGOPTIONS: login.options ?? '' }
  delete env.PGPASSWORD
  if (login.password !== undefined) env.PGPASSWORD = login.password
  return run('psql', ['-X', '-A', '-t', '-F', '\t', '-w', '-c', sql, conninfo], { env, allowFailure: true, timeoutMs: 20_000 })
}

/** psql must succeed; returns trimmed stdout. */
async function ok(login: Login, sql: string): Promise<string> {
  const res = await psql(login, sql)
  expect(res.stderr, `psql as ${login.user}@${login.host}:${login.port}`).toBe('')
  expect(res.code).toBe(0)
  return res.stdout.replace(/\n+$/, '')
}

/** psql must fail; returns stderr. */
async function fails(login: Login, sql = 'select 1'): Promise<string> {
  const res = await psql(login, sql)
  expect(res.code, `psql as ${login.user} should fail, got ${res.stdout}`).not.toBe(0)
  return res.stderr
}

if (psqlMissing) console.warn(`harness tests through psql skipped: ${psqlMissing}`)

const verifyFull = () => `sslrootcert=${pg.certs.ca.cert}`

describe('layout', () => {
  it('provides three main nodes, a standby and the TLS matrix on distinct addresses', () => {
    expect(pg.nodes.map((n) => `${n.host}:${n.port}`)).toEqual(['127.0.0.1:5433', '127.0.0.2:5433', '127.0.0.3:5433'])
    expect(`${pg.standby.host}:${pg.standby.port}`).toBe('127.0.0.4:5433')
    expect(pg.tls.good).toEqual(node1)
    expect([pg.tls.wrongName, pg.tls.untrusted, pg.tls.off].map((n) => `${n.host}:${n.port}`)).toEqual([
      '127.0.0.1:5441',
      '127.0.0.1:5442',
      '127.0.0.1:5443',
    ])
  })

  it('every server runs PostgreSQL with the frugal settings', async () => {
    for (const n of [...pg.nodes, pg.standby, pg.tls.wrongName, pg.tls.untrusted, pg.tls.off]) {
      const rows = await adminQuery(
        n.host,
        n.port,
        `select current_setting('server_version_num')::int / 10000, current_setting('ssl'), current_setting('max_connections'), current_setting('shared_buffers'), current_setting('fsync')`,
      )
      expect(rows).toEqual([[String(rows[0]![0]), n.ssl ? 'on' : 'off', '200', '16MB', 'off']])
      expect(Number(rows[0]![0])).toBeGreaterThanOrEqual(15)
    }
  })
})

describe.skipIf(psqlMissing)('authentication', () => {
  for (const n of [0, 1, 2]) {
    it(`trust user logs in on node${n + 1} without a password`, async () => {
      const node = pg.nodes[n]!
      expect(await ok({ host: node.host, port: node.port, user: TRUST_USER }, 'select current_user')).toBe(TRUST_USER)
    })
  }

  for (const [user, stored] of [
    [MD5_USER, /^md5[0-9a-f]{32}$/],
    [SCRAM_USER, /^SCRAM-SHA-256\$4096:/],
    [PASSWORD_USER, /^SCRAM-SHA-256\$/],
  ] as const) {
    it(`${user} logs in with the password and not with a wrong one`, async () => {
      const login = { host: node2.host, port: node2.port, user }
      expect(await ok({ ...login, password: PASSWORD }, 'select current_user')).toBe(user)
      expect(await fails({ ...login, password: 'wrong' })).toContain(`password authentication failed for user "${user}"`)
      expect(await fails(login)).toContain('no password supplied')
      const rows = await adminQuery(node2.host, node2.port, `select rolpassword from pg_authid where rolname = :'u'`, { vars: { u: user } })
      expect(rows[0]![0]).toMatch(stored)
    })
  }

  it('pg_hba.conf names the method each user is admitted by', async () => {
    const rows = await adminQuery(
      node1.host,
      node1.port,
      `select type, user_name[1], auth_method from pg_hba_file_rules where address = '127.0.0.0' and database = '{all}' order by line_number`,
    )
    const methods = Object.fromEntries(rows.map(([type, user, method]) => [user, `${type} ${method}`]))
    expect(methods).toMatchObject({
      postgres: 'host trust',
      [TRUST_USER]: 'host trust',
      [MD5_USER]: 'host md5',
      [SCRAM_USER]: 'host scram-sha-256',
      [PASSWORD_USER]: 'host password',
      [CERT_USER]: 'hostssl cert',
      [SSLONLY_USER]: 'hostssl scram-sha-256',
      [NOSSL_USER]: 'hostnossl scram-sha-256',
    })
  })

  it('cert user needs the client certificate', async () => {
    const login = { host: node1.host, port: node1.port, user: CERT_USER, sslmode: 'verify-full' }
    const withCert = `${verifyFull()} sslcert=${pg.certs.client.cert} sslkey=${pg.certs.client.key}`
    expect(await ok({ ...login, extra: withCert }, 'select current_user, client_dn from pg_stat_ssl where pid = pg_backend_pid()')).toBe(`${CERT_USER}\t/CN=${CERT_USER}`)
    // libpq sends no certificate: the server refuses (password is no substitute).
    const err = await fails({ ...login, extra: `${verifyFull()} sslcert=/dev/null/none sslkey=/dev/null/none`, password: PASSWORD })
    expect(err).toMatch(/certificate authentication failed|connection requires a valid client certificate/)
    expect(await fails({ ...login, sslmode: 'disable', password: PASSWORD })).toContain('no encryption')
  })

  it('hostssl and hostnossl rules hold', async () => {
    const base = { host: node3.host, port: node3.port, password: PASSWORD }
    expect(await ok({ ...base, user: SSLONLY_USER, sslmode: 'require' }, 'select ssl from pg_stat_ssl where pid = pg_backend_pid()')).toBe('t')
    expect(await fails({ ...base, user: SSLONLY_USER, sslmode: 'disable' })).toMatch(/no pg_hba.conf entry .* no encryption/)
    expect(await ok({ ...base, user: NOSSL_USER, sslmode: 'disable' }, 'select ssl from pg_stat_ssl where pid = pg_backend_pid()')).toBe('f')
    expect(await fails({ ...base, user: NOSSL_USER, sslmode: 'require' })).toMatch(/no pg_hba.conf entry .* SSL encryption/)
    // The plain `host` rules admit both.
    expect(await ok({ ...base, user: SCRAM_USER, sslmode: 'require' }, 'select 1')).toBe('1')
  })

  it('every role may create tables in the pgfleet database', async () => {
    const table = `harness_${process.pid}`
    await ok({ host: node1.host, port: node1.port, user: SCRAM_USER, password: PASSWORD }, `create table ${table} (x int); drop table ${table}`)
  })
})

describe.skipIf(psqlMissing)('yb_servers()', () => {
  const topologyRows = (login: Login) =>
    ok(login, 'select host, port, num_connections, node_type, cloud, region, zone, public_ip from yb_servers()')

  it('reports the default topology on every main node and the standby', async () => {
    const expected = [
      '127.0.0.1\t5433\t0\tprimary\taws\tus-east-1\tus-east-1a\t',
      '127.0.0.2\t5433\t0\tprimary\taws\tus-east-1\tus-east-1a\t',
      '127.0.0.3\t5433\t0\tprimary\taws\tus-east-1\tus-east-1b\t',
    ].join('\n')
    for (const n of [...pg.nodes, pg.standby]) {
      expect(await topologyRows({ host: n.host, port: n.port, user: TRUST_USER })).toBe(expected)
    }
    expect(pg.defaultTopology.map((t) => t.zone)).toEqual(['us-east-1a', 'us-east-1a', 'us-east-1b'])
  })

  it('has the column types drivers expect and a uuid per node', async () => {
    const types = await ok(
      { host: node1.host, port: node1.port, user: TRUST_USER },
      `select string_agg(format_type(t, null), ',') from unnest((select proallargtypes from pg_proc where proname = 'yb_servers')) t`,
    )
    expect(types).toBe('text,bigint,bigint,text,text,text,text,text,text')
    const uuids = await ok({ host: node1.host, port: node1.port, user: TRUST_USER }, 'select count(distinct uuid) from yb_servers()')
    expect(uuids).toBe('3')
  })

  it('a session with -c pgfleet.topology=<name> sees its own topology', async () => {
    const name = `harness_${process.pid}`
    await setTopology(name, [
      { host: '127.0.0.2', port: 5433, cloud: 'gcp', region: 'eu', zone: 'z1', publicIp: '10.0.0.2' },
      { host: '127.0.0.4', port: 5433, nodeType: 'read_replica', uuid: 'u-4' },
    ])
    const login = { host: node3.host, port: node3.port, user: MD5_USER, password: PASSWORD, options: `-c pgfleet.topology=${name}` }
    expect(await ok(login, 'select host, node_type, cloud, region, zone, public_ip, uuid from yb_servers()')).toBe(
      [`127.0.0.2\tprimary\tgcp\teu\tz1\t10.0.0.2\t${(await ok(login, 'select uuid from yb_servers() limit 1'))}`, '127.0.0.4\tread_replica\tcloud1\tdatacenter1\track1\t\tu-4'].join('\n'),
    )
    // Rewriting is atomic and seen by the next call; others still see the default.
    await setTopology(name, [{ host: '127.0.0.9', port: 6000 }])
    expect(await ok(login, 'select host, port from yb_servers()')).toBe('127.0.0.9\t6000')
    expect(await ok({ ...login, options: '' }, 'select count(*) from yb_servers()')).toBe('3')
  })

  it('fails loudly for a topology that does not exist or a bad name', async () => {
    const base = { host: node1.host, port: node1.port, user: TRUST_USER }
    expect(await fails({ ...base, options: '-c pgfleet.topology=nope_nothing' }, 'select * from yb_servers()')).toContain(
      'no topology file for nope_nothing',
    )
    expect(await fails(base, `set pgfleet.topology = '../../etc/passwd'; select * from yb_servers()`)).toContain('bad topology name')
  })
})

describe.skipIf(psqlMissing)('standby', () => {
  it('is in recovery and replays what node1 writes', async () => {
    expect(await adminQuery(pg.standby.host, pg.standby.port, 'select pg_is_in_recovery()')).toEqual([['t']])
    expect(await adminQuery(node1.host, node1.port, 'select pg_is_in_recovery()')).toEqual([['f']])
    const table = `harness_standby_${process.pid}`
    await adminQuery(node1.host, node1.port, `create table ${table} as select 42 as x`)
    try {
      let seen: string[][] = []
      for (let i = 0; i < 100 && seen.length === 0; i++) {
        seen = await adminQuery(pg.standby.host, pg.standby.port, `select x from ${table}`).catch(() => [])
        if (seen.length === 0) await new Promise((r) => setTimeout(r, 50))
      }
      expect(seen).toEqual([['42']])
      expect(await fails({ host: pg.standby.host, port: pg.standby.port, user: TRUST_USER }, `insert into ${table} values (1)`)).toContain(
        'read-only transaction',
      )
    } finally {
      await adminQuery(node1.host, node1.port, `drop table ${table}`)
    }
  })
})

describe.skipIf(psqlMissing)('TLS servers', () => {
  const login = (n: { host: string; port: number }, sslmode: string, extra = verifyFull()) => ({
    host: n.host,
    port: n.port,
    user: TRUST_USER,
    sslmode,
    extra,
  })
  const sslQuery = 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'

  it('good: verify-full passes for 127.0.0.1 and localhost', async () => {
    expect(await ok(login(pg.tls.good, 'verify-full'), sslQuery)).toBe('t')
    expect(await ok({ ...login(pg.tls.good, 'verify-full'), host: 'localhost' }, sslQuery)).toBe('t')
    expect(await ok(login(node3, 'verify-full'), sslQuery)).toBe('t')
    expect(await ok(login(pg.standby, 'verify-full'), sslQuery)).toBe('t')
  })

  it('wrong name: verify-ca passes, verify-full fails on the name', async () => {
    expect(await ok(login(pg.tls.wrongName, 'verify-ca'), sslQuery)).toBe('t')
    expect(await fails(login(pg.tls.wrongName, 'verify-full'))).toMatch(/server certificate for "wrong\.example".* does not match host name "127\.0\.0\.1"/)
  })

  it('untrusted CA: require passes, verify-ca fails', async () => {
    expect(await ok(login(pg.tls.untrusted, 'require', ''), sslQuery)).toBe('t')
    expect(await fails(login(pg.tls.untrusted, 'verify-ca'))).toContain('certificate verify failed')
    // Trusting the other CA instead makes it pass.
    expect(await ok(login(pg.tls.untrusted, 'verify-full', `sslrootcert=${pg.certs.untrustedCa.cert}`), sslQuery)).toBe('t')
  })

  it('off: require fails, prefer goes on in clear', async () => {
    expect(await fails(login(pg.tls.off, 'require', ''))).toContain('server does not support SSL')
    expect(await ok(login(pg.tls.off, 'prefer', ''), sslQuery)).toBe('f')
  })

  it('openssl s_client sees the expected certificate on each server', async () => {
    const subject = async (n: { host: string; port: number }, ca: string) => {
      const res = await run(
        'openssl',
        ['s_client', '-starttls', 'postgres', '-connect', `${n.host}:${n.port}`, '-CAfile', ca, '-verify_return_error', '-brief'],
        { allowFailure: true, input: '', timeoutMs: 10_000 },
      )
      return res.stdout + res.stderr
    }
    const good = await subject(pg.tls.good, pg.certs.ca.cert)
    expect(good).toContain('Verification: OK')
    expect(good).toMatch(/Peer certificate: CN ?= ?localhost/)
    expect(await subject(pg.tls.wrongName, pg.certs.ca.cert)).toMatch(/Peer certificate: CN ?= ?wrong\.example/)
    expect(await subject(pg.tls.untrusted, pg.certs.ca.cert)).toMatch(/unable to get local issuer certificate|verify error/)
    expect(await subject(pg.tls.untrusted, pg.certs.untrustedCa.cert)).toContain('Verification: OK')
  })

  it('exports the PEM texts', () => {
    for (const c of [pg.certs.ca, pg.certs.server, pg.certs.wrongName, pg.certs.untrustedCa, pg.certs.untrusted, pg.certs.client]) {
      expect(c.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/)
      expect(c.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    }
  })
})

describe.skipIf(psqlMissing)('admin helpers', () => {
  const sleepers: ChildProcess[] = []
  afterAll(() => {
    for (const s of sleepers) s.kill('SIGKILL')
  })

  /** A psql session that stays open (pg_sleep) with this application_name. */
  function sleeper(n: { host: string; port: number }, app: string): void {
    const child = spawn('psql', ['-X', '-c', 'select pg_sleep(60)', `host=${n.host} port=${n.port} user=${TRUST_USER} dbname=${DATABASE} sslmode=disable application_name=${app}`], {
      stdio: 'ignore',
    })
    sleepers.push(child)
  }

  it('counts client backends per node by application_name and terminates them', async () => {
    const app = `harness-count-${process.pid}`
    sleeper(node1, app)
    sleeper(node1, app)
    sleeper(node3, app)
    const counts = await waitForConnectionCounts(pg.nodes, app, { '127.0.0.1': 2, '127.0.0.3': 1 }, 10_000)
    expect(counts).toEqual(new Map([['127.0.0.1', 2], ['127.0.0.2', 0], ['127.0.0.3', 1]]))
    expect(await terminateBackends(node1.host, node1.port, app)).toBe(2)
    expect(await waitForConnectionCounts(pg.nodes, app, { '127.0.0.3': 1 })).toEqual(new Map([['127.0.0.1', 0], ['127.0.0.2', 0], ['127.0.0.3', 1]]))
    expect(await terminateBackends(node3.host, node3.port, app)).toBe(1)
    expect(await waitForConnectionCounts(pg.nodes, app, {})).toEqual(new Map([['127.0.0.1', 0], ['127.0.0.2', 0], ['127.0.0.3', 0]]))
    expect(await serverConnectionCounts([pg.standby], app)).toEqual(new Map([['127.0.0.4', 0]]))
    await expect(serverConnectionCounts([node1, pg.tls.off], app)).rejects.toThrow('distinct hosts')
  })

  it('adminQuery passes values as psql variables, never spliced', async () => {
    const tricky = `it's "quoted"; drop table x; --`
    expect(await adminQuery(node2.host, node2.port, `select :'v'`, { vars: { v: tricky } })).toEqual([[tricky]])
    await expect(adminQuery(node2.host, node2.port, 'select * from no_such_table')).rejects.toThrow('no_such_table')
  })
})

describe.skipIf(psqlMissing)('extra cluster', () => {
  it('starts own nodes that report each other and can be stopped, killed and restarted', async () => {
    const cluster = await startExtraCluster({ count: 2, hostBase: 28, port: 5459, topology: [{}, { nodeType: 'read_replica' }] })
    try {
      const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]]
      expect([a.host, b.host]).toEqual(['127.0.0.28', '127.0.0.29'])
      expect(cluster.topologyName).toBe('extra-5459')
      const loginB = { host: b.host, port: b.port, user: SCRAM_USER, password: PASSWORD }
      expect(await ok(loginB, 'select host, port, node_type, zone from yb_servers()')).toBe(
        '127.0.0.28\t5459\tprimary\tus-east-1a\n127.0.0.29\t5459\tread_replica\tus-east-1b',
      )
      // TLS with the good certificate, verify-full on the node's own IP.
      expect(await ok({ ...loginB, sslmode: 'verify-full', extra: verifyFull() }, 'select 1')).toBe('1')

      await a.stop()
      expect(a.pid).toBeUndefined()
      expect(await fails({ host: a.host, port: a.port, user: TRUST_USER })).toMatch(/Connection refused/)
      await a.start()
      expect(a.pid).toBeGreaterThan(0)
      expect(await ok({ host: a.host, port: a.port, user: TRUST_USER }, 'select 1')).toBe('1')

      await b.kill()
      expect(await fails({ host: b.host, port: b.port, user: TRUST_USER })).toMatch(/Connection refused/)
      await b.restart()
      expect(await ok(loginB, 'select count(*) from yb_servers()')).toBe('2')

      await cluster.setTopology([{ host: b.host, port: b.port }])
      expect(await ok(loginB, 'select host from yb_servers()')).toBe('127.0.0.29')
    } finally {
      await cluster.destroy()
    }
  })
})
