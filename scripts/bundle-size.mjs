// What scripts/size.mjs and the size budget test (test/integration/bundle-size.test.ts)
// measure, in one place: an entry bundled with its dependencies by esbuild
// (--minify, ESM), then gzipped at level 9, the way an edge deployment pays
// for it. The budget itself is scripts/size-budget.json.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build, transform } from 'esbuild'

export const ROOT = new URL('..', import.meta.url).pathname

/** The figures the bundle may not grow past (gzip -9 bytes); raise them only with the reason in the commit. */
export const BUDGET = JSON.parse(readFileSync(`${ROOT}scripts/size-budget.json`, 'utf8'))

/**
 * A user's Worker that imports `connect` alone, resolved through package.json
 * ("pgfleet" refers to this package itself) under the workerd condition, as
 * wrangler does: what is left is what `connect` cannot do without.
 */
export const CONNECT_ONLY = "import { connect } from 'pgfleet'\nexport { connect }\n"

/**
 * The same two bundles built from src (for the per-module bytes of --metafile
 * and the tree-shaking test): the workerd entry itself (an entry point, since
 * re-exporting it would let "sideEffects": false drop its installRuntime
 * call), and `connect` with the workerd runtime installed as
 * src/index.workerd.ts does.
 */
export const SRC_WORKERD = 'src/index.workerd.ts'
export const SRC_CONNECT_ONLY = [
  "import { installRuntime } from './src/runtime.ts'",
  "import { workerdRuntime } from './src/transport/cloudflare.ts'",
  'installRuntime(workerdRuntime)',
  "export { connect } from './src/api.ts'",
  '',
].join('\n')

/**
 * Bundle `entry` (a path under the root) or `source` (module text resolved
 * from the root); `workerd` resolves package exports with the workerd
 * condition and leaves cloudflare:* and node:* external.
 */
export async function measure({ entry, source, platform = 'neutral', external = [], workerd = false, metafile = false }) {
  const result = await build({ ...buildOptions({ entry, source, platform, external, workerd }), minify: true, metafile })
  const bytes = result.outputFiles[0].contents
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length, text: result.outputFiles[0].text, metafile: result.metafile }
}

function buildOptions({ entry, source, platform = 'neutral', external = [], workerd = false }) {
  return {
    ...(entry ? { entryPoints: [`${ROOT}${entry}`] } : { stdin: { contents: source, resolveDir: ROOT, sourcefile: 'entry.ts', loader: 'ts' } }),
    bundle: true,
    format: 'esm',
    platform,
    target: 'es2022',
    external: workerd ? ['cloudflare:*', 'node:*', ...external] : external,
    conditions: workerd ? ['workerd', 'worker'] : [],
    write: false,
    logLevel: 'silent',
    // Neutral platform: resolve packages' "main" as Node would for CJS deps.
    mainFields: platform === 'neutral' ? ['module', 'main'] : undefined,
  }
}

/**
 * Each source file's share of the gzipped bundle, largest first: the bytes
 * gzip -9 saves when that file's minified code is left out of the bundle
 * (the shares add up to about the whole; a file whose text repeats another's
 * costs less than its size). Names are minified over the whole bundle, with
 * whitespace kept so that esbuild's `// path` line before each file's code
 * splits it; each part then loses its whitespace on its own.
 */
export async function gzipShares(what) {
  const result = await build({ ...buildOptions(what), minifyIdentifiers: true, minifySyntax: true })
  const pieces = result.outputFiles[0].text.split(/^\/\/ (\S+)\n/m)
  const parts = [{ path: '(entry)', text: pieces[0] }]
  for (let i = 1; i < pieces.length; i += 2) parts.push({ path: pieces[i], text: pieces[i + 1] })
  // The bundle's export list names code of every file: its own part, kept as it is.
  const last = parts[parts.length - 1]
  const exports = /^export\s*\{[^}]*\};?\s*$/m.exec(last.text)
  if (exports) last.text = last.text.slice(0, exports.index)
  for (const part of parts) part.text = (await transform(part.text, { minifyWhitespace: true, target: 'es2022' })).code
  if (exports) parts.push({ path: '(exports)', text: exports[0].replace(/\s+/g, '') })
  const gzip = (text) => gzipSync(text, { level: 9 }).length
  const whole = gzip(parts.map((p) => p.text).join(''))
  return parts
    .map(({ path }, i) => ({ path, minified: parts[i].text.length, gzip: whole - gzip(parts.filter((_, j) => j !== i).map((p) => p.text).join('')) }))
    .sort((a, b) => b.gzip - a.gzip)
}

/** Bytes each source file contributes to a metafile's one output, largest first. */
export function perModule(metafile) {
  const output = Object.values(metafile.outputs)[0]
  return Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
}
