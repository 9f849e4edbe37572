/**
 * Protocol 3.2 against the suite's real server (PostgreSQL 18 by default;
 * `TEST_PG_VERSION=13…17` runs the same file on older servers, see
 * scripts/test.sh): with max_protocol_version=latest a PostgreSQL 18 session
 * speaks 3.2 and its cancel (the long key) stops a running query; an older
 * server answers with a downgrade to 3.0, where cancel works with the 4-byte
 * key, and min_protocol_version=3.2 is refused with a clear error. Also over
 * TLS with SCRAM, since the version word travels in the StartupMessage.
 */
import { describe, expect, it } from 'vitest'
import { ConnectionError, PgError, type Client } from '../../src/index.js'
import { harness, SCRAM_USER, PASSWORD } from '../support/harness.js'
import { openTestClient, tlsOptions } from './helpers/server.js'

const major = Number(harness().major)
const speaks32 = major >= 18

async function cancelsPgSleep(db: Client): Promise<void> {
  const running = db.query('select pg_sleep(10)')
  running.catch(() => undefined)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const started = Date.now()
  await db.cancel()
  const error = await running.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PgError)
  expect((error as PgError).code).toBe('57014')
  expect(Date.now() - started).toBeLessThan(3000)
  expect((await db.query<{ x: number }>('select 1 as x')).rows).toEqual([{ x: 1 }])
}

describe(`protocol version against PostgreSQL ${major}`, () => {
  it('speaks 3.0 by default (libpq 18 default)', async () => {
    const db = await openTestClient()
    try {
      expect(db.protocolVersion).toBe('3.0')
      await cancelsPgSleep(db)
    } finally {
      await db.close()
    }
  })

  it(`max_protocol_version=latest: ${speaks32 ? 'the session speaks 3.2 and cancel with the long key stops the query' : 'the server downgrades to 3.0 and cancel with the 4-byte key works'}`, async () => {
    const db = await openTestClient({ maxProtocolVersion: 'latest' })
    try {
      expect(db.protocolVersion).toBe(speaks32 ? '3.2' : '3.0')
      await cancelsPgSleep(db)
    } finally {
      await db.close()
    }
  })

  it(`max_protocol_version=3.2 over TLS with SCRAM: ${speaks32 ? '3.2' : 'downgraded to 3.0'}`, async () => {
    const db = await openTestClient({ ...tlsOptions(), user: SCRAM_USER, password: PASSWORD, maxProtocolVersion: '3.2' })
    try {
      expect(db.encrypted).toBe(true)
      expect(db.protocolVersion).toBe(speaks32 ? '3.2' : '3.0')
      await cancelsPgSleep(db)
    } finally {
      await db.close()
    }
  })

  it(`min_protocol_version=3.2: ${speaks32 ? 'accepted' : 'refused with PGFLEET_PROTOCOL_VERSION'}`, async () => {
    const opening = openTestClient({ minProtocolVersion: '3.2' })
    if (speaks32) {
      const db = await opening
      expect(db.protocolVersion).toBe('3.2')
      await db.close()
      return
    }
    const error = await opening.then(
      async (db) => {
        await db.close()
        return new Error('connected')
      },
      (e: unknown) => e as Error,
    )
    // connect() names every host tried (PGFLEET_NO_HOST); the host's own failure is the cause.
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.message).toContain('server only supports protocol version 3.0, but min_protocol_version was set to 3.2')
    expect(error.cause).toBeInstanceOf(ConnectionError)
    expect(error.cause).toMatchObject({ code: 'PGFLEET_PROTOCOL_VERSION' })
  })
})
