// node scripts/size.mjs [--metafile]
// Bundle size, the way an edge deployment pays for it: each package's ESM
// entry bundled with its dependencies, minified by esbuild, gzipped (level 9).
// pgfleet's built entries (run `npx tsup` first) beside postgres.js (its
// Cloudflare build and its Node build) and pg (pg-native left external).
// --metafile prints the largest source files in pgfleet's workerd bundle
// (bundled from src/index.workerd.ts, so esbuild sees each module).
import { existsSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname

/** [label, entry, platform, externals] */
const targets = [
  ['pgfleet (dist/index.workerd.js)', 'dist/index.workerd.js', 'neutral', ['cloudflare:*']],
  ['pgfleet (dist/index.js, Node)', 'dist/index.js', 'node', []],
  ['postgres.js (cf/src/index.js)', 'node_modules/postgres/cf/src/index.js', 'neutral', ['cloudflare:*', 'node:*']],
  ['postgres.js (src/index.js, Node)', 'node_modules/postgres/src/index.js', 'node', []],
  ['pg (Node)', 'node_modules/pg/lib/index.js', 'node', ['pg-native']],
]

async function measure(entry, platform, external, metafile = false) {
  const result = await build({
    entryPoints: [`${root}${entry}`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    external,
    write: false,
    metafile,
    logLevel: 'silent',
    // Neutral platform: resolve packages' "main" as Node would for CJS deps.
    mainFields: platform === 'neutral' ? ['module', 'main'] : undefined,
  })
  const bytes = result.outputFiles[0].contents
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length, metafile: result.metafile }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`
const rows = []
for (const [label, entry, platform, external] of targets) {
  if (!existsSync(`${root}${entry}`)) {
    rows.push([label, 'missing', entry.startsWith('dist') ? '(run npx tsup)' : '(not installed)'])
    continue
  }
  const { minified, gzipped } = await measure(entry, platform, external)
  rows.push([label, kb(minified), kb(gzipped)])
}

const header = ['bundle (esbuild --minify, ESM)', 'minified', 'gzip -9']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const row of rows) console.log(line(row))

if (process.argv.includes('--metafile')) {
  const { metafile } = await measure('src/index.workerd.ts', 'neutral', ['cloudflare:*'], true)
  const output = Object.values(metafile.outputs)[0]
  console.log('\nlargest inputs of the workerd bundle (bytes in minified output):')
  const inputs = Object.entries(output.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
  for (const [path, { bytesInOutput }] of inputs.slice(0, 25)) console.log(String(bytesInOutput).padStart(8), path)
}
