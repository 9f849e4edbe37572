/**
 * Text-format composite values (PostgreSQL docs 8.16.6, "Composite Type Input
 * and Output Syntax"; record_out in src/backend/utils/adt/rowtypes.c):
 *   `(1,"a b",)`  → ['1', 'a b', null]
 * An empty unquoted field is NULL; `""` is the empty string. Inside quotes a
 * doubled quote or a backslash-escaped character stands for itself.
 */

const QUOTE = '"'
const BACKSLASH = '\\'

/** Split a composite literal into its field texts (null for NULL fields), to be parsed per field type. */
export function parseComposite(text: string): (string | null)[] {
  const n = text.length
  if (text[0] !== '(' || text[n - 1] !== ')') throw new SyntaxError(`malformed record literal: ${JSON.stringify(text)}`)
  const fields: (string | null)[] = []
  let i = 1
  for (;;) {
    let value = ''
    let quotedOrNonEmpty = false
    while (i < n - 1 && text[i] !== ',') {
      const c = text[i]!
      quotedOrNonEmpty = true
      if (c === QUOTE) {
        i++
        for (;;) {
          if (i >= n - 1) throw new SyntaxError(`unterminated quoted field in record literal: ${JSON.stringify(text)}`)
          const q = text[i]!
          if (q === QUOTE) {
            if (text[i + 1] === QUOTE) {
              value += QUOTE
              i += 2
              continue
            }
            i++
            break
          }
          if (q === BACKSLASH) {
            value += text[i + 1] ?? ''
            i += 2
            continue
          }
          value += q
          i++
        }
      } else if (c === BACKSLASH) {
        value += text[i + 1] ?? ''
        i += 2
      } else {
        value += c
        i++
      }
    }
    fields.push(quotedOrNonEmpty ? value : null)
    if (i >= n - 1) return fields
    i++ // the comma
  }
}
