/**
 * The template data directory every test server copies: initdb once, then
 * start it on a Unix socket only and create the roles (users.ts), the
 * `pgfleet` database and `yb_servers()` (topology.ts), then stop it cleanly.
 */
import { appendFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { BASE_CONF, confLines, fileTail, initdb, makePostgresDir, stopDataDir } from './pg-server.js'
import { pgBinDir, run, runAsPostgres } from './proc.js'
import { ybServersSql } from './topology.js'
import { DATABASE, databaseGrantsSql, hbaLines, rolesSql } from './users.js'
import { writeFile } from 'node:fs/promises'

const TEMPLATE_PORT = 5432

/** Runs SQL on the template through its socket as the superuser; fails on the first error. */
async function psqlSocket(socketDir: string, database: string, sql: string): Promise<void> {
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(TEMPLATE_PORT), '-U', 'postgres', '-d', database], {
    input: sql,
    timeoutMs: 60_000,
  })
}

/**
 * Builds the template in `<baseDir>/template` and returns its data directory.
 * yb_servers() will read topology files from `topologyDir`.
 */
export async function buildTemplate(baseDir: string, topologyDir: string): Promise<string> {
  const dir = join(baseDir, 'template')
  const dataDir = join(dir, 'data')
  const logFile = join(dir, 'postgres.log')
  await makePostgresDir(dir)
  await initdb(dataDir, baseDir)
  await appendFile(
    join(dataDir, 'postgresql.conf'),
    confLines({ ...BASE_CONF, listen_addresses: '', unix_socket_directories: dir, port: String(TEMPLATE_PORT) }),
  )
  await writeFile(join(dataDir, 'pg_hba.conf'), hbaLines(false).join('\n') + '\n')
  const started = await runAsPostgres(join(pgBinDir(), 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'], {
    cwd: baseDir,
    allowFailure: true,
  })
  if (started.code !== 0) {
    throw new Error(`template server failed to start:\n${started.stderr}\n--- ${logFile} ---\n${await fileTail(logFile)}`)
  }
  try {
    const fn = ybServersSql(topologyDir)
    // template1 first, so the database created next inherits yb_servers().
    await psqlSocket(dir, 'template1', fn)
    await psqlSocket(dir, 'postgres', fn + rolesSql())
    await psqlSocket(dir, DATABASE, databaseGrantsSql)
    // A clean shutdown (checkpoint) so that copies start without recovery.
    await runAsPostgres(join(pgBinDir(), 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], { cwd: baseDir })
  } catch (err) {
    await stopDataDir(dataDir, baseDir)
    throw new Error(`template setup failed: ${(err as Error).message}\n--- ${logFile} ---\n${await fileTail(logFile)}`)
  }
  await rm(logFile, { force: true })
  return dataDir
}
