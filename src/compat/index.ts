/**
 * pgfleet/pg: a drop-in for the parts of `pg` that applications and ORMs
 * (Kysely, Drizzle, Prisma's adapter-pg) use, on pgfleet sessions: the same
 * option names, result shape, callbacks and promises, events and default type
 * parsing; connections go through pgfleet's balancer.
 */
import { Client } from './client.js'
import { escapeIdentifier, escapeLiteral } from './escape.js'
import { types } from './pg-types.js'
import { Pool } from './pool.js'
import { Query } from './query.js'
import { defaults } from './defaults.js'
import { PgError as DatabaseError } from '../errors.js'

export { Client, type NoticeMessage } from './client.js'
export { Pool, type PgPoolConfig as PoolConfig, type PoolClient } from './pool.js'
export { types, builtins, PgTypes as TypeOverrides, type CustomTypesConfig, type PgTypeParser } from './pg-types.js'
export type { PgClientConfig as ClientConfig } from './config.js'
export type { QueryConfig, QueryResult, FieldDef } from './result.js'
export { escapeIdentifier, escapeLiteral } from './escape.js'
export { Query } from './query.js'
export { defaults } from './defaults.js'
export { PgError as DatabaseError } from '../errors.js'

/** `import pg from 'pgfleet/pg'` works as `import pg from 'pg'`. */
const pg = { Client, Pool, Query, types, defaults, escapeIdentifier, escapeLiteral, DatabaseError }
export default pg
