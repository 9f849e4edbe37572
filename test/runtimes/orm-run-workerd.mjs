// node test/runtimes/orm-run-workerd.mjs <prisma client dir> '<env json>'
// Bundles ./orm-worker.mjs with esbuild (`pg` → pgfleet/pg's workerd build,
// `prisma-workerd-client` → the generated client, its query compiler's
// `.wasm?module` import → a compiled WebAssembly module beside the script, as
// Workers load WebAssembly) and runs it in workerd through Miniflare 4, POSTs
// the env JSON and prints the JSON answer.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { printAnswer } from './workerd-answer.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const [clientDir, env] = process.argv.slice(2)
const wasm = []
const bundle = await build({
  entryPoints: [resolve(here, 'orm-worker.mjs')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  mainFields: ['module', 'main'],
  conditions: ['workerd', 'worker', 'import'],
  write: false,
  external: ['cloudflare:*', 'node:*'],
  alias: { pg: resolve(root, 'dist/pg.workerd.js'), 'prisma-workerd-client': resolve(clientDir, 'client.ts') },
  plugins: [
    {
      name: 'wasm-module',
      setup(b) {
        b.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
          const path = resolve(args.resolveDir, args.path.replace(/\?module$/, ''))
          const name = `wasm-${wasm.length}.wasm`
          wasm.push({ name, path })
          return { path: `./${name}`, external: true }
        })
      },
    },
  ],
  logLevel: 'error',
})
const mf = new Miniflare({
  modules: [
    { type: 'ESModule', path: resolve(root, 'worker.mjs'), contents: bundle.outputFiles[0].text },
    ...wasm.map((w) => ({ type: 'CompiledWasm', path: resolve(root, w.name), contents: readFileSync(w.path) })),
  ],
  modulesRoot: root,
  compatibilityDate: '2025-01-01',
})
await printAnswer(mf, env)
