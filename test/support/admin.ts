/**
 * Server-side truth for tests, through node-postgres (`pg`, a dev
 * dependency; never through pgfleet itself) as the trust superuser: ad-hoc
 * queries, live connection counts per node from pg_stat_activity, and
 * terminating a test's backends. No psql needed: the servers come from npm
 * packages that ship none.
 */
import pg from 'pg'
import { DATABASE, SUPERUSER } from './users.js'

/** Options of {@link adminQuery}. */
export interface AdminQueryOptions {
  /** Database (default 'pgfleet'). */
  database?: string
  /**
   * Variables used in the SQL as :'name' (quoted literal) or :"name" (quoted
   * identifier), as psql's -v does, so values are never spliced in unquoted.
   */
  vars?: Record<string, string>
}

const textParsers = { getTypeParser: () => (value: string) => value }

/**
 * Runs `sql` (one or more statements, simple query protocol) as `user`
 * (default the superuser; trust, no TLS) on host:port, where host may be a
 * Unix socket directory, and returns the rows of the last statement as arrays
 * of text (NULL is ''). Rejects with the server's error when a statement fails.
 */
export async function adminQuery(host: string, port: number, sql: string, opts: AdminQueryOptions & { user?: string } = {}): Promise<string[][]> {
  const client = new pg.Client({
    host,
    port,
    user: opts.user ?? SUPERUSER,
    database: opts.database ?? DATABASE,
    ssl: false,
    password: '',
    application_name: 'pgfleet-admin',
    // Not '' (pg would read $PGOPTIONS then): a test's PGOPTIONS must not reach admin sessions.
    options: ' ',
    connectionTimeoutMillis: 5000,
    query_timeout: 30_000,
  })
  await client.connect()
  try {
    const vars = opts.vars ?? {}
    const text = sql.replace(/:(['"])(\w+)\1/g, (whole, quote: string, name: string) => {
      const value = vars[name]
      if (value === undefined) return whole
      return quote === "'" ? client.escapeLiteral(value) : client.escapeIdentifier(value)
    })
    const res = (await client.query({ text, rowMode: 'array', types: textParsers })) as pg.QueryResult | pg.QueryResult[]
    const last = Array.isArray(res) ? res[res.length - 1] : res
    return (last?.rows ?? []).map((row: unknown[]) => row.map((v) => (v === null ? '' : String(v))))
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Number of client backends with this application_name on each node, keyed
 * by node host (the hosts must be distinct).
 */
export async function serverConnectionCounts(
  nodes: ReadonlyArray<{ host: string; port: number }>,
  applicationName: string,
): Promise<Map<string, number>> {
  const hosts = new Set(nodes.map((n) => n.host))
  if (hosts.size !== nodes.length) throw new Error('serverConnectionCounts: nodes must have distinct hosts')
  const counts = await Promise.all(
    nodes.map(async (n) => {
      const rows = await adminQuery(
        n.host,
        n.port,
        `select count(*) from pg_stat_activity where application_name = :'app' and backend_type = 'client backend'`,
        { vars: { app: applicationName }, database: 'postgres' },
      )
      return [n.host, Number(rows[0]?.[0])] as const
    }),
  )
  return new Map(counts)
}

/**
 * pg_terminate_backend() on every client backend of host:port with this
 * application_name; resolves with how many were signalled.
 */
export async function terminateBackends(host: string, port: number, applicationName: string): Promise<number> {
  const rows = await adminQuery(
    host,
    port,
    `select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity
     where application_name = :'app' and backend_type = 'client backend' and pid <> pg_backend_pid()`,
    { vars: { app: applicationName }, database: 'postgres' },
  )
  return Number(rows[0]?.[0])
}

/**
 * Polls serverConnectionCounts until `expected` (host → count; hosts not
 * listed must be 0) holds or `timeoutMs` passes; resolves with the last counts.
 * Backends end asynchronously after a client closes, hence the wait.
 */
export async function waitForConnectionCounts(
  nodes: ReadonlyArray<{ host: string; port: number }>,
  applicationName: string,
  expected: ReadonlyMap<string, number> | Record<string, number>,
  timeoutMs = 5000,
): Promise<Map<string, number>> {
  const want = expected instanceof Map ? expected : new Map(Object.entries(expected))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const counts = await serverConnectionCounts(nodes, applicationName)
    const ok = [...counts].every(([host, n]) => n === (want.get(host) ?? 0))
    if (ok || Date.now() > deadline) return counts
    await new Promise((r) => setTimeout(r, 50))
  }
}
