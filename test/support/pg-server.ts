/**
 * One real PostgreSQL server for tests: its data directory is a copy of a
 * prepared template (fast; initdb per node is too slow on 2 cores), a
 * streaming standby (another copy of it), or a fresh initdb. Settings are
 * appended to postgresql.conf (later lines win), pg_hba.conf is rewritten.
 * Server programs run as `postgres` when we are root.
 */
import { appendFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chownToPostgres, pgBinDir, run, runAsPostgres } from './proc.js'
import { hbaLines } from './users.js'

/** Certificate files a TLS server uses (paths readable by the server). */
export interface ServerTlsFiles {
  cert: string
  key: string
  /** CA for client certificates (cert auth). */
  ca: string
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Directory name under baseDir; also used in messages. */
  name: string
  /** A 127.0.0.x address to listen on (only that one). */
  host: string
  port: number
  /** Parent directory (owned by postgres). The node lives in `<baseDir>/<name>`. */
  baseDir: string
  /** ssl = on; needs `tls`. Default false. */
  ssl?: boolean
  tls?: ServerTlsFiles
  /** More postgresql.conf settings; values are written verbatim after quoting. */
  extraConf?: Record<string, string>
  /** pg_hba.conf lines; default {@link hbaLines}(ssl). */
  hba?: string[]
  /** Data directory to copy (`cp -a`) instead of running initdb. */
  template?: string
  /** Make `template`'s copy a streaming standby of this server (the primary copies the same template). */
  standbyOf?: { host: string; port: number }
  /** Do not start yet (call start()). Default false. */
  noStart?: boolean
  /** PostgreSQL major version (default the suite's, $TEST_PG_VERSION or 18); a template must be of the same version. */
  major?: string
}

/** Serializable facts about a server (what global setup provides to tests). */
export interface NodeInfo {
  name: string
  host: string
  port: number
  dataDir: string
  /** Unix socket directory (socket `.s.PGSQL.<port>`). */
  socketDir: string
  logFile: string
  ssl: boolean
}

/** A running (or stopped) test server. */
export interface PgServer extends NodeInfo {
  /** Postmaster pid while running (from postmaster.pid), else undefined. */
  readonly pid: number | undefined
  /** Starts the server and waits until it accepts connections (pg_ctl -w). */
  start(): Promise<void>
  /** `pg_ctl -m immediate stop`: backends die at once, no shutdown checkpoint. No-op if stopped. */
  stop(): Promise<void>
  /** SIGKILL the postmaster and all its children (a crash); waits until they are gone. */
  kill(): Promise<void>
  /** stop() then start(). */
  restart(): Promise<void>
  /** The last `lines` lines of the server log. */
  logTail(lines?: number): Promise<string>
  /** Plain serializable facts. */
  info(): NodeInfo
}

/** Settings every test server gets (2-core machine: keep it small). */
export const BASE_CONF: Record<string, string> = {
  shared_buffers: '16MB',
  max_connections: '200',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  autovacuum: 'off',
  huge_pages: 'off',
  wal_level: 'replica',
  max_wal_senders: '10',
  hot_standby: 'on',
  max_wal_size: '64MB',
  // A standby copies the template and streams from its checkpoint on.
  wal_keep_size: '256MB',
  min_wal_size: '8MB',
  log_min_messages: 'warning',
  log_line_prefix: "'%m [%p] %q%u@%d '",
}

/** postgresql.conf lines for settings; values that are not simple words are quoted. */
export function confLines(settings: Record<string, string>): string {
  return (
    Object.entries(settings)
      .map(([k, v]) => {
        const quoted = /^'.*'$/s.test(v) ? v : `'${v.replace(/'/g, "''")}'`
        return `${k} = ${quoted}`
      })
      .join('\n') + '\n'
  )
}

/** Makes a directory owned by postgres (mode 0700 unless given). */
export async function makePostgresDir(path: string, mode = 0o700): Promise<void> {
  await mkdir(path, { recursive: true, mode })
  await chownToPostgres(path)
}

/** Runs initdb of PostgreSQL `major` (default the suite's) into `dataDir` (superuser postgres, trust, UTF8, C locale, 1 MB WAL segments). */
export async function initdb(dataDir: string, cwd: string, major?: string): Promise<void> {
  const program = join(pgBinDir(major), 'initdb')
  // --no-instructions is PostgreSQL 14+.
  const version = Number(/(\d+)/.exec(execFileSync(program, ['--version'], { encoding: 'utf8' }))?.[1])
  await runAsPostgres(
    program,
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '-N', '--wal-segsize=1', ...(version >= 14 ? ['--no-instructions'] : [])],
    { cwd, timeoutMs: 120_000 },
  )
}

async function readPid(dataDir: string): Promise<number | undefined> {
  try {
    const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8')
    const pid = Number(text.split('\n')[0])
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/** Linux has /proc; macOS does not (there `ps` and signal 0 stand in). */
const HAS_PROC = existsSync('/proc/self/stat')

/** True if `pid` runs (on Linux a zombie counts as gone: PID 1 of a container may never reap it). */
function alive(pid: number): boolean {
  if (!HAS_PROC) {
    try {
      process.kill(pid, 0)
      return true
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM'
    }
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Pids of the direct children of `pid` (from /proc/<n>/stat). */
async function childrenOf(pid: number): Promise<number[]> {
  if (!HAS_PROC) {
    const { stdout } = await run('ps', ['-A', '-o', 'pid=,ppid='])
    return stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter(([child, parent]) => parent === pid && Number.isInteger(child))
      .map(([child]) => child!)
  }
  const out: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8')
      // Field 4 (ppid) follows the ")" that closes the command name.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[1]) === pid) out.push(Number(entry))
    } catch {
      // process ended meanwhile
    }
  }
  return out
}

/** Last `lines` lines of a file ('' if missing). */
export async function fileTail(path: string, lines = 40): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-lines - 1).join('\n')
  } catch {
    return ''
  }
}

/** The server bin dir for a data directory: of the major version in its PG_VERSION file. */
export function binDirOf(dataDir: string): string {
  let major: string | undefined
  try {
    major = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim()
  } catch {
    // not initialised (yet): the suite's version
  }
  return pgBinDir(major)
}

/** pg_ctl stop -m immediate on a data directory, if a server runs there. */
export async function stopDataDir(dataDir: string, cwd: string): Promise<void> {
  const pid = await readPid(dataDir)
  if (pid === undefined || !alive(pid)) return
  await runAsPostgres(join(binDirOf(dataDir), 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], {
    cwd,
    allowFailure: true,
  })
}

/**
 * Creates (copy of template, standby, or initdb), configures and starts a
 * server. On failure the error holds the server log tail.
 */
export async function startServer(opts: StartServerOptions): Promise<PgServer> {
  const bin = pgBinDir(opts.major)
  const nodeDir = join(opts.baseDir, opts.name)
  const dataDir = join(nodeDir, 'data')
  const logFile = join(nodeDir, 'postgres.log')
  const ssl = opts.ssl ?? false
  if (ssl && !opts.tls) throw new Error(`startServer ${opts.name}: ssl needs tls files`)
  if (!/^127\.\d+\.\d+\.\d+$/.test(opts.host)) throw new Error(`startServer ${opts.name}: host must be 127.x.x.x`)
  if (existsSync(dataDir)) throw new Error(`startServer ${opts.name}: ${dataDir} exists`)
  await makePostgresDir(nodeDir)

  if (opts.standbyOf) {
    // No pg_basebackup (the npm builds ship only initdb, pg_ctl and postgres):
    // the primary is a copy of the same cleanly shut down template, so a second
    // copy that starts in standby mode is a base backup taken at the
    // template's checkpoint; it streams the primary's WAL from there on
    // (the primary keeps it: wal_keep_size in BASE_CONF).
    if (!opts.template) throw new Error(`startServer ${opts.name}: a standby needs the primary's template`)
    await run('cp', ['-a', opts.template, dataDir])
    await writeFile(join(dataDir, 'standby.signal'), '')
    await chownToPostgres(join(dataDir, 'standby.signal'))
  } else if (opts.template) {
    // cp -a keeps the template's owner (postgres) and mode 0700.
    await run('cp', ['-a', opts.template, dataDir])
  } else {
    await initdb(dataDir, opts.baseDir, opts.major)
    await appendFile(join(dataDir, 'postgresql.conf'), confLines(BASE_CONF))
  }

  const conf: Record<string, string> = {
    listen_addresses: opts.host,
    port: String(opts.port),
    unix_socket_directories: nodeDir,
    ssl: ssl ? 'on' : 'off',
  }
  if (opts.tls) {
    conf.ssl_cert_file = opts.tls.cert
    conf.ssl_key_file = opts.tls.key
    conf.ssl_ca_file = opts.tls.ca
  }
  if (opts.standbyOf) {
    conf.primary_conninfo = `host=${opts.standbyOf.host} port=${opts.standbyOf.port} user=postgres sslmode=disable application_name=${opts.name}`
  }
  Object.assign(conf, opts.extraConf ?? {})
  await appendFile(join(dataDir, 'postgresql.conf'), `\n# pgfleet test node ${opts.name}\n` + confLines(conf))
  await writeFile(join(dataDir, 'pg_hba.conf'), (opts.hba ?? hbaLines(ssl)).join('\n') + '\n')
  await chownToPostgres(join(dataDir, 'pg_hba.conf'))

  const info: NodeInfo = { name: opts.name, host: opts.host, port: opts.port, dataDir, socketDir: nodeDir, logFile, ssl }
  let pidCache: number | undefined

  const server: PgServer = {
    ...info,
    get pid() {
      return pidCache !== undefined && alive(pidCache) ? pidCache : undefined
    },
    async start() {
      const res = await runAsPostgres(
        join(bin, 'pg_ctl'),
        ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'],
        { cwd: opts.baseDir, allowFailure: true, timeoutMs: 90_000 },
      )
      if (res.code !== 0) {
        throw new Error(
          `PostgreSQL ${opts.name} (${opts.host}:${opts.port}) failed to start:\n${res.stdout}${res.stderr}\n` +
            `--- ${logFile} ---\n${await fileTail(logFile)}`,
        )
      }
      pidCache = await readPid(dataDir)
    },
    async stop() {
      await stopDataDir(dataDir, opts.baseDir)
      pidCache = undefined
    },
    async kill() {
      const pid = pidCache ?? (await readPid(dataDir))
      if (pid === undefined || !alive(pid)) return
      // Stop the postmaster first so it cannot fork more, then its children.
      process.kill(pid, 'SIGSTOP')
      const victims = [pid, ...(await childrenOf(pid))]
      for (const p of victims) {
        try {
          process.kill(p, 'SIGKILL')
        } catch {
          // already gone
        }
      }
      const deadline = Date.now() + 10_000
      while (victims.some(alive)) {
        if (Date.now() > deadline) throw new Error(`${opts.name}: processes ${victims.filter(alive)} survive SIGKILL`)
        await new Promise((r) => setTimeout(r, 20))
      }
      // The dead postmaster stays a zombie until its parent (PID 1) reaps it,
      // and PostgreSQL's lock-file check (kill(pid, 0)) counts a zombie as a
      // running postmaster. Wait for the reaping; if it does not come, drop
      // the lock files ourselves (every process of this server is dead).
      const reaped = Date.now() + 3000
      while (existsSync(`/proc/${pid}`) && Date.now() < reaped) await new Promise((r) => setTimeout(r, 20))
      if (existsSync(`/proc/${pid}`)) {
        await rm(join(dataDir, 'postmaster.pid'), { force: true })
        await rm(join(nodeDir, `.s.PGSQL.${opts.port}.lock`), { force: true })
      }
      pidCache = undefined
    },
    async restart() {
      await server.stop()
      await server.start()
    },
    logTail(lines = 40) {
      return fileTail(logFile, lines)
    },
    info() {
      return { ...info }
    },
  }
  if (!opts.noStart) await server.start()
  return server
}

/** True if `path` exists and is a directory. */
export async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}
