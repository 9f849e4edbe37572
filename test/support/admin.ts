/**
 * Server-side truth for tests, through `psql` as the trust superuser (never
 * through pgfleet itself): ad-hoc queries, live connection counts per node
 * from pg_stat_activity, and terminating a test's backends.
 */
import { run } from './proc.js'
import { DATABASE, SUPERUSER } from './users.js'

/** Options of {@link adminQuery}. */
export interface AdminQueryOptions {
  /** Database (default 'pgfleet'). */
  database?: string
  /**
   * psql variables (`-v name=value`), used in the SQL as :'name' (quoted
   * literal) or :"name" (quoted identifier), so values are never spliced in.
   */
  vars?: Record<string, string>
}

/**
 * Runs `sql` on host:port as the superuser (trust, no TLS) and returns the
 * rows of the last statement as arrays of text (NULL is ''). Rejects with
 * psql's error text when a statement fails.
 */
export async function adminQuery(host: string, port: number, sql: string, opts: AdminQueryOptions = {}): Promise<string[][]> {
  const args = ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-U', SUPERUSER, '-d', opts.database ?? DATABASE]
  for (const [name, value] of Object.entries(opts.vars ?? {})) args.push('-v', `${name}=${value}`)
  const res = await run('psql', args, {
    input: sql,
    timeoutMs: 30_000,
    env: { ...process.env, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '5', PGAPPNAME: 'pgfleet-admin', PGOPTIONS: '' },
  })
  return res.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'))
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
