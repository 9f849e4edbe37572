// node test/runtimes/run-in-workerd.mjs <worker entry> '<env json>'
// Bundles the worker entry (.mjs or .ts) with esbuild, runs it in workerd
// through Miniflare 4, POSTs the env JSON to it and prints its JSON answer.
// SSL_CERT_FILE (set by the caller) makes the local workerd trust the test CA
// in place of a public root.
import { resolve } from 'node:path'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { printAnswer } from './workerd-answer.mjs'

const [entry, env] = process.argv.slice(2)
const bundle = await build({
  entryPoints: [resolve(entry)],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  write: false,
  external: ['cloudflare:*'],
  logLevel: 'error',
})
const mf = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: '2025-01-01' })
await printAnswer(mf, env)
