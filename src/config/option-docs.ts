/**
 * The README's option tables, rendered from the option table (not part of
 * the package's entry points). `npx tsx scripts/readme-tables.ts` writes
 * them into README.md between their markers; a unit test checks they match.
 */
import { OPTION_TABLE, OTHER_OPTIONS, type OptionSpec } from './option-table.js'

const code = (name: string) => `\`${name}\``
const cell = (text: string) => text.replace(/\|/g, '\\|')

/** Connection options: every spelling, the environment variable, the default and the doc line. */
export function connectionOptionsTable(): string {
  const rows = (OPTION_TABLE as readonly OptionSpec[]).filter((r) => !r.key.startsWith('ignored:'))
  const ignored = (OPTION_TABLE as readonly OptionSpec[]).filter((r) => r.key.startsWith('ignored:'))
  const lines = ['| option | environment | default | meaning |', '|---|---|---|---|']
  for (const r of rows) {
    lines.push(`| ${r.names.map(code).join(', ')} | ${r.env ? code(r.env) : '–'} | ${r.default ?? '–'} | ${cell(r.doc)} |`)
  }
  lines.push('', 'Accepted for libpq compatibility, without effect: ' + ignored.map((r) => `${r.names.map(code).join(', ')}: ${r.doc}`).join('; ') + '.')
  return lines.join('\n')
}

/** Pool options and the options that are code, not configuration. */
export function otherOptionsTable(): string {
  const lines = ['| option | taken by | default | meaning |', '|---|---|---|---|']
  for (const o of OTHER_OPTIONS) {
    const by = (o.layers as readonly string[]).includes('code') ? '`connect`, `createPool`' : '`createPool`'
    lines.push(`| ${o.names.map(code).join(', ')} | ${by} | ${'default' in o ? o.default : '–'} | ${cell(o.doc)} |`)
  }
  return lines.join('\n')
}

/** README sections by marker name: `<!-- options:NAME -->` … `<!-- /options:NAME -->`. */
export const README_TABLES: Readonly<Record<string, () => string>> = {
  connection: connectionOptionsTable,
  other: otherOptionsTable,
}

/** README text with every marked section replaced by its rendering (unchanged when already current). */
export function renderReadmeTables(readme: string): string {
  let out = readme
  for (const [name, render] of Object.entries(README_TABLES)) {
    const begin = `<!-- options:${name} -->`
    const end = `<!-- /options:${name} -->`
    const i = out.indexOf(begin)
    const j = out.indexOf(end)
    if (i < 0 || j < i) throw new Error(`README.md has no ${begin} … ${end} section`)
    out = `${out.slice(0, i + begin.length)}\n${render()}\n${out.slice(j)}`
  }
  return out
}
