import { defineConfig } from 'vitest/config'

// Two projects: `unit` needs nothing; `integration` starts real PostgreSQL
// servers once (test/support/global-setup.ts) and fails if it cannot.
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
