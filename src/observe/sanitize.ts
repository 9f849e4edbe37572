/**
 * SQL text without its values, for traces and logs: string and number
 * literals become `?`. Used for queries sent without bound parameters (their
 * values are in the text); a parameterized query's text carries `$n` instead
 * and is recorded as given (OpenTelemetry database conventions, db.query.text).
 *
 * Lexical rules from the PostgreSQL docs (4.1 Lexical Structure): '…' with ''
 * inside, E'…' with backslash escapes, $tag$…$tag$, "quoted identifiers",
 * line and nested block comments (kept as they are), numeric constants not part
 * of an identifier or a `$n` parameter.
 */
const IDENT_START = /[A-Za-z_\u0080-\uffff]/
const IDENT_WORD = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/
const NUMBER = /^(?:0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/

/** `sql` with every string and numeric literal replaced by `?`. */
export function sanitizeSql(sql: string): string {
  let out = ''
  let i = 0
  const copyTo = (stop: number) => {
    out += sql.slice(i, stop)
    i = stop
  }
  const literal = (stop: number) => {
    out += '?'
    i = stop
  }
  while (i < sql.length) {
    const c = sql[i]!
    const next = sql[i + 1] ?? ''
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i)
      copyTo(end === -1 ? sql.length : end)
    } else if (c === '/' && next === '*') copyTo(commentEnd(sql, i))
    else if (c === '"') copyTo(quotedEnd(sql, i, '"', false))
    else if (c === "'") literal(quotedEnd(sql, i, "'", false))
    // E'…' has backslash escapes; B'…', X'…' and U&'…' are literals with a prefix.
    else if ((c === 'e' || c === 'E') && next === "'") literal(quotedEnd(sql, i + 1, "'", true))
    else if (/[bBxX]/.test(c) && next === "'") literal(quotedEnd(sql, i + 1, "'", false))
    else if ((c === 'u' || c === 'U') && next === '&' && sql[i + 2] === "'") literal(quotedEnd(sql, i + 2, "'", false))
    else if (c === '$') {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length)
        literal(close === -1 ? sql.length : close + tag[0].length)
      } else copyTo(i + (/^\$\d+/.exec(sql.slice(i, i + 12))?.[0].length ?? 1)) // $n: a parameter, kept
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(next))) literal(i + NUMBER.exec(sql.slice(i, i + 64))![0].length)
    // A whole identifier or key word at once: digits inside one (t1, a$2) are not numbers.
    else if (IDENT_START.test(c)) copyTo(i + IDENT_WORD.exec(sql.slice(i))![0].length)
    else copyTo(i + 1)
  }
  return out
}

/** Index after the quote that closes the one at `start` (a doubled quote is part of the text). */
function quotedEnd(sql: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1
  while (i < sql.length) {
    const c = sql[i]!
    if (backslash && c === '\\') i += 2
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2
      else return i + 1
    } else i++
  }
  return sql.length
}

/** Index after the end of the block comment at `start` (block comments nest in PostgreSQL). */
function commentEnd(sql: string, start: number): number {
  let depth = 0
  let i = start
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++
      i += 2
    } else if (sql.startsWith('*/', i)) {
      depth--
      i += 2
      if (depth === 0) return i
    } else i++
  }
  return sql.length
}
