/**
 * sslkeylogfile (libpq 18) on Node against the real TLS server: the session's
 * TLS 1.3 secrets are appended in NSS key log format to a file created 0600,
 * one set per connection; a file that cannot be written is a warning and the
 * connection works on.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { connect, type ClientOptions } from '../../src/index.js'
import { SCRAM_USER } from '../support/harness.js'
import { goodTlsOptions } from './helpers/server.js'

function options(sslkeylogfile: string): ClientOptions {
  return goodTlsOptions({ user: SCRAM_USER, sslkeylogfile })
}

/** Connect, prove the session is encrypted with a query, close. */
async function encryptedQuery(opts: ClientOptions): Promise<boolean> {
  const client = await connect(opts)
  try {
    const { rows } = await client.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()')
    return rows[0]!.ssl && client.encrypted
  } finally {
    await client.close()
  }
}

/** The NSS key log lines of a TLS 1.3 session: label, the 32-byte client random, the secret (hex). */
const NSS_LINE = /^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} [0-9a-f]{64,96}$/

describe('sslkeylogfile (Node)', () => {
  it('appends each session’s TLS secrets in NSS format to a file only its owner can read', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pgfleet-keylog-')), 'keys.log')
    expect(await encryptedQuery(options(file))).toBe(true)
    const first = readFileSync(file, 'utf8').trim().split('\n')
    expect(first.length).toBeGreaterThanOrEqual(5)
    for (const line of first) expect(line).toMatch(NSS_LINE)
    // Every line of one session carries that session's client random.
    expect(new Set(first.map((line) => line.split(' ')[1])).size).toBe(1)
    expect(statSync(file).mode & 0o777).toBe(0o600)

    expect(await encryptedQuery(options(file))).toBe(true)
    const both = readFileSync(file, 'utf8').trim().split('\n')
    expect(both.slice(0, first.length)).toEqual(first)
    expect(new Set(both.map((line) => line.split(' ')[1])).size).toBe(2)
  })

  it('a file that cannot be written is a warning (as in libpq); the connection goes on', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'pgfleet-keylog-'))
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.message)
    process.on('warning', onWarning)
    try {
      expect(await encryptedQuery(options(directory))).toBe(true)
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.length).toBeGreaterThan(0)
    expect(warnings[0]).toContain(`could not write to SSL key logging file "${directory}"`)
  })
})
