// node test/runtimes/smoke/workerd-main.mjs '<SmokeEnv json>'
// Bundles worker.mjs (with the built dist/index.workerd.js) using esbuild, runs
// it in workerd through Miniflare 4, sends one request and prints the report
// JSON line. SSL_CERT_FILE (set by the caller) makes the local workerd trust
// the test CA in place of a public root.
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'

const bundle = await build({
  entryPoints: [new URL('./worker.mjs', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  write: false,
  external: ['cloudflare:*'],
  logLevel: 'error',
})
const mf = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: '2025-01-01' })
try {
  const response = await mf.dispatchFetch('http://worker/', { method: 'POST', body: process.argv[2] })
  const text = await response.text()
  if (!response.ok) throw new Error(`worker answered ${response.status}: ${text}`)
  console.log(text.trim())
} finally {
  await mf.dispose()
}
