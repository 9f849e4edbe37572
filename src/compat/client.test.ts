/**
 * pgfleet/pg's rows come out of pgfleet's one row pipeline with pg-types
 * plugged in (pgParsers): the same values as pg's own parsers, in one pass,
 * with per-query and per-client `types`, rowMode 'array', and pg's handling of
 * a parser that throws (the query fails, the session stays). On a fake
 * backend; test/integration/compat-pg.test.ts compares with real pg.
 */
import pgReal from 'pg'
import { describe, expect, it } from 'vitest'
import { backend as b, openSession, type Column } from '../connection/testing/fake-server.js'
import { attachConnection, type Client } from './client.js'
import { PgTypes, types, type CustomTypesConfig } from './pg-types.js'

/** Columns as the server describes and prints them. */
const COLUMNS: [name: string, oid: number, text: string][] = [
  ['i4', 23, '42'],
  ['i8', 20, '9007199254740993'],
  ['num', 1700, '12345678901234567890.5'],
  ['d', 1082, '2024-02-29'],
  ['tstz', 1184, '2024-02-29 13:45:06.789+02'],
  ['j', 3802, '{"a":[1]}'],
  ['ai', 1007, '{1,NULL,3}'],
  ['u', 999_999, 'unknown type'],
  ['n', 23, ''], // NULL below
]
const DESCRIBED = b.rowDescription(...COLUMNS.map(([name, oid]): Column => ({ name, oid })))
const ROW = b.dataRow(...COLUMNS.map(([name, , text]) => (name === 'n' ? null : text)))
const INT4_X = b.rowDescription({ name: 'x', oid: 23 })

async function facade(clientTypes?: CustomTypesConfig) {
  const { connection, backend } = await openSession()
  const client: Client = attachConnection(connection, clientTypes ? { types: clientTypes } : {}, () => {})
  return { client, connection, backend }
}

describe('pgfleet/pg rows through the one pipeline', () => {
  it("gives pg's values, as objects and as arrays, from the simple and the extended protocol", async () => {
    const { client, connection, backend } = await facade()
    const expected = Object.fromEntries(COLUMNS.map(([name, oid, text]) => [name, name === 'n' ? null : pgReal.types.getTypeParser(oid, 'text')(text)]))

    const simple = client.query('select ...')
    await backend.answer(DESCRIBED, ROW, b.commandComplete('SELECT 1'), b.ready())
    const result = await simple
    expect(result.rows).toEqual([expected])
    expect(result.fields.map((f) => [f.name, f.dataTypeID, f.format])).toEqual(COLUMNS.map(([name, oid]) => [name, oid, 'text']))
    expect([result.command, result.rowCount, result.oid, result.rowAsArray]).toEqual(['SELECT', 1, null, false])

    const extended = client.query({ text: 'select $1', values: [1], rowMode: 'array' })
    const written = await backend.answer(b.parseComplete(), b.bindComplete(), DESCRIBED, ROW, b.commandComplete('SELECT 1'), b.ready())
    expect(written.find((m) => m.type === 'Bind')).toMatchObject({ resultFormats: [] }) // text, as pg asks
    expect((await extended).rows).toEqual([Object.values(expected)])

    // The facade leaves the session's own registry alone: pgfleet's API on it keeps pgfleet's types.
    const own = connection.query('select ...')
    await backend.answer(DESCRIBED, ROW, b.commandComplete('SELECT 1'), b.ready())
    expect((await own).rows).toEqual([expect.objectContaining({ i8: 9007199254740993n, d: '2024-02-29' })])
  })

  it('per-client and per-query types; a setTypeParser applies to the next run of a cached statement', async () => {
    const mine = new PgTypes(types)
    const { client, backend } = await facade(mine)
    const text = 'select $1::int as x'
    const rows = [b.dataRow('7'), b.commandComplete('SELECT 1'), b.ready()]
    const first = client.query(text, [7])
    await backend.answer(b.parseComplete(), b.bindComplete(), INT4_X, ...rows)
    expect((await first).rows).toEqual([{ x: 7 }])

    mine.setTypeParser(23, (v) => `int4:${v}`)
    const second = client.query(text, [7]) // cached: Bind and Execute only, no RowDescription
    await backend.answer(b.bindComplete(), ...rows)
    expect((await second).rows).toEqual([{ x: 'int4:7' }])

    const third = client.query({ text, values: [7], types: { getTypeParser: () => (v: string) => `q:${v}` } })
    await backend.answer(b.bindComplete(), ...rows)
    expect((await third).rows).toEqual([{ x: 'q:7' }])
  })

  it('a parser (or a getTypeParser) that throws fails that query with its error, as in pg; the session stays usable', async () => {
    const { client, backend } = await facade()
    const reply = [INT4_X, b.dataRow('1'), b.dataRow('2'), b.commandComplete('SELECT 2'), b.ready()]
    const boom = new RangeError('bad value')
    for (const throwing of [{ getTypeParser: () => () => { throw boom } }, { getTypeParser: () => { throw boom } }]) {
      const failed = client.query({ text: 'select x', types: throwing })
      await backend.answer(...reply)
      await expect(failed).rejects.toBe(boom)
    }
    const fine = client.query('select x')
    await backend.answer(...reply)
    expect((await fine).rows).toEqual([{ x: 1 }, { x: 2 }])
  })
})

describe('pgfleet/pg on a server that breaks the protocol', () => {
  it("a message out of order after ReadyForQuery (pg's #3174, proxies) is reported as 'error'; the client then refuses queries with pg's text", async () => {
    const { client, backend } = await facade()
    const errors: Error[] = []
    client.setIdleErrorTarget(undefined) // checked out: 'error' goes to the client's listeners
    client.on('error', (e: Error) => errors.push(e))
    const first = client.query('select 1')
    await backend.answer(INT4_X, b.dataRow('1'), b.commandComplete('SELECT 1'), b.ready())
    expect((await first).rows).toEqual([{ x: 1 }])
    backend.send(b.parseComplete()) // nothing is running: a real server never sends this
    await new Promise((r) => setTimeout(r, 10))
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('ParseComplete')])
    await expect(client.query('select 1')).rejects.toThrow('Client has encountered a connection error and is not queryable')
  })
})
