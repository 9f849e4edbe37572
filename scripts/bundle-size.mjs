// What scripts/size.mjs and the size budget test (test/integration/bundle-size.test.ts)
// measure, in one place: an entry bundled with its dependencies by esbuild
// (--minify, ESM), then gzipped at level 9, the way an edge deployment pays
// for it. The budget itself is scripts/size-budget.json.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

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
  const result = await build({
    ...(entry ? { entryPoints: [`${ROOT}${entry}`] } : { stdin: { contents: source, resolveDir: ROOT, sourcefile: 'entry.ts', loader: 'ts' } }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    external: workerd ? ['cloudflare:*', 'node:*', ...external] : external,
    conditions: workerd ? ['workerd', 'worker'] : [],
    write: false,
    metafile,
    logLevel: 'silent',
    // Neutral platform: resolve packages' "main" as Node would for CJS deps.
    mainFields: platform === 'neutral' ? ['module', 'main'] : undefined,
  })
  const bytes = result.outputFiles[0].contents
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length, text: result.outputFiles[0].text, metafile: result.metafile }
}

/** Bytes each source file contributes to a metafile's one output, largest first. */
export function perModule(metafile) {
  const output = Object.values(metafile.outputs)[0]
  return Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
}
