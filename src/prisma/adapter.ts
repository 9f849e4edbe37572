/**
 * A Prisma 7 driver adapter on pgfleet's own pool: Prisma Client's queries
 * run on balanced pgfleet sessions (load_balance, topology_keys, TLS and every
 * other connection option apply), on every runtime pgfleet runs on, with no
 * `pg` and no alias.
 *
 *   const prisma = new PrismaClient({ adapter: new PrismaPgfleet('postgresql://app@n1,n2,n3/app?load_balance=true') })
 *
 * Queries use the extended protocol with pgfleet's statement cache, results in
 * text and converted as Prisma expects (columns.ts); transactions check out one
 * session, open with BEGIN ISOLATION LEVEL … in one round trip, and Prisma
 * itself sends COMMIT / ROLLBACK through executeRaw (usePhantomQuery false),
 * after which the session goes back to the pool. A session given back inside a
 * transaction block is destroyed by the pool, never reused.
 */
import type { Result } from '../connection/result.js'
import type { QueryOptions } from '../connection/connection.js'
import { createPool, type CreatePoolOptions } from '../pool/pool.js'
import { toParam } from './args.js'
import { columnTypeOf, prismaParsers, UnsupportedColumnType } from './columns.js'
import { DriverAdapterError, toAdapterError } from './errors.js'
import type {
  IsolationLevel,
  ResultValue,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
  SqlResultSet,
  Transaction,
} from './types.js'

/** What the adapter needs of a pgfleet session or pool client. */
export interface Queryable {
  query(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<Result<unknown>>
}

/** What the adapter needs of a pgfleet Pool (one from `pgfleet`, `pgfleet/prisma` or another copy). */
export interface PgfleetPool extends Queryable {
  connect(): Promise<Queryable & { release(destroy?: boolean | Error): void }>
  end(): Promise<void>
}

/** Adapter settings. */
export interface PrismaPgfleetOptions {
  /** The schema Prisma reports (Prisma's `schema` URL parameter; default: the search_path's). */
  schema?: string
  /** End a pool you passed in when Prisma disconnects (default false: it is yours). */
  disposeExternalPool?: boolean
}

export const ADAPTER_NAME = 'pgfleet'

/** Array rows, text results converted for Prisma. */
const QUERY_OPTIONS: QueryOptions = { rowMode: 'array', parsers: prismaParsers }

const ISOLATION_LEVELS: ReadonlySet<string> = new Set(['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'])

/** Run one Prisma query on `target`; every failure becomes Prisma's error. */
async function run(target: Queryable, query: SqlQuery): Promise<Result<unknown>> {
  try {
    const values = query.args.map((arg, i) => toParam(arg, query.argTypes[i]))
    return await target.query(query.sql, values, QUERY_OPTIONS)
  } catch (error) {
    throw toAdapterError(error)
  }
}

class Queries implements SqlQueryable {
  readonly provider = 'postgres'
  readonly adapterName = ADAPTER_NAME

  constructor(protected readonly target: Queryable) {}

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    const { fields, rows } = await run(this.target, query)
    let columnTypes
    try {
      columnTypes = fields.map((field) => columnTypeOf(field.dataTypeOid))
    } catch (error) {
      if (error instanceof UnsupportedColumnType) throw new DriverAdapterError({ kind: 'UnsupportedNativeDataType', type: error.typeName })
      throw error
    }
    return { columnNames: fields.map((field) => field.name), columnTypes, rows: rows as ResultValue[][] }
  }

  async executeRaw(query: SqlQuery): Promise<number> {
    return (await run(this.target, query)).rowCount ?? 0
  }
}

class PgfleetTransaction extends Queries implements Transaction {
  readonly options = { usePhantomQuery: false }
  #done = false

  constructor(private readonly client: Queryable & { release(destroy?: boolean | Error): void }) {
    super(client)
  }

  // Prisma has already sent COMMIT or ROLLBACK: give the session back.
  async commit(): Promise<void> {
    this.release()
  }

  async rollback(): Promise<void> {
    this.release()
  }

  async createSavepoint(name: string): Promise<void> {
    await this.executeRaw({ sql: `SAVEPOINT ${name}`, args: [], argTypes: [] })
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    await this.executeRaw({ sql: `ROLLBACK TO SAVEPOINT ${name}`, args: [], argTypes: [] })
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.executeRaw({ sql: `RELEASE SAVEPOINT ${name}`, args: [], argTypes: [] })
  }

  private release(): void {
    if (this.#done) return
    this.#done = true
    this.client.release()
  }
}

class PgfleetAdapter extends Queries implements SqlDriverAdapter {
  constructor(
    private readonly pool: PgfleetPool,
    private readonly options: PrismaPgfleetOptions,
    private readonly onDispose: () => Promise<void>,
  ) {
    super(pool)
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    if (isolationLevel !== undefined && !ISOLATION_LEVELS.has(isolationLevel)) {
      throw new DriverAdapterError({ kind: 'InvalidIsolationLevel', level: isolationLevel })
    }
    const client = await this.pool.connect().catch((error: unknown) => {
      throw toAdapterError(error)
    })
    try {
      // The level is one of the four names above, never user text.
      await client.query(isolationLevel ? `BEGIN ISOLATION LEVEL ${isolationLevel}` : 'BEGIN')
    } catch (error) {
      client.release(true)
      throw toAdapterError(error)
    }
    return new PgfleetTransaction(client)
  }

  /** A migration script: one simple-protocol message, so semicolons inside strings and bodies are safe. */
  async executeScript(script: string): Promise<void> {
    try {
      await this.pool.query(script)
    } catch (error) {
      throw toAdapterError(error)
    }
  }

  getConnectionInfo(): { schemaName?: string; supportsRelationJoins: boolean } {
    return { schemaName: this.options.schema, supportsRelationJoins: true }
  }

  dispose(): Promise<void> {
    return this.onDispose()
  }

  /** The pgfleet Pool underneath. */
  underlyingDriver(): PgfleetPool {
    return this.pool
  }
}

/** Whether `value` is a pool rather than options. */
function isPool(value: unknown): value is PgfleetPool {
  const v = value as Partial<PgfleetPool> | null
  return typeof v === 'object' && v !== null && typeof v.connect === 'function' && typeof v.query === 'function' && typeof v.end === 'function'
}

/**
 * The Prisma driver adapter factory. Give it a pgfleet Pool (yours: it stays
 * open when Prisma disconnects, unless `disposeExternalPool`), or a connection
 * string or pool options (then the adapter opens a pool on `connect()` and
 * ends it when Prisma disconnects).
 *
 * @example
 * const prisma = new PrismaClient({ adapter: new PrismaPgfleet({ connectionString: url, max: 10, loadBalance: true }) })
 */
export class PrismaPgfleet implements SqlDriverAdapterFactory {
  readonly provider = 'postgres'
  readonly adapterName = ADAPTER_NAME

  constructor(
    private readonly source: PgfleetPool | string | CreatePoolOptions,
    private readonly options: PrismaPgfleetOptions = {},
  ) {}

  async connect(): Promise<SqlDriverAdapter> {
    if (isPool(this.source)) {
      const pool = this.source
      return new PgfleetAdapter(pool, this.options, async () => {
        if (this.options.disposeExternalPool) await pool.end()
      })
    }
    let pool: PgfleetPool
    try {
      pool = createPool(this.source)
    } catch (error) {
      throw toAdapterError(error)
    }
    return new PgfleetAdapter(pool, this.options, () => pool.end())
  }
}
