// node scripts/size.mjs [--metafile] [--check]
// Bundle size, the way an edge deployment pays for it: each package's ESM
// entry bundled with its dependencies, minified by esbuild, gzipped (level 9).
// pgfleet's built entries (run `npx tsup` first), and a Worker that imports
// `connect` alone, beside postgres.js (its Cloudflare build and its Node
// build) and pg (pg-native left external). How: scripts/bundle-size.mjs.
// --metafile prints the largest source files of pgfleet's workerd bundle and
// of the connect-only one (bundled from src, so esbuild sees each module):
// minified bytes and each file's share of the gzip (scripts/bundle-size.mjs),
// then the same per folder.
// --check exits 1 when a pgfleet bundle is over scripts/size-budget.json.
import { existsSync } from 'node:fs'
import { BUDGET, CONNECT_ONLY, gzipShares, measure, ROOT, SRC_CONNECT_ONLY, SRC_WORKERD } from './bundle-size.mjs'

/** [label, what to measure, budget key] */
const targets = [
  ['pgfleet (dist/index.workerd.js)', { entry: 'dist/index.workerd.js', workerd: true }, 'workerd'],
  ["pgfleet, `connect` alone (workerd)", { source: CONNECT_ONLY, workerd: true, needs: 'dist/index.workerd.js' }, 'connectOnly'],
  ['pgfleet (dist/index.js, Node)', { entry: 'dist/index.js', platform: 'node' }],
  ['postgres.js (cf/src/index.js)', { entry: 'node_modules/postgres/cf/src/index.js', external: ['cloudflare:*', 'node:*'] }],
  ['postgres.js (src/index.js, Node)', { entry: 'node_modules/postgres/src/index.js', platform: 'node' }],
  ['pg (Node)', { entry: 'node_modules/pg/lib/index.js', platform: 'node', external: ['pg-native'] }],
]

const kb = (n) => `${(n / 1024).toFixed(1)} KB`
const rows = []
const over = []
for (const [label, { needs, ...what }, budgetKey] of targets) {
  const file = needs ?? what.entry
  if (!existsSync(`${ROOT}${file}`)) {
    rows.push([label, 'missing', file.startsWith('dist') ? '(run npx tsup)' : '(not installed)'])
    continue
  }
  const { minified, gzipped } = await measure(what)
  rows.push([label, kb(minified), kb(gzipped)])
  if (budgetKey && gzipped > BUDGET[budgetKey]) over.push(`${label}: ${gzipped} B gzip > budget ${BUDGET[budgetKey]} B`)
}

const header = ['bundle (esbuild --minify, ESM)', 'minified', 'gzip -9']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const row of rows) console.log(line(row))

if (process.argv.includes('--metafile')) {
  for (const [label, what] of [['workerd entry', { entry: SRC_WORKERD }], ['`connect` alone', { source: SRC_CONNECT_ONLY }]]) {
    const shares = await gzipShares({ ...what, workerd: true })
    const total = (key) => shares.reduce((sum, share) => sum + share[key], 0)
    console.log(`\nlargest inputs of the ${label}, bundled from src (${kb(total('minified'))} minified; each file's bytes, and the gzip -9 bytes leaving it out saves):`)
    for (const { path, minified, gzip } of shares.slice(0, 30)) console.log(String(minified).padStart(8), String(gzip).padStart(6), path)
    // The same shares summed per folder (src/connection/*.ts as one line), largest first: where the bytes are by area.
    const byFolder = new Map()
    for (const { path, minified, gzip } of shares) {
      const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : path
      const sum = byFolder.get(folder) ?? { minified: 0, gzip: 0 }
      byFolder.set(folder, { minified: sum.minified + minified, gzip: sum.gzip + gzip })
    }
    console.log(`\nthe ${label} per folder (minified bytes, gzip -9 share):`)
    for (const [folder, { minified, gzip }] of [...byFolder].sort((x, y) => y[1].gzip - x[1].gzip)) console.log(String(minified).padStart(8), String(gzip).padStart(6), folder)
  }
}

if (process.argv.includes('--check')) {
  if (over.length > 0) {
    console.error(`\nover the size budget (scripts/size-budget.json):\n${over.join('\n')}`)
    process.exit(1)
  }
  console.log(`\nwithin the size budget (workerd ${BUDGET.workerd} B, connect alone ${BUDGET.connectOnly} B gzip)`)
}
