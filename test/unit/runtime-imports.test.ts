/**
 * Guard: pgfleet runs where Node's built-ins do not exist (Deno without
 * compat, Cloudflare Workers). Only the Node and Bun runtimes
 * (src/transport/node*.ts, src/transport/bun.ts; Bun has Node's built-ins) and
 * their entries (src/index.ts, src/index.bun.ts, and pgfleet/pg's src/pg.ts)
 * may import a
 * Node built-in (`node:*` or a bare name such as `net`) or use the `Buffer` and
 * `process` globals. The check reads each file's syntax tree (TypeScript's
 * parser), so comments and property names (`socket.process`) never count.
 * Unit tests (*.test.ts) and test helpers (testing/ directories) run only on
 * Node and are skipped; the last test proves shipped code never imports them.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = new URL('../..', import.meta.url).pathname
const SRC = join(ROOT, 'src')

const NODE_ALLOWED = [/^src\/transport\/node[^/]*\.ts$/, /^src\/transport\/bun\.ts$/, /^src\/index\.ts$/, /^src\/index\.bun\.ts$/, /^src\/pg\.ts$/, /^src\/pg\.bun\.ts$/]
const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')))
const NODE_GLOBALS = new Set(['Buffer', 'process'])
const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'self', 'window'])

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/** Whether a module specifier names a Node built-in (`node:net`, `net`, `fs/promises`). */
function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!)
}

interface Finding {
  line: number
  what: string
}

/** Every module specifier the file imports or re-exports (static, type-only, dynamic, require). */
function moduleSpecifiers(file: ts.SourceFile): Array<{ specifier: string; line: number }> {
  const found: Array<{ specifier: string; line: number }> = []
  const add = (node: ts.Node, literal: ts.Expression | undefined) => {
    if (literal && ts.isStringLiteralLike(literal)) {
      found.push({ specifier: literal.text, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 })
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier)
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression)
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node, node.arguments[0])
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal)
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

/** Uses of the Buffer / process globals: identifiers in value or type position, not property names. */
function nodeGlobalUses(file: ts.SourceFile): Finding[] {
  const found: Finding[] = []
  const at = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text)) {
      const parent = node.parent
      const isMemberName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        ((ts.isPropertyAssignment(parent) ||
          ts.isPropertySignature(parent) ||
          ts.isPropertyDeclaration(parent) ||
          ts.isMethodDeclaration(parent) ||
          ts.isMethodSignature(parent) ||
          ts.isGetAccessor(parent) ||
          ts.isSetAccessor(parent)) &&
          parent.name === node) ||
        (ts.isQualifiedName(parent) && parent.right === node)
      const viaGlobalObject =
        ts.isPropertyAccessExpression(parent) &&
        parent.name === node &&
        ts.isIdentifier(parent.expression) &&
        GLOBAL_OBJECTS.has(parent.expression.text)
      if (!isMemberName || viaGlobalObject) found.push({ line: at(node), what: node.text })
    } else if (
      ts.isElementAccessExpression(node) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      NODE_GLOBALS.has(node.argumentExpression.text)
    ) {
      found.push({ line: at(node), what: `[${JSON.stringify(node.argumentExpression.text)}]` })
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
}

const files = sourceFiles(SRC).map((path) => ({ path, rel: relative(ROOT, path), ast: parse(path) }))
const restricted = files.filter((f) => !NODE_ALLOWED.some((re) => re.test(f.rel)))

describe('runtime-neutral sources', () => {
  it('scans the source tree, including the runtime entries and transports', () => {
    const names = files.map((f) => f.rel)
    expect(names).toEqual(expect.arrayContaining(['src/index.ts', 'src/index.workerd.ts', 'src/transport/node.ts', 'src/transport/deno.ts', 'src/public.ts']))
    expect(restricted.length).toBeGreaterThan(30)
  })

  it('the checker tells uses from comments and property names', () => {
    const sample = ts.createSourceFile(
      'sample.ts',
      [
        "import net from 'net'",
        "import type { Socket } from 'node:tls'",
        '// Buffer and process in a comment, and require("fs")',
        '/* import x from "node:fs" */',
        'const a = { process: 1, Buffer: 2 }',
        'a.process; a.Buffer',
        "const s = 'process.env is just text'",
        'process.env.X',
        'Buffer.from([])',
        'globalThis.process',
        "globalThis['Buffer']",
        "await import('node:zlib')",
        "require('fs/promises')",
        'let b: Buffer',
      ].join('\n'),
      ts.ScriptTarget.Latest,
      true,
    )
    expect(moduleSpecifiers(sample).filter((m) => isNodeBuiltin(m.specifier)).map((m) => m.line)).toEqual([1, 2, 12, 13])
    expect(nodeGlobalUses(sample).map((u) => u.line)).toEqual([8, 9, 10, 11, 14])
    expect(isNodeBuiltin('./net.js')).toBe(false)
    expect(isNodeBuiltin('cloudflare:sockets')).toBe(false)
  })

  it('no file outside the Node transport and the Node/Bun entries imports a Node built-in', () => {
    const offenders = restricted.flatMap((f) =>
      moduleSpecifiers(f.ast)
        .filter((m) => isNodeBuiltin(m.specifier))
        .map((m) => `${f.rel}:${m.line} imports ${m.specifier}`),
    )
    expect(offenders).toEqual([])
  })

  it('no file outside the Node transport and the Node/Bun entries uses Buffer or process', () => {
    const offenders = restricted.flatMap((f) => nodeGlobalUses(f.ast).map((u) => `${f.rel}:${u.line} uses ${u.what}`))
    expect(offenders).toEqual([])
  })

  it('shipped sources never import test helpers (testing/ directories, *.test.ts)', () => {
    const offenders = files.flatMap((f) =>
      moduleSpecifiers(f.ast)
        .filter((m) => m.specifier.startsWith('.') && (/(^|\/)testing\//.test(m.specifier) || m.specifier.includes('.test.')))
        .map((m) => `${f.rel}:${m.line} imports ${m.specifier}`),
    )
    expect(offenders).toEqual([])
  })
})
