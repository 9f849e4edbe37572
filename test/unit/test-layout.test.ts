/**
 * Guard of the test layout the README's Development section states: every
 * test file runs in exactly one vitest project (vitest.config.ts), unit tests
 * run inside this Node process (no child process: no server, no other
 * runtime, no openssl or python3), and a unit test beside the code depends on
 * no test/ helper. The few unit files still spawning something are listed
 * below with the reason; the list can only shrink.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import config from '../../vitest.config.js'

const ROOT = new URL('../..', import.meta.url).pathname
const SKIP = new Set(['node_modules', 'dist', '.git'])

/** Unit files that still start a child process, and why (owned elsewhere or by nature). */
const SPAWNING_UNITS: Record<string, string> = {
  'src/transport/node.test.ts': 'makes its certificates with the openssl CLI (fixtures would make it a unit)',
  'test/unit/fault-proxy.test.ts': 'one test runs Node itself to watch the proxy let the process exit',
}

function testFiles(dir = ''): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : testFiles(path)
    return /\.test\.[cm]?[jt]s$/.test(entry.name) ? [path] : []
  })
}

/** A vitest include glob as a RegExp: a `**` segment is any directories (or none), `*` any part of a name. */
function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    if (glob.startsWith('**/', i)) {
      source += '(?:.+/)?'
      i += 2
    } else if (glob[i] === '*') source += '[^/]*'
    else source += glob[i]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

const projects = (config.test?.projects ?? []).map((project) => {
  const test = (project as { test: { name: string; include: string[]; exclude?: string[] } }).test
  return { name: test.name, include: test.include.map(globToRegExp), exclude: (test.exclude ?? []).map(globToRegExp) }
})
const projectsOf = (file: string) => projects.filter((p) => p.include.some((r) => r.test(file)) && !p.exclude.some((r) => r.test(file))).map((p) => p.name)
const files = testFiles()
const units = files.filter((file) => projectsOf(file).includes('unit'))

describe('test layout', () => {
  it('finds the projects and the test files', () => {
    expect(projects.map((p) => p.name)).toEqual(expect.arrayContaining(['unit', 'integration']))
    expect(units).toContain('src/connection/connection.test.ts')
  })

  it('every test file runs in exactly one project', () => {
    const wrong = files.filter((file) => projectsOf(file).length !== 1).map((file) => `${file}: ${projectsOf(file).join(', ') || 'no project'}`)
    expect(wrong).toEqual([])
  })

  it('unit tests start no child process (other than the listed ones)', () => {
    const spawning = units.filter((file) => /from ['"](?:node:)?child_process['"]/.test(readFileSync(join(ROOT, file), 'utf8')))
    expect(spawning.filter((file) => !(file in SPAWNING_UNITS))).toEqual([])
  })

  it('unit tests beside the code import no test/ helper (their helpers live in src/**/testing/)', () => {
    const offenders = units.filter((file) => file.startsWith('src/') && /from ['"](?:\.\.\/)+test\//.test(readFileSync(join(ROOT, file), 'utf8')))
    expect(offenders).toEqual([])
  })

  it("unit tests beside the code import no Node built-in (those live in test/unit), except the Node transport's, as its code does", () => {
    const besideNodeCode = /^src\/transport\/node[^/]*\.test\.ts$/
    const offenders = units.filter(
      (file) => file.startsWith('src/') && !besideNodeCode.test(file) && /from ['"]node:/.test(readFileSync(join(ROOT, file), 'utf8')),
    )
    expect(offenders).toEqual([])
  })
})
