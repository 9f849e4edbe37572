/**
 * The facade applies pg's parsers itself (pg-types.ts), so the sessions under
 * it must hand back every value as the text the server printed: this turns a
 * session's registry into one that parses nothing and never asks for binary
 * results. Unknown OIDs are already returned as text.
 */
import { BUILTIN_CODECS } from '../types/builtins.js'
import { BUILTIN_ARRAYS } from '../types/oids.js'
import type { TypeRegistry } from '../types/registry.js'
import { parseString } from '../types/text/scalars.js'

const RAW_OIDS: readonly number[] = [...new Set([...BUILTIN_CODECS.keys(), ...BUILTIN_ARRAYS.keys()])]

/** Make `registry` return raw text for every built-in type (idempotent). */
export function useRawText(registry: TypeRegistry): void {
  for (const oid of RAW_OIDS) registry.register({ oid, parse: parseString })
}
