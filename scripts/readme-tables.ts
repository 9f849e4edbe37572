/** Write the README's option tables from the option table: `npx tsx scripts/readme-tables.ts`. */
import { readFileSync, writeFileSync } from 'node:fs'
import { renderReadmeTables } from '../src/config/option-docs.js'

const path = new URL('../README.md', import.meta.url)
const before = readFileSync(path, 'utf8')
const after = renderReadmeTables(before)
if (after !== before) writeFileSync(path, after)
console.log(after === before ? 'README.md option tables are current' : 'README.md option tables rewritten')
