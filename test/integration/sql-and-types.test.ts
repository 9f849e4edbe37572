/**
 * Tagged templates and user types on a real server: values bound (injection
 * text comes back as data), identifiers, lists and fragments; types registered
 * by OID and by name (enum, domain, composite) with their arrays, in both the
 * first (text) and cached (binary-capable) runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../src/index.js'
import { sql } from '../../src/sql.js'
import { parseComposite } from '../../src/types/text/composite.js'
import { openTestClient, uniqueName } from './helpers/server.js'

let db: Client
const schema = uniqueName('sqlt')

beforeAll(async () => {
  db = await openTestClient()
  await db.query(`create schema ${schema}`)
  await db.query(`
    create table ${schema}."Accounts" (id int primary key, owner text, balance int);
    insert into ${schema}."Accounts" values (1, 'ann', 100), (2, 'bob', 50), (3, 'cy', 0);
    create type ${schema}.mood as enum ('sad', 'ok', 'happy');
    create domain ${schema}.posint as int4 check (value > 0);
    create type ${schema}.point2 as (x int, label text);`)
})
afterAll(async () => {
  await db?.query(`drop schema ${schema} cascade`).catch(() => undefined)
  await db?.close()
})

describe('client.sql', () => {
  it('binds values and quotes identifiers', async () => {
    const table = sql.id(schema, 'Accounts')
    const { rows } = await db.sql<{ id: number; owner: string }>`select id, owner from ${table} where balance >= ${50} order by id`
    expect(rows).toEqual([
      { id: 1, owner: 'ann' },
      { id: 2, owner: 'bob' },
    ])
  })

  it('injection text is data, not SQL', async () => {
    const attack = `x'; drop table ${schema}."Accounts"; --`
    const { rows } = await db.sql<{ v: string }>`select ${attack}::text as v`
    expect(rows).toEqual([{ v: attack }])
    const evilName = `Accounts"; drop table x; --`
    await expect(db.sql`select * from ${sql.id(schema, evilName)}`).rejects.toMatchObject({ code: '42P01' })
    expect((await db.query(`select count(*)::int as n from ${schema}."Accounts"`)).rows).toEqual([{ n: 3 }])
  })

  it('lists, = any(array), joins and nested fragments', async () => {
    const table = sql.id(schema, 'Accounts')
    const ids = [1, 3]
    const inList = await db.sql<{ id: number }>`select id from ${table} where id in (${sql.list(ids)}) order by id`
    expect(inList.rows.map((r) => r.id)).toEqual([1, 3])
    const any = await db.sql<{ id: number }>`select id from ${table} where id = any(${ids}::int[]) order by id`
    expect(any.rows.map((r) => r.id)).toEqual([1, 3])
    const none = await db.sql<{ id: number }>`select id from ${table} where id = any(${[]}::int[])`
    expect(none.rows).toEqual([])
    const conditions = [sql`balance > ${10}`, sql`owner <> ${'bob'}`]
    const where = sql`where ${sql.join(conditions, ' and ')}`
    const nested = await db.sql<{ owner: string }>`select ${sql.id('owner')} from ${table} ${where} order by id`
    expect(nested.rows).toEqual([{ owner: 'ann' }])
  })

  it('a value that starts with U+FEFF keeps it, in text and in column names (simple and extended)', async () => {
    const value = '\uFEFFbom first'
    expect((await db.sql<{ t: string }>`select ${value}::text as t`).rows).toEqual([{ t: value }])
    const { rows } = await db.query(`select 'x' as "\uFEFFcol", E'\\uFEFFy' as v`)
    expect(rows).toEqual([{ '\uFEFFcol': 'x', v: '\uFEFFy' }])
  })

  it('takes a fragment and query options', async () => {
    const error = await db.sql(sql`select pg_sleep(${5})`, { timeoutMs: 100 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PGFLEET_QUERY_TIMEOUT', cause: { code: '57014' } })
  })

  it('works inside transactions', async () => {
    const n = await db.transaction(async (tx) => (await tx.sql<{ n: number }>`select count(*)::int as n from ${sql.id(schema, 'Accounts')}`).rows[0]!.n)
    expect(n).toBe(3)
  })
})

describe('custom types', () => {
  it('register by OID: a parser for a built-in type on this client only', async () => {
    const client = await openTestClient()
    try {
      client.types.register({ oid: 1700, parse: (t) => `numeric:${t}` })
      expect((await client.query('select 1.50::numeric as n')).rows).toEqual([{ n: 'numeric:1.50' }])
      expect((await db.query('select 1.50::numeric as n')).rows).toEqual([{ n: '1.50' }])
    } finally {
      await client.close()
    }
  })

  it('a parser registered after a statement was cached applies to its next runs', async () => {
    const client = await openTestClient()
    try {
      const query = 'select $1::int4 as n'
      expect((await client.query(query, [7])).rows).toEqual([{ n: 7 }])
      expect((await client.query(query, [7])).rows).toEqual([{ n: 7 }]) // cached statement, binary result
      client.types.register({ oid: 23, parse: (t) => `int4:${t}` })
      expect((await client.query(query, [7])).rows).toEqual([{ n: 'int4:7' }])
    } finally {
      await client.close()
    }
  })

  it('an enum by name, with its array type and a serializer', async () => {
    const client = await openTestClient()
    try {
      class Mood {
        constructor(readonly name: string) {}
      }
      const info = await client.registerType(`${schema}.mood`, {
        parse: (t) => new Mood(t),
        match: (v) => v instanceof Mood,
        serialize: (v) => (v as Mood).name,
      })
      expect(info.kind).toBe('e')
      expect(info.arrayOid).toBeGreaterThan(0)
      for (let run = 0; run < 3; run++) {
        const { rows } = await client.query<{ m: Mood; ms: (Mood | null)[]; back: string }>(
          `select $1::${schema}.mood as m, array['sad', null, 'happy']::${schema}.mood[] as ms, $1::text as back`,
          [new Mood('ok')],
        )
        expect(rows[0]!.m).toEqual(new Mood('ok'))
        expect(rows[0]!.ms).toEqual([new Mood('sad'), null, new Mood('happy')])
        expect(rows[0]!.back).toBe('ok')
      }
    } finally {
      await client.close()
    }
  })

  it('a domain: scalars arrive as the base type, arrays of the domain parse element-wise', async () => {
    const client = await openTestClient()
    try {
      const info = await client.registerType(`${schema}.posint`)
      expect(info.kind).toBe('d')
      expect(info.baseOid).toBe(23)
      for (let run = 0; run < 3; run++) {
        const { rows } = await client.query(`select 5::${schema}.posint as d, array[1, 2]::${schema}.posint[] as ds`, [])
        expect(rows).toEqual([{ d: 5, ds: [1, 2] }])
      }
      await expect(client.query(`select $1::${schema}.posint`, [0])).rejects.toMatchObject({ code: '23514' })
    } finally {
      await client.close()
    }
  })

  it('a composite by name, with arrays of it', async () => {
    const client = await openTestClient()
    try {
      const parse = (text: string) => {
        const [x, label] = parseComposite(text)
        return { x: x === null ? null : Number(x), label }
      }
      await client.registerType(`${schema}.point2`, { parse })
      for (let run = 0; run < 3; run++) {
        const { rows } = await client.query(
          `select row(1, 'a "b", c')::${schema}.point2 as p, array[row(2, null), row(null, '')]::${schema}.point2[] as ps`,
          [],
        )
        expect(rows).toEqual([
          {
            p: { x: 1, label: 'a "b", c' },
            ps: [
              { x: 2, label: null },
              { x: null, label: '' },
            ],
          },
        ])
      }
    } finally {
      await client.close()
    }
  })

  it('an unknown type name rejects', async () => {
    await expect(db.registerType(`${schema}.nope`)).rejects.toMatchObject({ code: '42704' })
  })
})
