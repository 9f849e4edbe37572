/**
 * Guards of the error-code registry (src/error-codes.ts), the one home of
 * every PGFLEET_* code: the README's Errors table is generated from it, no
 * code is written as a string elsewhere in src/, and every code a comment or
 * the README names exists.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { errorCodeDocs, README_PATH, withErrorTable } from '../../scripts/error-table.js'
import { ERROR_CODES, errorCodeEntry } from '../../src/error-codes.js'

const ROOT = new URL('../..', import.meta.url).pathname
const SRC = join(ROOT, 'src')
const REGISTRY = 'src/error-codes.ts'

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/**
 * Strings that are a code, or build one: 'PGFLEET_ABORTED', 'PGFLEET_' + name,
 * `PGFLEET_${name}`. A sentence that names a code (a test title, an option's
 * doc) is prose, as a comment is; the next test checks the code it names.
 */
function codeLiterals(path: string, text = readFileSync(path, 'utf8')): Array<{ line: number; text: string }> {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true)
  const found: Array<{ line: number; text: string }> = []
  const add = (node: ts.Node, shape: string) => {
    if (/^PGFLEET_[A-Z0-9_${}]*$/.test(shape)) found.push({ line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, text: shape })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node)) add(node, node.text)
    else if (ts.isTemplateExpression(node)) add(node, [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('${}'))
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

/** Every PGFLEET_* word in `text` (a trailing `_` or `*` is a family, as in PGFLEET_TLS_*). */
function codeWords(text: string): string[] {
  return [...text.matchAll(/PGFLEET_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_]*[_*])/g)].map((m) => m[0])
}

describe('error codes: one home', () => {
  it('gives every registered code a one-line doc comment', () => {
    const docs = errorCodeDocs()
    expect([...docs.keys()]).toEqual(Object.keys(ERROR_CODES))
    for (const [name, doc] of docs) expect(doc, name).toMatch(/^\S[^\n]*\.$/)
  })

  it('README Errors table matches src/error-codes.ts', () => {
    const readme = readFileSync(README_PATH, 'utf8')
    expect(
      withErrorTable(readme) === readme,
      'README.md Errors table differs from src/error-codes.ts: run `npx tsx scripts/error-table.ts` to regenerate it',
    ).toBe(true)
  })

  it('no PGFLEET_ string in src/ outside the registry (write ErrorCode.Name)', () => {
    const offenders = sourceFiles(SRC).flatMap((path) => {
      const rel = relative(ROOT, path)
      if (rel === REGISTRY) return []
      return codeLiterals(path).map(({ line, text }) => `${rel}:${line}: '${text}'`)
    })
    expect(offenders, 'use ErrorCode.<Name> from src/errors.ts (the registry is src/error-codes.ts)').toEqual([])
  }, 30_000) // parses every source file: seconds on a loaded machine

  it('every code that src/ and the README name is registered', () => {
    const unknown = [...sourceFiles(SRC), README_PATH].flatMap((path) =>
      codeWords(readFileSync(path, 'utf8'))
        .filter((word) => errorCodeEntry(word) === undefined)
        .map((word) => `${relative(ROOT, path)}: ${word}`),
    )
    expect(unknown, 'a code that src/error-codes.ts does not list').toEqual([])
  })

  it('finds a literal that slipped back, and skips comments', () => {
    const source = [
      '// rejects with PGFLEET_ABORTED',
      "throw new ConnectionError('x', { code: 'PGFLEET_ABORTED' })",
      "it('rejects with PGFLEET_ABORTED, a title', () => {})",
      'const built = `PGFLEET_${name}`',
      "const glued = 'PGFLEET_' + name",
      'if (code === ErrorCode.Aborted) return',
    ].join('\n')
    expect(codeLiterals('probe.ts', source).map((found) => found.line)).toEqual([2, 4, 5])
    expect(codeWords('PGFLEET_TLS_* and PGFLEET_QUERY_TIMEOUT, PGFLEET_NO_HOST.')).toEqual(['PGFLEET_QUERY_TIMEOUT', 'PGFLEET_NO_HOST'])
  })
})
