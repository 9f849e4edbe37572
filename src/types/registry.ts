/**
 * A per-client type registry: no global mutable table (pg's `types.setTypeParser`
 * changes every client in the process). `new TypeRegistry()` knows the built-in
 * types; `register` adds or replaces one, and its array type with it.
 *
 * Every registry reads the built-ins from one shared, read-only table and
 * keeps only its own registrations: a session costs no copy of the built-ins,
 * and one session's registrations never reach another. Until a registry
 * registers something its column parsers are the shared ones too.
 *
 * ```ts
 * const types = new TypeRegistry()
 *   .register({ oid: 20, parse: Number })                // int8 as number (lossy above 2^53)
 *   .registerByName('mood')                              // an enum: OID looked up in pg_type
 * ```
 */
import { decodeArray } from './binary/array.js'
import { copyRange } from './binary/scalars.js'
import { BUILTIN_CODECS, type RangeParser, type TypeCodec } from './builtins.js'
import { BUILTIN_ARRAYS } from './oids.js'
import { type SerializedParam, serializeParam } from './serialize.js'
import { parseArray } from './text/array.js'
import { parseString } from './text/scalars.js'
import { utf8DecodeRange } from './utf8.js'

export type { RangeParser } from './builtins.js'

/** A parser for one column value (never called for NULL); `bytes` is a view of just that value (on Node a Buffer: its slice() is no copy). */
export type ValueParser = (bytes: Uint8Array) => unknown

/**
 * Where the row pipeline (connection/result.ts) gets its column parsers. A
 * TypeRegistry is one; the pg facade plugs pg-types in as another
 * (`pgParsers` in compat/pg-types.ts), so both APIs decode rows in one pass
 * on one path.
 */
export interface ParserSource {
  /** The parser for every non-NULL value of a column of type `oid` in `format` (0 text, 1 binary). */
  parserFor(oid: number, format: 0 | 1): ValueParser
  /**
   * The same parser reading the value where it lies in its frame (no view per
   * value). Preferred by the row pipeline; without it, parserFor's parser gets
   * a view of each value.
   */
  rangeParserFor?(oid: number, format: 0 | 1): RangeParser
  /** Whether a cached statement should ask for `oid` in binary. */
  hasBinaryDecoder(oid: number): boolean
  /**
   * Changes whenever parserFor may answer differently: a row builder kept for a
   * cached statement is reused only while it holds. Absent: the answers may
   * change at any time (pg's process-wide setTypeParser), so nothing is kept.
   */
  readonly version?: number
}

/** A user type. */
export interface TypeSpec {
  oid: number
  /** The OID of the type's array (pg_type.typarray); its values are parsed element by element. */
  arrayOid?: number
  /** Array element delimiter (pg_type.typdelim); ',' for all but box. */
  delimiter?: string
  name?: string
  /** Text format; default: the string itself (right for enums and domains over text). */
  parse?: (text: string) => unknown
  /**
   * Binary format. When absent the registry asks for text for this type.
   * `bytes` is a plain Uint8Array view of the value inside the frame it arrived
   * in (also on Node, where frames are Buffers): keep a copy (`bytes.slice()`), not the view.
   */
  parseBinary?: (bytes: Uint8Array) => unknown
  /** Serializes parameter values that `match` accepts: a string is sent as text, bytes as binary, both with `oid`. */
  serialize?: (value: unknown) => string | Uint8Array
  /** Which parameter values `serialize` handles. */
  match?: (value: unknown) => boolean
}

/** What `registerByName` keeps until the connection resolves the name. */
export type NamedTypeSpec = Omit<TypeSpec, 'oid' | 'arrayOid' | 'name'>

interface ArrayInfo {
  elementOid: number
  delimiter: string
}

interface Serializer {
  oid: number
  match: (value: unknown) => boolean
  serialize: (value: unknown) => string | Uint8Array
}

/** The built-in array types, shared by every registry (read-only). */
const BUILTIN_ARRAY_INFO: ReadonlyMap<number, ArrayInfo> = new Map(
  [...BUILTIN_ARRAYS].map(([arrayOid, [elementOid, delimiter]]) => [arrayOid, { elementOid, delimiter }]),
)

/**
 * parserFor results of every registry without registrations of its own. They
 * depend only on the read-only built-in tables, so one cache serves all.
 */
const BUILTIN_PARSERS = new Map<number, RangeParser>()
const BUILTIN_VIEW_PARSERS = new Map<number, ValueParser>()

/**
 * The own tables of a registry with no registrations (every session's, until
 * it registers something): shared and never written, so a session makes no
 * Maps of its own until its first register (see own()).
 */
const NO_CODECS: Map<number, TypeCodec> = new Map()
const NO_ARRAYS: Map<number, ArrayInfo> = new Map()
const NO_PENDING: Map<string, NamedTypeSpec> = new Map()
const NO_SERIALIZERS: Serializer[] = []

/** Types by OID, with parsers for both formats and parameter serialization. */
export class TypeRegistry implements ParserSource {
  /** This registry's own types, looked up before the shared built-ins (the shared empty NO_* tables until own()). */
  private codecs: Map<number, TypeCodec>
  private arrays: Map<number, ArrayInfo>
  private pending: Map<string, NamedTypeSpec>
  private serializers: Serializer[]
  /** rangeParserFor results, keyed `oid * 2 + format`: the shared built-in cache until the first register. */
  private parsers: Map<number, RangeParser>
  /** parserFor results (views over the range parsers), keyed as `parsers`. */
  private viewParsers: Map<number, ValueParser>
  private registrations = 0

  /** A registry with the built-in types, or a copy of `base` (its registrations included). */
  constructor(base?: TypeRegistry) {
    const copy = base !== undefined && base.codecs !== NO_CODECS
    this.codecs = copy ? new Map(base.codecs) : NO_CODECS
    this.arrays = copy ? new Map(base.arrays) : NO_ARRAYS
    this.pending = copy ? new Map(base.pending) : NO_PENDING
    this.serializers = copy ? base.serializers.slice() : NO_SERIALIZERS
    this.parsers = base && base.parsers !== BUILTIN_PARSERS ? new Map(base.parsers) : BUILTIN_PARSERS
    this.viewParsers = base && base.viewParsers !== BUILTIN_VIEW_PARSERS ? new Map(base.viewParsers) : BUILTIN_VIEW_PARSERS
  }

  /** Add or replace a type (and its array type). Replacing a built-in drops its binary decoder unless `parseBinary` is given, so text and binary never disagree. */
  register(type: TypeSpec): this {
    if (!Number.isInteger(type.oid) || type.oid <= 0) throw new RangeError(`type oid must be a positive integer, got ${type.oid}`)
    this.own()
    const codec: TypeCodec = { parse: type.parse ?? parseString }
    const parseBinary = type.parseBinary
    // A user's decoder gets a view of its value, as TypeSpec documents: a plain Uint8Array
    // even when the transport reads Node Buffers, so its slice() copies as users expect
    // (a Buffer's slice() would keep the whole socket chunk alive).
    if (parseBinary) codec.parseBinary = (bytes, start, end) => parseBinary(new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start))
    this.codecs.set(type.oid, codec)
    // A type's own codec wins over any array entry for its OID (see stringParser).
    this.arrays.delete(type.oid)
    if (type.arrayOid !== undefined && type.arrayOid > 0)
      this.arrays.set(type.arrayOid, { elementOid: type.oid, delimiter: type.delimiter ?? ',' })
    this.serializers = this.serializers.filter((s) => s.oid !== type.oid)
    if (type.serialize && type.match) this.serializers.push({ oid: type.oid, match: type.match, serialize: type.serialize })
    if (type.name !== undefined) this.pending.delete(type.name)
    // From now on this registry's parsers are its own (the shared cache stays as it is).
    this.parsers = new Map()
    this.viewParsers = new Map()
    this.registrations++
    return this
  }

  /**
   * Changes with every register: anything built from this registry's parsers
   * or binary formats (a cached statement's row builder) is stale once it moves.
   */
  get version(): number {
    return this.registrations
  }

  /**
   * Register a type whose OID differs per database (enums, domains, extension
   * types): the connection looks `pendingNames()` up in pg_type and calls
   * `resolveName` with the OIDs it found.
   */
  registerByName(name: string, type: NamedTypeSpec = {}): this {
    this.own()
    this.pending.set(name, type)
    return this
  }

  /** Names given to registerByName and not yet resolved. */
  pendingNames(): string[] {
    return [...this.pending.keys()]
  }

  /** Complete a registerByName with the type's OID and array OID (pg_type.oid, pg_type.typarray). */
  resolveName(name: string, oid: number, arrayOid?: number): this {
    const spec = this.pending.get(name)
    if (spec === undefined) throw new RangeError(`type ${JSON.stringify(name)} was not registered by name`)
    return this.register({ ...spec, name, oid, arrayOid })
  }

  /** True when the binary format of `oid` can be decoded (and is worth asking for). */
  hasBinaryDecoder(oid: number): boolean {
    const codec = this.codec(oid)
    if (codec !== undefined) return codec.parseBinary !== undefined && !codec.preferText
    const array = this.array(oid)
    const element = array && this.codec(array.elementOid)
    return element?.parseBinary !== undefined && !element.preferText
  }

  /**
   * The parser the connection calls for every value of a column. Built once per
   * (oid, format) and cached. Text is decoded once per value with a shared
   * TextDecoder; ints and bools are read from the bytes without a string.
   * Binary values with no decoder come back as a copy of their bytes.
   */
  parserFor(oid: number, format: 0 | 1): ValueParser {
    const key = oid * 2 + format
    let parser = this.viewParsers.get(key)
    if (parser === undefined) {
      const range = this.rangeParserFor(oid, format)
      parser = (bytes) => range(bytes, 0, bytes.length)
      this.viewParsers.set(key, parser)
    }
    return parser
  }

  /** parserFor's parser, reading bytes[start, end) of a frame (what the row pipeline calls). */
  rangeParserFor(oid: number, format: 0 | 1): RangeParser {
    const key = oid * 2 + format
    let parser = this.parsers.get(key)
    if (parser === undefined) {
      parser = format === 1 ? this.binaryParser(oid) : this.textParser(oid)
      this.parsers.set(key, parser)
    }
    return parser
  }

  /** Decode one value in either format. */
  decode(oid: number, format: 0 | 1, bytes: Uint8Array): unknown {
    return this.rangeParserFor(oid, format)(bytes, 0, bytes.length)
  }

  /** Parse one text-format value given as a string. */
  decodeText(oid: number, text: string): unknown {
    return this.stringParser(oid)(text)
  }

  /** Serialize parameter `index` (1-based, for error messages): registered serializers first, then the defaults. */
  serialize(value: unknown, index: number): SerializedParam {
    const serializers = this.serializers
    for (let i = 0; i < serializers.length; i++) {
      const s = serializers[i]!
      if (value !== null && value !== undefined && s.match(value)) {
        const out = s.serialize(value)
        return typeof out === 'string' ? { value: out, oid: s.oid, format: 0 } : { value: out, oid: s.oid, format: 1 }
      }
    }
    return serializeParam(value, index)
  }

  /** Tables of its own before the first write (a session that never registers makes none). */
  private own(): void {
    if (this.codecs !== NO_CODECS) return
    this.codecs = new Map()
    this.arrays = new Map()
    this.pending = new Map()
    this.serializers = []
  }

  /** Own types first, then the shared built-ins. */
  private codec(oid: number): TypeCodec | undefined {
    return this.codecs.get(oid) ?? BUILTIN_CODECS.get(oid)
  }

  private array(oid: number): ArrayInfo | undefined {
    return this.arrays.get(oid) ?? BUILTIN_ARRAY_INFO.get(oid)
  }

  private stringParser(oid: number): (text: string) => unknown {
    const codec = this.codec(oid)
    if (codec !== undefined) return codec.parse
    const array = this.array(oid)
    if (array === undefined) return parseString
    const element = this.stringParser(array.elementOid)
    const delimiter = array.delimiter
    return (text) => parseArray(text, element, delimiter)
  }

  private textParser(oid: number): RangeParser {
    const codec = this.codec(oid)
    if (codec?.parseBytes) return codec.parseBytes
    const parse = this.stringParser(oid)
    if (parse === parseString) return utf8DecodeRange
    return (bytes, start, end) => parse(utf8DecodeRange(bytes, start, end))
  }

  private binaryParser(oid: number): RangeParser {
    const codec = this.codec(oid)
    if (codec?.parseBinary) return codec.parseBinary
    const array = codec === undefined ? this.array(oid) : undefined
    const element = array && this.codec(array.elementOid)?.parseBinary
    if (element) return (bytes, start, end) => decodeArray(bytes, element, start, end)
    return copyRange
  }
}
