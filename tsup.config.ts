import { defineConfig } from 'tsup'

// ESM + CJS + .d.ts, no runtime dependencies (SASLprep is our own,
// src/auth/saslprep.ts, tested against @mongodb-js/saslprep).
// One entry per runtime, each importing only its own transport, chosen by
// package.json export conditions (workerd, bun, deno, node/default).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'index.bun': 'src/index.bun.ts',
    'index.deno': 'src/index.deno.ts',
    'index.workerd': 'src/index.workerd.ts',
    pg: 'src/pg.ts',
    'pg.workerd': 'src/pg.workerd.ts',
    otel: 'src/otel.ts',
    prisma: 'src/prisma.ts',
    'prisma.workerd': 'src/prisma.workerd.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  external: [/^node:/, /^cloudflare:/],
  // Keep the node: prefix (tsup strips it by default; Deno needs it).
  removeNodeProtocol: false,
  splitting: false,
  treeshake: true,
})
