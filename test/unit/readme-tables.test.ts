/**
 * The README's generated and hand-kept tables agree with their sources: the
 * option tables (src/config/option-table.ts, written by
 * `npx tsx scripts/readme-tables.ts`) and the TLS-by-runtime table
 * (each runtime's row, src/transport/<runtime>.ts). Repo-wide checks that read files, so they
 * live here rather than beside the code.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it, test } from 'vitest'
import { renderReadmeTables } from '../../src/config/option-docs.js'
import type { Capabilities } from '../../src/transport/capabilities.js'
import { capabilitiesOf, RUNTIME_NAMES, type RuntimeName } from '../../src/transport/testing/runtimes.js'

const RUNTIMES = RUNTIME_NAMES

describe('README option tables', () => {
  test('README.md option tables are rendered from the table (run `npx tsx scripts/readme-tables.ts` after changing it)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    expect(renderReadmeTables(readme) === readme).toBe(true)
  })
})

describe("the README's TLS-by-runtime table agrees with the capability table", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('### TLS by runtime'))
  const table = section.slice(0, section.indexOf('\n#', 1))
  /** The cells (Node, Bun, Deno, Workers) of the row whose first cell starts with `label`. */
  const row = (label: string): Record<RuntimeName, string> => {
    const line = table.split('\n').find((l) => l.startsWith(`| ${label}`))
    if (line === undefined) throw new Error(`README has no TLS row "${label}"`)
    const cells = line.split('|').slice(2, 6).map((cell) => cell.trim())
    return { node: cells[0]!, bun: cells[1]!, deno: cells[2]!, workerd: cells[3]! }
  }
  const check = (label: string, says: (can: Capabilities) => RegExp) => {
    const cells = row(label)
    for (const runtime of RUNTIMES) expect([runtime, cells[runtime]]).toEqual([runtime, expect.stringMatching(says(capabilitiesOf(runtime)))])
  }
  const yes = (flag: boolean) => (flag ? /^yes/ : /^no/)

  it('verify-ca, unverified require, direct TLS, channel binding', () => {
    check('`verify-ca`', (can) => yes(can.verifyCa))
    check('`require` with no verification', (can) => yes(can.unverifiedTls))
    check('`sslnegotiation=direct`', (can) => yes(can.directTls))
    check('`sslkeylogfile`', (can) => yes(can.keyLog))
    check('SCRAM-SHA-256-PLUS', (can) => yes(can.peerCertificate))
  })

  it('client certificates and custom roots', () => {
    check('client certificate', (can) =>
      can.clientCertificate === 'always' ? /^yes/ : can.clientCertificate === 'direct' ? /^only with `sslnegotiation=direct`/ : /^no/,
    )
    const roots = { replace: /^path, PEM text, `system`$/, add: /PEM text.*added to default roots/, none: /^`system` only/ }
    check('`sslrootcert`', (can) => roots[can.customCa || 'none'])
  })
})

