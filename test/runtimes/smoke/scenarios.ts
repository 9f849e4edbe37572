/**
 * One smoke suite for every runtime (Node, Bun, Deno, Cloudflare Workers).
 * The runner of each runtime imports the BUILT package entry for it
 * (dist/index.js, dist/index.bun.js, dist/index.deno.js, dist/index.workerd.js)
 * and passes it in: these scenarios use nothing but pgfleet's public API and
 * web globals (fetch, setTimeout), so the same code runs everywhere.
 *
 * Each scenario yields an outcome; a runtime limit (Deno cannot skip chain
 * verification, Workers have no client certificates, ...) is reported as
 * `unsupported` with the driver's own error text, so the output says where a
 * runtime cannot and why. test/integration/runtimes.test.ts holds which
 * runtime is expected to support what.
 */
import type * as Pgfleet from '../../../src/public.js'

/** The public API of one built entry. */
export type PgfleetModule = typeof Pgfleet

/** A server the scenarios connect to. */
export interface SmokeServer {
  host: string
  port: number
}

/** Connection info, from the test harness (test/integration/runtimes.test.ts). */
export interface SmokeEnv {
  runtime: string
  database: string
  /** A main node: SCRAM login, queries, pipelining, errors. */
  main: SmokeServer
  scramUser: string
  password: string
  /** A TLS server whose certificate names `tls.host`, signed by `ca`. */
  tls: SmokeServer
  /** A TLS server whose certificate (right names) is signed by a CA nobody trusts. */
  tlsUntrusted: SmokeServer
  /** A TLS server whose certificate, signed by `ca`, names wrong.example. */
  tlsWrongName: SmokeServer
  /** The test CA, PEM text. */
  ca: string
  /** Verify against the runtime's system roots instead of `ca` (Workers: SSL_CERT_FILE holds the CA). */
  caFromSystem: boolean
  /** Client certificate and key (PEM text) for `certUser` on the TLS server. */
  clientCert: string
  clientKey: string
  certUser: string
  /** The 3-node cluster with yb_servers(): load_balance=true seeds. */
  cluster: SmokeServer[]
  /** application_name of the load-balanced sessions, counted server-side. */
  lbTag: string
  /** URL POSTed to once the 9 balanced sessions are open; its JSON answer is kept. */
  checkpoint: string
  /** A password file (mode 0600) with `scramUser`'s password. */
  passfile: string
  /** The same file readable by everyone (0644): libpq ignores it. */
  loosePassfile: string
}

/** What one scenario found. */
export interface Outcome {
  ok: boolean
  /** What was observed, when ok. */
  detail?: string
  /** Why it failed, when not ok. */
  error?: string
  /** The runtime cannot do this: the driver's error, when it refused clearly. */
  unsupported?: string
  /** Extra data for the test (load balancing counts). */
  data?: unknown
}

export interface SmokeReport {
  runtime: string
  results: Record<string, Outcome>
}

class Failed extends Error {}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Failed(message)
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return `${error.name}${code === undefined ? '' : ` ${String(code)}`}: ${error.message}`
  }
  return String(error)
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

type Client = Awaited<ReturnType<PgfleetModule['connect']>>

/** Run `body` with a session, closing it whatever happens. */
async function using<T>(pg: PgfleetModule, options: Pgfleet.ClientOptions, body: (db: Client) => Promise<T>): Promise<T> {
  const db = await pg.connect(options)
  try {
    return await body(db)
  } finally {
    await db.close()
  }
}

/**
 * A TLS attempt: connected (and the session really is encrypted), or refused
 * with one of the driver's clear errors (TlsError / AuthError), which is the
 * runtime's limit. Anything else is a failure.
 */
async function tlsAttempt(pg: PgfleetModule, options: Pgfleet.ClientOptions, extra?: (db: Client) => Promise<string>): Promise<Outcome> {
  let db: Client
  try {
    db = await pg.connect(options)
  } catch (error) {
    if (error instanceof pg.TlsError || error instanceof pg.AuthError) return { ok: true, unsupported: describeError(error) }
    throw error
  }
  try {
    const { rows } = await db.query<{ ssl: boolean; version: string }>('select ssl, version from pg_stat_ssl where pid = pg_backend_pid()')
    check(rows[0]?.ssl === true && db.encrypted, `session not encrypted: ${JSON.stringify(rows)}`)
    return { ok: true, detail: `encrypted ${rows[0].version}${extra ? `, ${await extra(db)}` : ''}` }
  } finally {
    await db.close()
  }
}

/** verify-full against `server` must fail with a TlsError before any query. */
async function refused(pg: PgfleetModule, env: SmokeEnv, server: SmokeServer, what: string): Promise<Outcome> {
  const sslrootcert = env.caFromSystem ? 'system' : env.ca
  try {
    await (await pg.connect({ ...server, user: env.scramUser, password: env.password, database: env.database, sslmode: 'verify-full', sslrootcert })).close()
  } catch (error) {
    check(error instanceof pg.TlsError, `expected a TlsError, got ${describeError(error)}`)
    return { ok: true, detail: `refused: ${describeError(error)}` }
  }
  return { ok: false, error: `verify-full accepted ${what}` }
}

type Scenario = (pg: PgfleetModule, env: SmokeEnv) => Promise<Outcome>

const scenarios: Record<string, Scenario> = {
  async scramLogin(pg, env) {
    return using(pg, { ...env.main, user: env.scramUser, password: env.password, database: env.database, sslmode: 'disable' }, async (db) => {
      const { rows } = await db.query<{ user: string }>('select current_user as user')
      check(rows[0]?.user === env.scramUser, `current_user is ${rows[0]?.user}`)
      // A wrong password must be refused by SCRAM, not let in.
      try {
        await (await pg.connect({ ...env.main, user: env.scramUser, password: 'wrong', database: env.database, sslmode: 'disable' })).close()
        throw new Failed('a wrong password was accepted')
      } catch (error) {
        if (error instanceof Failed) throw error
        check(error instanceof pg.PgError && error.code === '28P01', `wrong password gave ${describeError(error)}`)
      }
      return { ok: true, detail: `logged in as ${rows[0].user}; wrong password refused (28P01)` }
    })
  },

  async passwordFile(pg, env) {
    const options = { ...env.main, user: env.scramUser, database: env.database, sslmode: 'disable', passfile: env.passfile }
    let db: Client
    try {
      db = await pg.connect(options)
    } catch (error) {
      // No file system (Workers): an explicit passfile is refused at once, clearly.
      if (error instanceof pg.ConfigError) return { ok: true, unsupported: describeError(error) }
      throw error
    }
    try {
      const { rows } = await db.query<{ user: string }>('select current_user as user')
      check(rows[0]?.user === env.scramUser, `current_user is ${rows[0]?.user}`)
    } finally {
      await db.close()
    }
    // A file open to group or others is ignored (with a warning), as libpq does.
    const loose = await pg.connect({ ...options, passfile: env.loosePassfile }).then(
      async (c) => {
        await c.close()
        return 'connected'
      },
      (error: unknown) => (error as { code?: string }).code,
    )
    check(loose === 'PGFLEET_NO_PASSWORD', `a 0644 password file gave ${loose}`)
    return { ok: true, detail: `SCRAM login with the password from ${env.passfile}; a 0644 copy ignored` }
  },

  async parameterized(pg, env) {
    return using(pg, { ...env.main, user: env.scramUser, password: env.password, database: env.database, sslmode: 'disable' }, async (db) => {
      const evil = "'); drop table x; --"
      const { rows } = await db.query<{ n: number; t: string; a: number[]; b: boolean; big: bigint | string; nul: null }>(
        'select $1::int + 1 as n, $2::text as t, $3::int[] as a, $4::bool as b, $5::int8 as big, $6::text as nul',
        [41, evil, [1, 2, 3], true, 9007199254740993n, null],
      )
      const row = rows[0]!
      check(row.n === 42, `n=${row.n}`)
      check(row.t === evil, `t=${row.t}`)
      check(JSON.stringify(row.a) === '[1,2,3]', `a=${JSON.stringify(row.a)}`)
      check(row.b === true, `b=${row.b}`)
      check(String(row.big) === '9007199254740993', `big=${String(row.big)}`)
      check(row.nul === null, `nul=${row.nul}`)
      return { ok: true, detail: 'int, text (with quotes), int[], bool, int8 beyond 2^53, null round-trip' }
    })
  },

  async pipelining(pg, env) {
    return using(pg, { ...env.main, user: env.scramUser, password: env.password, database: env.database, sslmode: 'disable' }, async (db) => {
      const n = 1000
      const started = Date.now()
      const results = await Promise.all(Array.from({ length: n }, (_, i) => db.query<{ i: number }>('select $1::int as i', [i])))
      const ms = Date.now() - started
      const wrong = results.findIndex((r, i) => r.rows.length !== 1 || r.rows[0]!.i !== i)
      check(wrong === -1, `result ${wrong} is ${JSON.stringify(results[wrong]?.rows)}`)
      const { rows } = await db.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where pid = pg_backend_pid()')
      check(rows[0]?.n === 1, 'one backend')
      return { ok: true, detail: `${n} concurrent queries on one connection in ${ms} ms, results in order` }
    })
  },

  async bigResult(pg, env) {
    return using(pg, { ...env.main, user: env.scramUser, password: env.password, database: env.database, sslmode: 'disable' }, async (db) => {
      const { rows, rowCount } = await db.query<{ i: number; s: string }>(
        "select i, repeat(chr(97 + i % 26), i % 100) || 'é' as s from generate_series(1, 10000) as i",
      )
      check(rows.length === 10000 && rowCount === 10000, `rows=${rows.length} rowCount=${rowCount}`)
      let chars = 0
      for (let k = 0; k < rows.length; k++) {
        const { i, s } = rows[k]!
        check(i === k + 1, `row ${k} has i=${i}`)
        check(s === String.fromCharCode(97 + (i % 26)).repeat(i % 100) + 'é', `row ${k} has s=${s}`)
        chars += s.length
      }
      return { ok: true, detail: `10000 rows in order, ${chars} characters intact` }
    })
  },

  /** numeric comes in binary on Node and in text on Bun (src/types/builtins.ts): both must give the server's own text. */
  async numericValues(pg, env) {
    return using(pg, { ...env.main, user: env.scramUser, password: env.password, database: env.database, sslmode: 'disable' }, async (db) => {
      const values = ['0', '0.000', '-0.5', '1e-20', '123456789012345678901234567890.123456789', '-99999.99990', 'NaN', 'Infinity', '-Infinity', '10000', '0.0001']
      const sql = `select v, v::text as t, array[v, null, 1.5]::numeric[] as a, array[v, null, 1.5]::numeric[]::text as at
        from unnest($1::numeric[]) with ordinality as u(v, n) order by n`
      const objects = await db.query<{ v: string; t: string; a: (string | null)[]; at: string }>(sql, [values])
      const arrays = await db.query(sql, [values], { rowMode: 'array' })
      check(objects.rows.length === values.length && arrays.rows.length === values.length, `rows=${objects.rows.length}/${arrays.rows.length}`)
      for (let i = 0; i < values.length; i++) {
        const { v, t, a, at } = objects.rows[i]!
        const row = arrays.rows[i] as unknown as unknown[]
        check(v === t && row[0] === t, `${values[i]}: object ${v}, array ${String(row[0])}, server ${t}`)
        check(`{${a.map((x) => x ?? 'NULL').join(',')}}` === at, `${values[i]}[]: ${JSON.stringify(a)}, server ${at}`)
      }
      // The registry decodes both formats on every runtime, whichever one it asks the server for.
      const registry = new pg.TypeRegistry()
      const binary = registry.decode(1700, 1, new Uint8Array([0, 2, 0, 0, 0, 0, 0, 4, 0, 1, 19, 136])) // 1.5000
      const text = registry.decode(1700, 0, new TextEncoder().encode('-0.25'))
      check(binary === '1.5000' && text === '-0.25', `registry: binary ${String(binary)}, text ${String(text)}`)
      return { ok: true, detail: `${values.length} numerics (NaN, ±Infinity, scale, 39 digits) as the server prints them, objects and arrays, and in numeric[]; the registry decodes both formats` }
    })
  },

  async errorThenUsable(pg, env) {
    return using(pg, { ...env.main, user: env.scramUser, password: env.password, database: env.database, sslmode: 'disable' }, async (db) => {
      let error: unknown
      const [before, failed, after] = await Promise.allSettled([
        db.query<{ x: number }>('select $1::int as x', [1]),
        db.query('select 1 / $1::int', [0]),
        db.query<{ x: number }>('select $1::int as x', [2]),
      ])
      if (failed.status === 'rejected') error = failed.reason
      check(error instanceof pg.PgError, `expected a PgError, got ${describeError(error)}`)
      check(error.code === '22012' && error.severity === 'ERROR', `code=${error.code} severity=${error.severity}`)
      check(before.status === 'fulfilled' && before.value.rows[0]!.x === 1, 'the query before the error failed')
      check(after.status === 'fulfilled' && after.value.rows[0]!.x === 2, 'the query pipelined after the error failed')
      const syntax = await db.query('selec 1').catch((e: unknown) => e)
      check(syntax instanceof pg.PgError && syntax.code === '42601', `syntax error gave ${describeError(syntax)}`)
      const { rows } = await db.query<{ ok: string }>("select 'still usable' as ok")
      check(rows[0]?.ok === 'still usable', 'connection unusable after errors')
      return { ok: true, detail: `${error.code} (${error.message}); neighbours in the pipeline unaffected; 42601 next; connection still usable` }
    })
  },

  async tlsVerifyFull(pg, env) {
    const outcome = await tlsAttempt(pg, {
      ...env.tls,
      user: env.scramUser,
      password: env.password,
      database: env.database,
      sslmode: 'verify-full',
      sslrootcert: env.caFromSystem ? 'system' : env.ca,
    })
    // verify-full with the CA must work on every runtime.
    if (outcome.unsupported) return { ok: false, error: outcome.unsupported }
    return { ...outcome, detail: `${outcome.detail} (${env.caFromSystem ? 'CA from SSL_CERT_FILE, as system roots' : 'sslrootcert as PEM text'})` }
  },

  async tlsUntrustedRefused(pg, env) {
    return refused(pg, env, env.tlsUntrusted, 'a certificate from an untrusted CA')
  },

  async tlsWrongNameRefused(pg, env) {
    return refused(pg, env, env.tlsWrongName, 'a certificate for another name')
  },

  async tlsRequireNoVerify(pg, env) {
    return tlsAttempt(pg, { ...env.tls, user: env.scramUser, password: env.password, database: env.database, sslmode: 'require' })
  },

  async tlsPreferUntrusted(pg, env) {
    // sslmode=prefer (the default) against a server whose CA nobody trusts:
    // libpq uses TLS without verification; where the runtime always verifies,
    // the failed handshake is followed by a plain attempt (libpq's prefer rule).
    return using(pg, { ...env.tlsUntrusted, user: env.scramUser, password: env.password, database: env.database, sslmode: 'prefer' }, async (db) => {
      const { rows } = await db.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()')
      check(rows[0]?.ssl === db.encrypted, `pg_stat_ssl says ${rows[0]?.ssl}, client says ${db.encrypted}`)
      return { ok: true, detail: db.encrypted ? 'connected over TLS (unverified)' : 'connected in clear after the TLS handshake failed', data: { encrypted: db.encrypted } }
    })
  },

  async tlsChannelBinding(pg, env) {
    return tlsAttempt(pg, {
      ...env.tls,
      user: env.scramUser,
      password: env.password,
      database: env.database,
      sslmode: 'verify-full',
      sslrootcert: env.caFromSystem ? 'system' : env.ca,
      channelBinding: 'require',
    }, async () => 'SCRAM-SHA-256-PLUS')
  },

  async tlsClientCert(pg, env) {
    return tlsAttempt(
      pg,
      {
        ...env.tls,
        user: env.certUser,
        database: env.database,
        sslmode: 'verify-full',
        sslrootcert: env.caFromSystem ? 'system' : env.ca,
        sslcert: env.clientCert,
        sslkey: env.clientKey,
      },
      async (db) => {
        const { rows } = await db.query<{ cn: string }>('select client_dn as cn from pg_stat_ssl where pid = pg_backend_pid()')
        return `client certificate ${rows[0]?.cn}`
      },
    )
  },

  async loadBalance(pg, env) {
    const options: Pgfleet.ClientOptions = {
      hosts: env.cluster.map((s) => `${s.host}:${s.port}`),
      user: env.scramUser,
      password: env.password,
      database: env.database,
      sslmode: 'disable',
      loadBalance: true,
      applicationName: env.lbTag,
    }
    const clients: Client[] = []
    try {
      for (let i = 0; i < 9; i++) clients.push(await pg.connect(options))
      const byClient: Record<string, number> = {}
      for (const c of clients) byClient[c.host.host] = (byClient[c.host.host] ?? 0) + 1
      const map = Object.fromEntries(pg.hostConnections(options))
      // The sessions are open: let the test count them on each server.
      const response = await fetch(env.checkpoint, { method: 'POST', body: JSON.stringify({ runtime: env.runtime, map, byClient }) })
      check(response.ok, `checkpoint answered ${response.status}`)
      const server = (await response.json()) as Record<string, number>
      const counts = (m: Record<string, number>) => env.cluster.map((s) => m[s.host] ?? 0).join('/')
      check(counts(map) === '3/3/3', `client map ${JSON.stringify(map)}`)
      check(counts(byClient) === '3/3/3', `sessions per host ${JSON.stringify(byClient)}`)
      check(counts(server) === '3/3/3', `pg_stat_activity ${JSON.stringify(server)}`)
      return { ok: true, detail: `client map ${counts(map)}, pg_stat_activity ${counts(server)}`, data: { map, byClient, server } }
    } finally {
      await Promise.all(clients.map((c) => c.close()))
    }
  },
}

/** Scenario names, in run order. */
export const scenarioNames = Object.keys(scenarios)

/** Run every scenario (one at a time, each bounded), never throwing. */
export async function runSmoke(pg: PgfleetModule, env: SmokeEnv, timeoutMs = 30_000): Promise<SmokeReport> {
  const results: Record<string, Outcome> = {}
  for (const [name, scenario] of Object.entries(scenarios)) {
    try {
      results[name] = await withTimeout(scenario(pg, env), timeoutMs, name)
    } catch (error) {
      results[name] = { ok: false, error: describeError(error) }
    }
  }
  return { runtime: env.runtime, results }
}
