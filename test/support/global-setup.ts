/**
 * vitest global setup of the `integration` project: starts the PostgreSQL
 * test cluster once (18, or $TEST_PG_VERSION; servers from npm, see
 * scripts/ensure-postgres.mjs) (see cluster.ts for the layout), provides its facts as
 * `inject('pg')`, and stops and removes everything afterwards. Fails loudly,
 * with the server log tail, when anything does not come up.
 *
 * Runs exclusively: a lock file makes a second concurrent run wait, since
 * the ports are fixed. Leftovers of runs that died (servers still up, dirs)
 * are cleaned first.
 */
import { mkdir, open, readFile, readdir, rm, unlink, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import './context.js'
import { makeCerts } from './certs.js'
import { startMainCluster, type HarnessInfo } from './cluster.js'
import { makePostgresDir, stopDataDir } from './pg-server.js'
import { pgBinDir } from './proc.js'
import { buildTemplate } from './template.js'
import { writeTopology } from './topology.js'
import { defaultTopologyOf, MAIN_PORT } from './cluster.js'

const LOCK = join(tmpdir(), 'pgfleet-test.lock')
const PREFIX = 'pgfleet-test-'
const LOCK_WAIT_MS = 15 * 60_000

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the run lock, waiting for a live holder and breaking a dead one's. */
async function acquireLock(): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS
  let told = false
  for (;;) {
    try {
      const fh = await open(LOCK, 'wx')
      await fh.writeFile(String(process.pid))
      await fh.close()
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = Number((await readFile(LOCK, 'utf8').catch(() => '')).trim())
    if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
      await unlink(LOCK).catch(() => {})
      continue
    }
    if (Date.now() > deadline) throw new Error(`another integration run (pid ${holder}) holds ${LOCK}`)
    if (!told) {
      console.warn(`[pgfleet harness] waiting for another integration run (pid ${holder}) to finish`)
      told = true
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}

async function releaseLock(): Promise<void> {
  const holder = (await readFile(LOCK, 'utf8').catch(() => '')).trim()
  if (holder === String(process.pid)) await unlink(LOCK).catch(() => {})
}

/** Stops every server whose data dir is `<dir>/<node>/data`. */
async function stopAllUnder(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[])
  await Promise.allSettled(entries.map((e) => stopDataDir(join(dir, e, 'data'), dir)))
}

/** Removes leftovers of dead runs: their servers and directories. */
async function sweepStale(): Promise<void> {
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue
    const pid = Number(entry.slice(PREFIX.length))
    if (Number.isInteger(pid) && pid !== process.pid && pidAlive(pid)) continue
    const dir = join(tmpdir(), entry)
    await stopAllUnder(dir)
    await rm(dir, { recursive: true, force: true })
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now()
  const binDir = pgBinDir()
  await acquireLock()
  const tLocked = Date.now()
  const baseDir = join(tmpdir(), `${PREFIX}${process.pid}`)
  const teardown = async (): Promise<void> => {
    await stopAllUnder(baseDir)
    await rm(baseDir, { recursive: true, force: true })
    await releaseLock()
  }
  try {
    await sweepStale()
    await makePostgresDir(baseDir, 0o755)
    await chmod(baseDir, 0o755)
    const topologyDir = join(baseDir, 'topology')
    await mkdir(topologyDir, { mode: 0o755 })
    const mainHosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((host) => ({ host, port: MAIN_PORT }))
    const [templateDir, certs] = await Promise.all([
      buildTemplate(baseDir, topologyDir),
      makeCerts(join(baseDir, 'certs')),
      writeTopology(topologyDir, 'default', defaultTopologyOf(mainHosts)),
    ])
    const tTemplate = Date.now()
    const { info } = await startMainCluster({ baseDir, templateDir, topologyDir, certs })
    const major = (await readFile(join(templateDir, 'PG_VERSION'), 'utf8')).trim()
    const harnessInfo: HarnessInfo = { baseDir, binDir, major, templateDir, topologyDir, certs, ...info }
    project.provide('pg', harnessInfo)
    if (process.env.PGFLEET_HARNESS_VERBOSE) {
      console.log(
        `[pgfleet harness] cluster up at ${baseDir}: lock wait ${tLocked - t0} ms, template+certs ${tTemplate - tLocked} ms, servers ${Date.now() - tTemplate} ms`,
      )
    }
  } catch (err) {
    await teardown()
    throw err
  }
  return teardown
}
