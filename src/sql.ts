/**
 * Tagged-template SQL. Every `${value}` becomes a bound parameter ($1, $2, ...),
 * never text in the statement; only the helpers below put text in it:
 *
 * - `sql.id('schema', 'table')` / `sql.identifier(...)`: quoted identifier parts
 *   joined by dots (`"schema"."table"`). A dot inside one part stays in the name.
 * - `sql.list([1, 2, 3])`: `$1, $2, $3`, one parameter per element
 *   (`where id in (${sql.list(ids)})`). An empty list is an error, because `in ()`
 *   is. Alternative that is one parameter whatever the length, empty included,
 *   and keeps one prepared statement: `where id = any(${ids})` (the array is bound).
 * - `sql.join(fragments, separator)`: fragments or values joined by a raw separator.
 * - `sql.unsafe(text)`: raw SQL, for text that is not user input.
 * - a `sql\`...\`` inside another is inlined, its parameters renumbered.
 *
 * ```ts
 * const where = sql`where owner = ${owner}`
 * await db.sql`select * from ${sql.id('bank', 'accounts')} ${where} and id in (${sql.list(ids)})`
 * // text: select * from "bank"."accounts" where owner = $1 and id in ($2, $3)
 * ```
 */

/** A piece of SQL with its values, built by `sql` and its helpers. */
export class SqlFragment {
  /** @internal */
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** The statement text and its parameters. */
  toQuery(): { text: string; values: unknown[] } {
    const out = { text: '', values: [] as unknown[] }
    render(this, out)
    return out
  }
}

class Raw {
  constructor(readonly text: string) {}
}

class List {
  constructor(readonly items: readonly unknown[]) {}
}

/** The tagged template: `sql\`select * from t where id = ${id}\``. */
export interface Sql {
  (strings: TemplateStringsArray, ...values: unknown[]): SqlFragment
  /** Quoted identifier, parts joined by dots: `sql.identifier('public', 't')` → `"public"."t"`. */
  identifier(...parts: string[]): SqlFragment
  /** Short for identifier. */
  id(...parts: string[]): SqlFragment
  /** One parameter per element, comma separated. */
  list(values: readonly unknown[]): SqlFragment
  /** Items (fragments or values) joined by a raw separator (default ', '). */
  join(items: readonly unknown[], separator?: string): SqlFragment
  /** Raw SQL text. Never pass user input. */
  unsafe(text: string): SqlFragment
}

function template(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw))
    throw new TypeError('sql must be used as a tagged template: sql`select ...`')
  return new SqlFragment(strings, values)
}

/** Quote one identifier: double quotes, embedded quotes doubled (as quote_ident). */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`an identifier must be a non-empty string, got ${JSON.stringify(name)}`)
  if (name.includes('\0')) throw new TypeError('an identifier cannot contain a NUL character')
  return `"${name.replaceAll('"', '""')}"`
}

function identifier(...parts: string[]): SqlFragment {
  if (parts.length === 0) throw new TypeError('sql.identifier needs at least one name')
  return raw(parts.map(quoteIdentifier).join('.'))
}

function raw(text: string): SqlFragment {
  if (typeof text !== 'string') throw new TypeError('sql.unsafe takes a string')
  return new SqlFragment(['', ''], [new Raw(text)])
}

export const sql: Sql = Object.assign(template, {
  identifier,
  id: identifier,
  unsafe: raw,
  list(values: readonly unknown[]): SqlFragment {
    if (!Array.isArray(values)) throw new TypeError('sql.list takes an array')
    if (values.length === 0) throw new RangeError('sql.list of an empty array would produce `in ()`, a syntax error; use `= any(${array})` instead')
    return new SqlFragment(['', ''], [new List(values)])
  },
  join(items: readonly unknown[], separator = ', '): SqlFragment {
    const strings = ['', ...items.slice(1).map(() => separator), '']
    return new SqlFragment(items.length === 0 ? [''] : strings, items)
  },
})

/** True for values built by `sql`. */
export function isSqlFragment(value: unknown): value is SqlFragment {
  return value instanceof SqlFragment
}

/** Text and parameters of a template call or a fragment. */
export function toQuery(strings: TemplateStringsArray | SqlFragment, values: readonly unknown[] = []): { text: string; values: unknown[] } {
  return (isSqlFragment(strings) ? strings : template(strings, ...values)).toQuery()
}

function render(fragment: SqlFragment, out: { text: string; values: unknown[] }): void {
  const { strings, values } = fragment
  out.text += strings[0]
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (isSqlFragment(value)) render(value, out)
    else if (value instanceof Raw) out.text += value.text
    else if (value instanceof List) {
      for (let j = 0; j < value.items.length; j++) {
        if (j > 0) out.text += ', '
        const item = value.items[j]
        if (isSqlFragment(item)) render(item, out)
        else out.text += param(item, out)
      }
    } else out.text += param(value, out)
    out.text += strings[i + 1]
  }
}

function param(value: unknown, out: { values: unknown[] }): string {
  out.values.push(value)
  return `$${out.values.length}`
}
