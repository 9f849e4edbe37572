// node test/runtimes/transport/workerd-main.mjs '<env json>'
// Bundles worker.ts with esbuild, runs it in workerd via Miniflare 4, prints
// the scenario outcomes as one JSON line. SSL_CERT_FILE (set by the caller)
// makes the local workerd trust the test CA, standing in for a public root.
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'

const bundle = await build({
  entryPoints: [new URL('./worker.ts', import.meta.url).pathname],
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
  console.log(await response.text())
} finally {
  await mf.dispose()
}
