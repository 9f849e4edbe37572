/**
 * pg's `escapeIdentifier` and `escapeLiteral` (same output as pg 8), for code
 * that builds DDL where parameters cannot go (identifiers, SET values).
 */

/** Double-quote an identifier, doubling embedded quotes: `my"table` → `"my""table"`. */
export function escapeIdentifier(str: string): string {
  return `"${str.replace(/"/g, '""')}"`
}

/**
 * Quote a string literal, doubling single quotes; with a backslash it becomes
 * an E'' literal with backslashes doubled (as pg and libpq's PQescapeLiteral).
 */
export function escapeLiteral(str: string): string {
  let hasBackslash = false
  let escaped = "'"
  for (const c of str) {
    if (c === "'") escaped += "''"
    else if (c === '\\') {
      escaped += '\\\\'
      hasBackslash = true
    } else escaped += c
  }
  escaped += "'"
  return hasBackslash ? ` E${escaped}` : escaped
}
