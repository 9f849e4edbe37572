/**
 * Test-only deep equality for parsed JSON: same prototype, same own keys in
 * the same order, same leaves by Object.is (so -0 is not 0). vitest's
 * toStrictEqual compares constructors, which a `constructor` key breaks.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b)
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) || Array.isArray(a) !== Array.isArray(b)) return false
  const keys = Reflect.ownKeys(a)
  const other = Reflect.ownKeys(b)
  if (keys.length !== other.length || keys.some((k, i) => k !== other[i])) return false
  return keys.every((k) => sameValue((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k]))
}
