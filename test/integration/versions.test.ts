/**
 * What a user notices between PostgreSQL versions, on the suite's server
 * (18 by default; scripts/test.sh runs this file on 13, 14, 16 and 17 too):
 * multirange types exist from 14 and come back as their text; the server's
 * scram_iterations (16+) reaches the client, whose max_scram_iterations
 * bounds it; and the error fields pgfleet exposes are sent by every version.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { AuthError, connect, PgError } from '../../src/index.js'
import { adminQuery, DATABASE, harness, ITER_USER, PASSWORD } from '../support/harness.js'
import { openTestClient } from './helpers/server.js'

const pg = harness()
const major = Number(pg.major)
const node = pg.nodes[0]!

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('succeeded'),
    (e: unknown) => e as Error,
  )
}

describe(`PostgreSQL ${major}: what differs by version`, () => {
  it('the server reports the version the suite asked for', async () => {
    const db = await openTestClient()
    try {
      expect(db.parameters.get('server_version')).toMatch(new RegExp(`^${major}\\.`))
    } finally {
      await db.close()
    }
  })

  it(major >= 14 ? 'multirange types (14+) come back as their text, in text and extended queries' : 'multirange types do not exist before 14 (42704)', async () => {
    const db = await openTestClient()
    try {
      if (major >= 14) {
        expect((await db.query('select $1::int4multirange as m', ['{[1,3),[5,7)}'])).rows).toEqual([{ m: '{[1,3),[5,7)}' }])
        expect((await db.query(`select '{[2020-01-01,2020-02-01)}'::datemultirange as m`)).rows).toEqual([{ m: '{[2020-01-01,2020-02-01)}' }])
      } else {
        const error = await failure(db.query(`select '{[1,3)}'::int4multirange`))
        expect(error).toBeInstanceOf(PgError)
        expect((error as PgError).code).toBe('42704')
        expect((await db.query('select 1 as ok')).rows).toEqual([{ ok: 1 }])
      }
    } finally {
      await db.close()
    }
  })

  describe(major >= 16 ? 'scram_iterations (16+): the client meets the server count and max_scram_iterations bounds it' : 'scram_iterations does not exist before 16', () => {
    afterAll(async () => {
      await adminQuery(node.host, node.port, `drop role if exists ${ITER_USER}`)
    })

    it('as the server says', async () => {
      const setIterations = adminQuery(
        node.host,
        node.port,
        `set scram_iterations = 20000; drop role if exists ${ITER_USER}; create role ${ITER_USER} login password :'pw'`,
        { vars: { pw: PASSWORD } },
      )
      if (major < 16) {
        const error = await failure(setIterations)
        expect(error.message).toMatch(/unrecognized configuration parameter "scram_iterations"/)
        return
      }
      await setIterations
      const [[stored]] = (await adminQuery(node.host, node.port, `select rolpassword from pg_authid where rolname = :'r'`, { vars: { r: ITER_USER } })) as [[string]]
      expect(stored).toMatch(/^SCRAM-SHA-256\$20000:/)
      const options = { host: node.host, port: node.port, user: ITER_USER, password: PASSWORD, database: DATABASE, sslmode: 'disable' as const }
      const db = await connect(options)
      expect((await db.query<{ u: string }>('select current_user as u')).rows).toEqual([{ u: ITER_USER }])
      await db.close()
      const refused = await failure(connect({ ...options, maxScramIterations: 10_000 }))
      const cause = refused instanceof AuthError ? refused : (refused.cause as Error)
      expect(cause).toBeInstanceOf(AuthError)
      expect(cause.message).toMatch(/20000/)
    })
  })

  it('the error fields pgfleet exposes are sent by every version', async () => {
    const db = await openTestClient()
    try {
      const error = (await failure(db.query('selec 1'))) as PgError
      expect(error).toBeInstanceOf(PgError)
      expect(error).toMatchObject({ code: '42601', severity: 'ERROR', severityNonLocalized: 'ERROR', position: 1 })
      expect(error.routine).toEqual(expect.any(String))
      const division = (await failure(db.query('select 1/0'))) as PgError
      expect(division).toMatchObject({ code: '22012', message: 'division by zero' })
    } finally {
      await db.close()
    }
  })
})
