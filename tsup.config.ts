import { defineConfig } from 'tsup'

// ESM + CJS + .d.ts, no runtime dependencies (SASLprep is our own,
// src/auth/saslprep.ts, tested against @mongodb-js/saslprep).
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  external: [/^node:/, /^cloudflare:/],
  splitting: false,
  treeshake: true,
})
