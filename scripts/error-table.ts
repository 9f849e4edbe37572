// npx tsx scripts/error-table.ts [--check]
// Writes the README's "Errors" table from the error-code registry
// (src/error-codes.ts), between the two error-table markers. --check writes
// nothing and exits 1 when the README's table differs. The unit test
// test/unit/error-codes.test.ts makes the same comparison.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { ERROR_CODES, type RetrySafety } from '../src/error-codes.js'

/** The README this script maintains. */
export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url))
const REGISTRY_PATH = fileURLToPath(new URL('../src/error-codes.ts', import.meta.url))

const BEGIN = '<!-- error-table:begin (generated from src/error-codes.ts by `npx tsx scripts/error-table.ts`; do not edit by hand) -->'
const END = '<!-- error-table:end -->'

const RETRY: Record<`${RetrySafety}`, string> = { true: 'yes', false: 'no', unsent: 'if not sent', varies: 'varies' }

/** Each registry name's doc comment, read from src/error-codes.ts (the comments are not in the runtime object). */
export function errorCodeDocs(source = readFileSync(REGISTRY_PATH, 'utf8')): Map<string, string> {
  const file = ts.createSourceFile(REGISTRY_PATH, source, ts.ScriptTarget.Latest, true)
  const docs = new Map<string, string>()
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText(file) === 'REGISTRY') {
      let value = node.initializer
      while (value && (ts.isSatisfiesExpression(value) || ts.isAsExpression(value))) value = value.expression
      if (!value || !ts.isObjectLiteralExpression(value)) throw new Error('src/error-codes.ts: REGISTRY is not an object literal')
      for (const property of value.properties) {
        const comment = ts.getJSDocCommentsAndTags(property).find(ts.isJSDoc)?.comment
        docs.set(property.name!.getText(file), typeof comment === 'string' ? comment : '')
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return docs
}

/** The table, one row a code, in registry order. */
export function renderErrorTable(docs = errorCodeDocs()): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([name, entry]) =>
      `| \`${entry.code}\` | \`${entry.class}\` | ${RETRY[`${entry.safeToRetry}`]} | ${(docs.get(name) ?? '').replaceAll('|', '\\|')} |`,
  )
  return ['| code | class | safe to retry | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** `readme` with the text between the markers replaced by the current table. */
export function withErrorTable(readme: string): string {
  const begin = readme.indexOf(BEGIN)
  const end = readme.indexOf(END)
  if (begin < 0 || end < begin) throw new Error(`README.md has no error-table markers (${BEGIN} ... ${END})`)
  return `${readme.slice(0, begin + BEGIN.length)}\n${renderErrorTable()}\n${readme.slice(end)}`
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = readFileSync(README_PATH, 'utf8')
  const updated = withErrorTable(readme)
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md: the Errors table differs from src/error-codes.ts; run `npx tsx scripts/error-table.ts`')
      process.exit(1)
    }
  } else if (updated !== readme) {
    writeFileSync(README_PATH, updated)
    console.log('README.md: Errors table updated')
  }
}
