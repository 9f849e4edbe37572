/**
 * Run libpq itself (psql) and pgfleet on the same connection settings and
 * classify each outcome the same way, for differential TLS tests.
 *
 * psql runs with HOME set to an empty directory and no PG* variables, so
 * libpq sees no ~/.postgresql/root.crt (nor client certificate); pgfleet gets
 * the same home directory through its runtime, so both sides look for the
 * same default files.
 */
import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type ClientOptions } from '../../src/index.js'
import { defaultRuntime, type RuntimeEnvironment } from '../../src/runtime.js'

/** What one connection attempt came to. */
export type Outcome = 'encrypted' | 'clear' | 'refused'

/** An outcome with the first line of the error, when refused. */
export interface Observed {
  outcome: Outcome
  detail: string
}

/** The server's own view of the session's encryption. */
export const SSL_QUERY = 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'

/** An empty directory to use as HOME. */
export function emptyHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pgfleet-home-'))
}

/** Quote a conninfo value (libpq keyword=value syntax). */
function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** Run `psql` with a libpq conninfo built from `params` and the SSL query. */
export function runPsql(params: Record<string, string | number>, home: string, env: Record<string, string> = {}): Promise<Observed> {
  const conninfo = Object.entries(params)
    .map(([k, v]) => `${k}=${conninfoValue(String(v))}`)
    .join(' ')
  return new Promise((resolve) => {
    execFile(
      'psql',
      [conninfo, '-XAtc', SSL_QUERY],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PGCONNECT_TIMEOUT: '5', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) {
          const line = stderr.split('\n').find((l) => l.trim() !== '') ?? String(error.message)
          resolve({ outcome: 'refused', detail: line.replace(/^psql: (error: )?/, '').trim() })
          return
        }
        const value = stdout.trim()
        resolve({ outcome: value === 't' ? 'encrypted' : value === 'f' ? 'clear' : 'refused', detail: value })
      },
    )
  })
}

/** The installed Node runtime with HOME replaced (for libpq's ~/.postgresql defaults). */
export function runtimeWithHome(home: string): RuntimeEnvironment {
  const base = defaultRuntime()
  return { ...base, homeDir: () => home, env: () => ({}) }
}

/**
 * connect() with pgfleet, then the SSL query. Also checks that the client's
 * own view (`encrypted`) agrees with the server's.
 */
export async function runPgfleet(options: ClientOptions, home: string): Promise<Observed> {
  let client
  try {
    client = await connect({ connectTimeout: 5000, ...options, runtime: runtimeWithHome(home) })
  } catch (error) {
    const e = error as Error & { code?: string }
    return { outcome: 'refused', detail: `${e.name} ${e.code ?? ''}: ${e.message.split('\n')[0]}` }
  }
  try {
    const { rows } = await client.query<{ ssl: boolean }>(SSL_QUERY)
    const ssl = rows[0]?.ssl
    if (ssl !== client.encrypted) return { outcome: 'refused', detail: `client says encrypted=${client.encrypted}, server says ${ssl}` }
    return { outcome: ssl ? 'encrypted' : 'clear', detail: '' }
  } finally {
    await client.close()
  }
}

/** Run `tasks` with at most `limit` in flight, keeping their order. */
export async function inBatches<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++
      out[i] = await tasks[i]!()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return out
}
