/**
 * Text-format arrays (PostgreSQL docs 8.15.6, "Array Input and Output Syntax";
 * array_out in src/backend/utils/adt/arrayfuncs.c):
 *   `{1,2,3}`  `{{1,2},{3,4}}`  `{"a b","c\"d",NULL}`  `{}`  `[0:1]={7,8}`
 * Elements are double-quoted when empty, equal to NULL (any case), or holding
 * braces, quotes, backslashes, the delimiter or whitespace; inside quotes a
 * backslash escapes the next character. An unquoted NULL is SQL NULL. The
 * delimiter is ',' except for box (';'). Lower bounds other than 1 are printed
 * as a `[lo:hi]=` prefix, which is skipped: JS arrays start at 0.
 */
import { emptyArray } from '../fresh-arrays.js'

const LBRACE = 0x7b
const RBRACE = 0x7d
const QUOTE = 0x22
const BACKSLASH = 0x5c

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d)
}

/** Parse an array literal; each non-NULL element string goes through `parseElement`. */
export function parseArray<T>(text: string, parseElement: (text: string) => T, delimiter = ','): unknown[] {
  const n = text.length
  const delim = delimiter.charCodeAt(0)
  let i = 0
  if (text.charCodeAt(0) === 0x5b) {
    // Dimension decoration `[1:2][0:1]=`.
    i = text.indexOf('=') + 1
    if (i === 0) throw new SyntaxError(`malformed array literal: ${JSON.stringify(text)}`)
  }
  if (text.charCodeAt(i) !== LBRACE) throw new SyntaxError(`malformed array literal: ${JSON.stringify(text)}`)
  const root = emptyArray()
  const stack: unknown[][] = []
  let current = root
  i++
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === LBRACE) {
      const inner = emptyArray()
      current.push(inner)
      stack.push(current)
      current = inner
      i++
    } else if (c === RBRACE) {
      const outer = stack.pop()
      if (outer === undefined) return root
      current = outer
      i++
    } else if (c === delim || isSpace(c)) {
      i++
    } else if (c === QUOTE) {
      let s = ''
      let start = ++i
      for (;;) {
        const q = text.charCodeAt(i)
        if (q === QUOTE) break
        if (q === BACKSLASH) {
          s += text.slice(start, i)
          start = ++i
        } else if (Number.isNaN(q)) {
          throw new SyntaxError(`malformed array literal (unterminated quote): ${JSON.stringify(text)}`)
        }
        i++
      }
      s += text.slice(start, i)
      i++
      current.push(parseElement(s))
    } else {
      let s = ''
      let start = i
      let escaped = false
      for (;;) {
        const q = text.charCodeAt(i)
        if (q === delim || q === RBRACE || Number.isNaN(q)) break
        if (q === BACKSLASH) {
          escaped = true
          s += text.slice(start, i)
          start = ++i
        }
        i++
      }
      s += text.slice(start, i)
      let end = s.length
      while (end > 0 && isSpace(s.charCodeAt(end - 1))) end--
      if (end !== s.length) s = s.slice(0, end)
      current.push(s.length === 4 && !escaped && s.toUpperCase() === 'NULL' ? null : parseElement(s))
    }
  }
  throw new SyntaxError(`malformed array literal (unbalanced braces): ${JSON.stringify(text)}`)
}
