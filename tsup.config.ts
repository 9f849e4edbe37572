import { defineConfig } from 'tsup'

// ESM + CJS + .d.ts. Dev dependencies such as @mongodb-js/saslprep are bundled
// so the published package has no runtime dependencies.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  noExternal: ['@mongodb-js/saslprep'],
  external: [/^node:/, /^cloudflare:/],
  splitting: false,
  treeshake: true,
})
