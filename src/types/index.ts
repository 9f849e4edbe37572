/** Public surface of the type system: the registry, OIDs, parameter serialization, binary encoders. */
export { TypeRegistry, type TypeSpec, type NamedTypeSpec, type ValueParser, type ParserSource } from './registry.js'
export { Oid, type OidName } from './oids.js'
export { serializeParam, arrayLiteral, type SerializedParam } from './serialize.js'
export {
  encodeBool,
  encodeBytea,
  encodeDate,
  encodeFloat4,
  encodeFloat8,
  encodeInt2,
  encodeInt4,
  encodeInt8,
  encodeMicros,
  encodeOid,
  encodeTimestamptz,
  encodeUuid,
} from './binary/encoders.js'
