/**
 * Process helpers for the test harness: run a command and collect its output,
 * run PostgreSQL's server programs as the `postgres` user when we are root
 * (the server refuses to run as root), and find the server binaries.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chown } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'

/** Output of a finished command. */
export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Options for {@link run}. */
export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Text written to the command's stdin (then closed). */
  input?: string
  /** Kill the command after this many milliseconds (default 60 s). */
  timeoutMs?: number
  /** Resolve with a non-zero exit code instead of rejecting. */
  allowFailure?: boolean
}

/**
 * Why psql (libpq's own client, the reference some tests compare pgfleet
 * with) cannot run here, or undefined when it can. The servers come from npm
 * packages that ship no psql; on a machine without it those tests are
 * skipped with this reason printed.
 */
export const psqlMissing: string | undefined = (() => {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore', timeout: 10_000 })
    return undefined
  } catch {
    return 'psql (libpq) is not installed'
  }
})()

/** True when this process runs as root (uid 0). */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

/**
 * Runs `cmd args` and resolves with its exit code and output. Rejects with an
 * error holding the output when the exit code is not 0 (unless allowFailure).
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const result = { code: code ?? -1, stdout, stderr }
      if (result.code === 0 || opts.allowFailure) return resolve(result)
      const how = signal ? `signal ${signal}` : `exit code ${code}`
      reject(new Error(`${cmd} ${args.join(' ')} failed (${how})\n${stderr}${stdout}`.trimEnd()))
    })
    child.stdin.on('error', () => {}) // the command may exit before reading its input
    child.stdin.end(opts.input ?? '')
  })
}

/**
 * Runs a PostgreSQL program as the `postgres` user when we are root
 * (`runuser -u postgres --`), directly otherwise.
 */
export function runAsPostgres(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return isRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args], opts) : run(cmd, args, opts)
}

let postgresIds: { uid: number; gid: number } | undefined

/** uid/gid of the `postgres` user (only looked up when root). */
function postgresUser(): { uid: number; gid: number } {
  if (!postgresIds) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    postgresIds = { uid, gid }
  }
  return postgresIds
}

/** Makes `path` owned by the `postgres` user when we are root; no-op otherwise. */
export async function chownToPostgres(path: string): Promise<void> {
  if (!isRoot) return
  const { uid, gid } = postgresUser()
  await chown(path, uid, gid)
}

const binDirCache = new Map<string, string>()

/** The PostgreSQL major version the suite runs against: $TEST_PG_VERSION, else 18. */
export function testMajor(): string {
  return process.env.TEST_PG_VERSION || '18'
}

/**
 * The PostgreSQL server bin directory for `major` (default {@link testMajor}):
 * $TEST_PG_BIN (an installed PostgreSQL), else the npm build that
 * scripts/ensure-postgres.mjs unpacks into the cache (installing it when
 * missing). Throws with that script's message when it cannot.
 */
export function pgBinDir(major = testMajor()): string {
  const cached = binDirCache.get(major)
  if (cached) return cached
  const script = fileURLToPath(new URL('../../scripts/ensure-postgres.mjs', import.meta.url))
  let out: string
  try {
    out = execFileSync(process.execPath, [script, major], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 })
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    throw new Error(`PostgreSQL ${major} server binaries unavailable: ${(e.stderr || e.message).trim()}`)
  }
  const dir = out.trim().split('\n').pop()!
  if (!existsSync(`${dir}/initdb`)) throw new Error(`PostgreSQL ${major}: ${dir} holds no initdb`)
  binDirCache.set(major, dir)
  return dir
}
