/**
 * The template data directory every test server copies: initdb once, then
 * start it on a Unix socket only and create the roles (users.ts), the
 * `pgfleet` database and `yb_servers()` (topology.ts), then stop it cleanly.
 */
import { appendFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { BASE_CONF, confLines, fileTail, initdb, makePostgresDir, stopDataDir } from './pg-server.js'
import pg from 'pg'
import { pgBinDir, runAsPostgres } from './proc.js'
import { ybServersSql } from './topology.js'
import { DATABASE, databaseGrantsSql, hbaLines, rolesSql } from './users.js'
import { writeFile } from 'node:fs/promises'

const TEMPLATE_PORT = 5432

/**
 * Runs statements on the template through its socket as the superuser, one
 * query each on one session (CREATE DATABASE may not share a query string);
 * fails on the first error.
 */
async function sqlSocket(socketDir: string, database: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ host: socketDir, port: TEMPLATE_PORT, user: 'postgres', database, ssl: false, options: ' ', connectionTimeoutMillis: 10_000 })
  await client.connect()
  try {
    for (const sql of statements) await client.query(sql)
  } finally {
    await client.end().catch(() => {})
  }
}

/** The lines of a script whose statements each fit on one line. */
function lineStatements(sql: string): string[] {
  return sql.split('\n').filter((line) => line.trim() !== '')
}

/**
 * Builds the template of PostgreSQL `major` (default the suite's) in
 * `<baseDir>/<dirName>` and returns its data directory.
 * yb_servers() will read topology files from `topologyDir`.
 */
export async function buildTemplate(baseDir: string, topologyDir: string, major?: string, dirName = major === undefined ? 'template' : `template-${major}`): Promise<string> {
  const dir = join(baseDir, dirName)
  const dataDir = join(dir, 'data')
  const logFile = join(dir, 'postgres.log')
  await makePostgresDir(dir)
  await initdb(dataDir, baseDir, major)
  await appendFile(
    join(dataDir, 'postgresql.conf'),
    confLines({ ...BASE_CONF, listen_addresses: '', unix_socket_directories: dir, port: String(TEMPLATE_PORT) }),
  )
  await writeFile(join(dataDir, 'pg_hba.conf'), hbaLines(false).join('\n') + '\n')
  const started = await runAsPostgres(join(pgBinDir(major), 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'], {
    cwd: baseDir,
    allowFailure: true,
  })
  if (started.code !== 0) {
    throw new Error(`template server failed to start:\n${started.stderr}\n--- ${logFile} ---\n${await fileTail(logFile)}`)
  }
  try {
    const fn = ybServersSql(topologyDir)
    // template1 first, so the database created next inherits yb_servers().
    await sqlSocket(dir, 'template1', [fn])
    await sqlSocket(dir, 'postgres', [fn, ...lineStatements(rolesSql())])
    await sqlSocket(dir, DATABASE, [databaseGrantsSql])
    // A clean shutdown (checkpoint) so that copies start without recovery.
    await runAsPostgres(join(pgBinDir(major), 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], { cwd: baseDir })
  } catch (err) {
    await stopDataDir(dataDir, baseDir)
    throw new Error(`template setup failed: ${(err as Error).message}\n--- ${logFile} ---\n${await fileTail(logFile)}`)
  }
  await rm(logFile, { force: true })
  return dataDir
}
