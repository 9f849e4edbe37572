/**
 * Differential test of the sslmode policy against libpq itself: for every
 * sslmode × server (TLS off, TLS on with a good / wrong-name / untrusted-CA
 * certificate) × sslrootcert (given or not), psql and pgfleet must end the
 * same way: connected encrypted, connected in clear, or refused. The server's
 * pg_stat_ssl is the judge of "encrypted".
 *
 * Both sides run with an empty HOME (no ~/.postgresql/root.crt) and no PG*
 * variables. A second case puts the CA in ~/.postgresql/root.crt, where libpq
 * (and pgfleet) verify the chain even under sslmode=require.
 */
import { mkdir, copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { harness, DATABASE, TRUST_USER, type NodeInfo } from '../support/harness.js'
import { emptyHome, inBatches, runPgfleet, runPsql, type Observed, type Outcome } from '../support/libpq.js'
import { psqlMissing } from '../support/proc.js'
import type { SslMode } from '../../src/config/types.js'

const SSLMODES: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
type ServerKind = 'tls-off' | 'good' | 'wrong-name' | 'untrusted'

interface Cell {
  server: ServerKind
  sslmode: SslMode
  rootcert: boolean
}

/** What libpq's documentation (and fe-connect.c) says each cell must do. */
function expected({ server, sslmode, rootcert }: Cell): Outcome {
  if (sslmode === 'disable') return 'clear'
  if (server === 'tls-off') return ['allow', 'prefer'].includes(sslmode) ? 'clear' : 'refused'
  // allow tries clear text first, and the servers accept it.
  if (sslmode === 'allow') return 'clear'
  const verifying = sslmode === 'verify-ca' || sslmode === 'verify-full'
  if (verifying && !rootcert) return 'refused'
  // A root certificate that is present is used: require and prefer verify the chain too.
  const chainChecked = rootcert
  const chainOk = server !== 'untrusted'
  const nameOk = server !== 'wrong-name'
  const handshakeOk = (!chainChecked || chainOk) && (sslmode !== 'verify-full' || nameOk)
  if (handshakeOk) return 'encrypted'
  // prefer retries in clear after a failed handshake.
  return sslmode === 'prefer' ? 'clear' : 'refused'
}

function serverOf(kind: ServerKind): NodeInfo {
  const { tls } = harness()
  return kind === 'tls-off' ? tls.off : kind === 'good' ? tls.good : kind === 'wrong-name' ? tls.wrongName : tls.untrusted
}

const cells: Cell[] = []
for (const server of ['tls-off', 'good', 'wrong-name', 'untrusted'] as const)
  for (const sslmode of SSLMODES) for (const rootcert of [false, true]) cells.push({ server, sslmode, rootcert })

interface Row extends Cell {
  libpq: Observed
  pgfleet: Observed
}

async function runCell(cell: Cell, home: string): Promise<Row> {
  const node = serverOf(cell.server)
  const ca = harness().certs.ca.cert
  const params: Record<string, string | number> = {
    host: node.host,
    port: node.port,
    user: TRUST_USER,
    dbname: DATABASE,
    sslmode: cell.sslmode,
    ...(cell.rootcert ? { sslrootcert: ca } : {}),
  }
  const [libpq, pgfleet] = await Promise.all([
    runPsql(params, home),
    runPgfleet(
      {
        host: node.host,
        port: node.port,
        user: TRUST_USER,
        database: DATABASE,
        sslmode: cell.sslmode,
        ...(cell.rootcert ? { sslrootcert: ca } : {}),
      },
      home,
    ),
  ])
  return { ...cell, libpq, pgfleet }
}

function table(rows: Row[]): string {
  const header = ['server', 'sslmode', 'sslrootcert', 'libpq (psql 15)', 'pgfleet', 'agree']
  const lines = rows.map((r) => [
    r.server,
    r.sslmode,
    r.rootcert ? 'CA' : '-',
    r.libpq.outcome,
    r.pgfleet.outcome,
    r.libpq.outcome === r.pgfleet.outcome ? 'yes' : 'NO',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cols: string[]): string => `| ${cols.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n')
}

if (psqlMissing) console.warn(`sslmode matrix skipped: ${psqlMissing}`)

describe.skipIf(psqlMissing)('sslmode matrix: pgfleet vs libpq', () => {
  let home: string
  beforeAll(async () => {
    home = await emptyHome()
  })

  it('every cell ends the same way for psql and pgfleet, and as libpq documents', async () => {
    const started = performance.now()
    const rows = await inBatches(
      cells.map((cell) => () => runCell(cell, home)),
      6,
    )
    console.log(`sslmode matrix (${cells.length} cells, ${Math.round(performance.now() - started)} ms)\n${table(rows)}`)
    for (const row of rows) {
      const label = `${row.server} sslmode=${row.sslmode} rootcert=${row.rootcert} (libpq: ${row.libpq.detail}; pgfleet: ${row.pgfleet.detail})`
      expect(row.pgfleet.outcome, label).toBe(row.libpq.outcome)
      expect(row.libpq.outcome, label).toBe(expected(row))
    }
    // Refusals carry typed errors: certificate problems are TlsErrors, never a silent clear-text fallback.
    const refused = rows.filter((r) => r.pgfleet.outcome === 'refused' && r.server !== 'tls-off')
    for (const r of refused) expect(r.pgfleet.detail).toMatch(/^TlsError PGFLEET_TLS_(CERTIFICATE|FILES)/)
    const off = rows.filter((r) => r.pgfleet.outcome === 'refused' && r.server === 'tls-off')
    // (verify-* without a root certificate: pgfleet loads the options before dialling and
    // names the missing file; libpq reports the server's 'N' first. Both refuse.)
    for (const r of off) expect(r.pgfleet.detail).toMatch(/server does not support SSL|root certificate/)
  })

  it('a CA in ~/.postgresql/root.crt is used as libpq does (require verifies the chain)', async () => {
    const withRoot = await emptyHome()
    await mkdir(join(withRoot, '.postgresql'))
    await copyFile(harness().certs.ca.cert, join(withRoot, '.postgresql', 'root.crt'))
    const cases: Cell[] = (['good', 'untrusted'] as const).flatMap((server) =>
      (['prefer', 'require', 'verify-ca'] as const).map((sslmode) => ({ server, sslmode, rootcert: false })),
    )
    const rows = await inBatches(
      cases.map((cell) => () => runCell(cell, withRoot)),
      6,
    )
    console.log(`with ~/.postgresql/root.crt = test CA\n${table(rows)}`)
    for (const row of rows) {
      const label = `${row.server} sslmode=${row.sslmode} (libpq: ${row.libpq.detail}; pgfleet: ${row.pgfleet.detail})`
      expect(row.pgfleet.outcome, label).toBe(row.libpq.outcome)
      // The default root certificate behaves exactly like sslrootcert=CA.
      expect(row.libpq.outcome, label).toBe(expected({ ...row, rootcert: true }))
    }
  })
})
