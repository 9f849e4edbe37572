import { defineConfig } from 'vitest/config'

// Two projects, by what a test needs (README, "Where tests live"; every test
// file is in exactly one, as test/unit/test-layout.test.ts checks):
// `unit` runs inside this Node process: beside the code (src/**/*.test.ts), or
// in test/unit when it spans modules; `integration` needs something outside
// it: the real PostgreSQL servers it starts once (test/support/global-setup.ts;
// it fails if it cannot), another runtime, or libpq.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
          // Unit tests first, then the integration project (it holds the servers).
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          // Inlined so orm-prisma.test.ts's vi.mock('pg') reaches adapter-pg's own `import pg from 'pg'`.
          server: { deps: { inline: ['@prisma/adapter-pg'] } },
        },
      },
    ],
  },
})
