import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils'

/**
 * The scenario of orm-prisma-native.test.ts: what one generated client does
 * through a driver adapter, every result labelled and turned into plain data
 * so two adapters' runs compare with toEqual.
 */
/** The slice of the generated client this file uses. */
export type Row = Record<string, unknown>
interface Delegate {
  create(args: object): Promise<Row>
  createMany(args: object): Promise<{ count: number }>
  findMany(args?: object): Promise<Row[]>
  findUnique(args: object): Promise<Row | null>
  update(args: object): Promise<Row>
  deleteMany(args?: object): Promise<{ count: number }>
  count(args?: object): Promise<number>
  aggregate(args: object): Promise<Row>
  groupBy(args: object): Promise<Row[]>
}
export interface Db {
  account: Delegate
  order: Delegate
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>
  $queryRawUnsafe<T = Row[]>(sql: string, ...values: unknown[]): Promise<T>
  $transaction<T>(fn: (tx: Db) => Promise<T>, options?: object): Promise<T>
  $transaction<T extends readonly unknown[]>(batch: [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T>
  $disconnect(): Promise<void>
}
export interface Generated {
  PrismaClient: new (options: { adapter: SqlDriverAdapterFactory }) => Db
}

/** One raw query over every column type the adapters map (results in text, converted per type). */
const RAW_TYPES = `select 1::int2 as i2, 2::int4 as i4, 9007199254740993::int8 as i8, 26::oid as o,
  1.5::float4 as f4, 2.25::float8 as f8, 'NaN'::float8 as nan, true as b,
  '2024-02-29'::date as d, '13:45:06.789'::time as t, '13:45:06+05:30'::timetz as ttz,
  '2024-02-29 13:45:06.789'::timestamp as ts, '2024-02-29 13:45:06.789123+05:30'::timestamptz as tstz,
  12.345::numeric as n, '{"a": [1, 2]}'::json as j, '{"b": null}'::jsonb as jb,
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, 'x'::char(3) as bp, 'text' as tx, 'v'::varchar as vc,
  B'101' as bit, '192.168.0.1/24'::inet as ip, '10.0.0.0/8'::cidr as net, '<a/>'::xml as x, 'nm'::name as nm,
  '\\x0102ff'::bytea as by, null::text as nothing, 'happy'::native_mood as mood,
  array[1, 2]::int2[] as a_i2, array[1, 2, 3]::int4[] as a_i4, array[9007199254740993]::int8[] as a_i8,
  array[1.5]::float4[] as a_f4, array[2.5, 'Infinity']::float8[] as a_f8, array[1.10, 2]::numeric[] as a_n,
  array[true, false] as a_b, array['a', 'b c', '"q"', 'NULL'] as a_tx, array['2024-01-01']::date[] as a_d,
  array['01:02:03']::time[] as a_t, array['2024-01-01 01:02:03.5']::timestamp[] as a_ts,
  array['2024-01-01 01:02:03+02']::timestamptz[] as a_tstz, array['{"a": 1}']::jsonb[] as a_jb,
  array['\\x01'::bytea] as a_by, array['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']::uuid[] as a_u`

/** The scenario both adapters run; returns every result in order, labelled. */
export async function scenario(db: Db): Promise<[string, unknown][]> {
  const out: [string, unknown][] = []
  const push = (label: string, value: unknown) => out.push([label, value])
  const base = {
    balance: '1234.50',
    visits: 9007199254740993n,
    ratio: 0.1,
    small: 1.5,
    active: true,
    born: new Date('1815-12-10T00:00:00.000Z'),
    wakeUp: new Date('1970-01-01T06:30:15.250Z'),
    createdAt: new Date('2024-02-29T13:45:06.789Z'),
    seenAt: new Date('2024-03-01T00:00:00.001Z'),
    profile: { langs: ['en', 'fr'], n: 1, nested: { ok: true } },
    mood: 'happy',
    tags: ['math', 'engines'],
    lucky: [3, 7],
    uid: '6f1c2b7e-3d4a-4c5b-9e8f-0a1b2c3d4e5f',
  }
  push(
    'create',
    await db.account.create({
      data: {
        ...base,
        email: 'ada@example.com',
        name: 'Ada',
        avatar: new Uint8Array([0, 1, 254, 255]),
        orders: { create: [{ total: '12.50', placedAt: new Date('2024-01-02T03:04:05.123Z') }, { total: '0.99', placedAt: new Date('2024-01-03T00:00:00Z') }] },
      },
      include: { orders: { orderBy: { id: 'asc' } } },
    }),
  )
  push(
    'createMany',
    await db.account.createMany({
      data: [
        { ...base, email: 'grace@example.com', name: null, balance: '-3.25', visits: 0n, mood: 'sad', tags: [], lucky: [], active: false },
        { ...base, email: 'linus@example.com', name: 'Linus', ratio: -2.5e-10, mood: 'sad', tags: ['kernel', 'x y', 'q"t'] },
      ],
    }),
  )
  push('findMany', await db.account.findMany({ orderBy: { id: 'asc' }, include: { orders: { orderBy: { id: 'asc' } } } }))
  push(
    'where',
    await db.account.findMany({
      where: { mood: 'sad', balance: { gt: '-10' }, createdAt: { gte: new Date('2024-01-01T00:00:00Z') }, tags: { has: 'kernel' } },
      select: { email: true, tags: true, lucky: true },
    }),
  )
  push('json filter', await db.account.findMany({ where: { profile: { path: ['nested', 'ok'], equals: true } }, select: { email: true }, orderBy: { email: 'asc' } }))
  push('relation filter', await db.account.findMany({ where: { orders: { some: { total: { gte: '10' } } } }, select: { email: true } }))
  push(
    'update',
    await db.account.update({
      where: { email: 'ada@example.com' },
      data: { visits: { increment: 2 }, balance: { decrement: '0.5' }, tags: { push: 'notes' }, avatar: null, name: 'Ada L.' },
    }),
  )
  push(
    'aggregate',
    await db.account.aggregate({ _sum: { balance: true, visits: true }, _avg: { ratio: true }, _count: { _all: true }, _max: { createdAt: true, born: true }, _min: { wakeUp: true } }),
  )
  push('groupBy', await db.account.groupBy({ by: ['mood'], _count: { _all: true }, _sum: { balance: true }, orderBy: { mood: 'asc' } }))
  push('raw types', await db.$queryRawUnsafe(RAW_TYPES))
  push('raw params', await db.$queryRawUnsafe('select $1::int + 1 as n, $2::text as t, $3::timestamptz as at, $4::bytea as b', 41, 'x', new Date('2024-05-06T07:08:09.010Z'), new Uint8Array([9, 8])))
  push('executeRaw', await db.$executeRawUnsafe(`update native_accounts set name = name where mood = 'sad'`))
  push(
    'itx commit (serializable)',
    await db.$transaction(
      async (tx) => {
        const a = await tx.account.findUnique({ where: { email: 'grace@example.com' } })
        await tx.order.create({ data: { accountId: a!.id, total: '5.00', placedAt: new Date('2024-06-01T00:00:00Z') } })
        return [await tx.order.count(), await tx.$queryRawUnsafe(`select current_setting('transaction_isolation') as level`)]
      },
      { isolationLevel: 'Serializable' },
    ),
  )
  const rolledBack = await db
    .$transaction(
      async (tx) => {
        await tx.order.deleteMany({})
        const inside = await tx.order.count()
        throw new Error(`abort with ${inside} orders inside`)
      },
      { isolationLevel: 'RepeatableRead' },
    )
    .catch((e: Error) => e.message)
  push('itx rollback', [rolledBack, await db.order.count()])
  push('batch', await db.$transaction([db.account.count(), db.order.findMany({ orderBy: { id: 'asc' }, select: { total: true, placedAt: true } })]))
  const failure = (e: unknown) => {
    const error = e as { code?: string; message: string; meta?: { modelName?: string; target?: unknown; driverAdapterError?: { cause?: object } } }
    return { code: error.code, message: error.message.split('\n').filter((l) => !l.includes('.test.ts')).join('\n'), model: error.meta?.modelName, cause: error.meta?.driverAdapterError?.cause }
  }
  push('unique', await db.account.create({ data: { ...base, email: 'ada@example.com' } }).catch(failure))
  push('foreign key', await db.order.create({ data: { accountId: 999_999, total: '1', placedAt: new Date(0) } }).catch(failure))
  push('not found', await db.account.update({ where: { email: 'nobody@example.com' }, data: { name: 'x' } }).catch(failure))
  push('raw error', await db.$queryRawUnsafe('select 1/0').catch(failure))
  push('bad input', await db.$queryRawUnsafe(`select 'abc'::int`).catch(failure))
  push('still usable', await db.account.count())
  push('deleteMany', await db.order.deleteMany({}))
  return out
}

/** Values as comparable plain data (Decimal, Date, bytes, bigint tagged; Buffer and Uint8Array alike). */
export function plain(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value
  if (typeof value === 'bigint') return { bigint: value.toString() }
  if (value instanceof Date) return { date: value.toISOString() }
  if (value instanceof Uint8Array) return { bytes: [...value] }
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === 'object') {
    const v = value as { d?: unknown; toFixed?: unknown; constructor?: { name?: string } }
    if (typeof v.toFixed === 'function' && Array.isArray(v.d)) return { decimal: String(value) }
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, plain(x)]))
  }
  return String(value)
}

