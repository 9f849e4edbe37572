/**
 * Register user types by name: the OIDs of enums, domains, composites and
 * extension types differ per database, so they are looked up in pg_type
 * (`$1::regtype` accepts what SQL accepts: `mood`, `app.mood`, `"Mixed Case"`,
 * and follows search_path).
 *
 * What the server reports decides where a registration applies:
 * - enum and composite columns carry the type's own OID: `parse` gets their text;
 * - a domain column is reported as its base type (RowDescription carries the
 *   base OID), so scalar domain values parse as the base type; arrays of the
 *   domain carry the domain's array OID and are parsed with `parse`, or as the
 *   base type when no `parse` is given.
 * Register before running the queries that return the type: statements already
 * cached keep the parsers they were described with.
 */
import type { NamedTypeSpec, TypeRegistry } from '../types/registry.js'
import type { Connection } from './connection.js'

/** What pg_type says about a registered type. */
export interface TypeInfo {
  name: string
  oid: number
  arrayOid: number
  /** pg_type.typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  kind: string
  /** For a domain, its base type's OID; 0 otherwise. */
  baseOid: number
}

const LOOKUP =
  'select t.oid::int4 as oid, t.typarray::int4 as array_oid, t.typdelim::text as delimiter, t.typtype::text as kind, t.typbasetype::int4 as base_oid from pg_catalog.pg_type t where t.oid = $1::text::regtype'

interface TypeRow {
  oid: number
  array_oid: number
  delimiter: string
  kind: string
  base_oid: number
}

/** Look `name` up in pg_type and register `spec` for it (and its array type) in `registry`. */
export async function registerTypeByName(
  connection: Connection,
  registry: TypeRegistry,
  name: string,
  spec: NamedTypeSpec = {},
): Promise<TypeInfo> {
  const { rows } = await connection.query<TypeRow>(LOOKUP, [name], { prepare: false })
  const row = rows[0]
  if (!row) throw new RangeError(`type ${JSON.stringify(name)} not found`)
  const info: TypeInfo = { name, oid: row.oid, arrayOid: row.array_oid, kind: row.kind, baseOid: row.base_oid }
  const full = { ...spec }
  if (info.kind === 'd' && full.parse === undefined) {
    // Same values as the base type, in both formats.
    const base = info.baseOid
    full.parse = (text) => registry.decodeText(base, text)
    if (full.parseBinary === undefined && registry.hasBinaryDecoder(base)) full.parseBinary = (bytes) => registry.decode(base, 1, bytes)
  }
  registry.register({ ...full, name, oid: info.oid, arrayOid: info.arrayOid || undefined, delimiter: full.delimiter ?? row.delimiter })
  return info
}
