/**
 * The bundle size budget (issue 14): the workerd entry as a Worker pays for
 * it (esbuild --minify, gzip -9, scripts/bundle-size.mjs) stays within
 * scripts/size-budget.json, and a Worker that imports `connect` alone leaves
 * out what `connect` does not use. Needs the build (`npx tsup`, which
 * `npm test` runs first) and esbuild's binary, so it is not a unit test.
 * Raise a budget only with the reason in the same commit.
 */
import { existsSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { BUDGET, CONNECT_ONLY, measure, perModule, ROOT, SRC_CONNECT_ONLY, SRC_WORKERD } from '../../scripts/bundle-size.mjs'

/** Source files a Worker that only calls `connect` must not carry: pools (and their node views and rebalance plans), the pg and Prisma facades, OpenTelemetry, the option docs. */
const NOT_FOR_CONNECT = [/^src\/pool\//, /^src\/balancer\/(node-views|rebalance)\.ts$/, /^src\/compat\//, /^src\/prisma\//, /^src\/otel/, /^src\/config\/option-docs\.ts$/]

describe('bundle size (workerd, esbuild --minify, gzip -9)', () => {
  test('the build exists', () => {
    expect(existsSync(`${ROOT}dist/index.workerd.js`), 'run npx tsup first').toBe(true)
  })

  test('the workerd entry is within its budget', async () => {
    const { gzipped } = await measure({ entry: 'dist/index.workerd.js', workerd: true })
    expect(gzipped, `dist/index.workerd.js is ${gzipped} B gzip; scripts/size-budget.json allows ${BUDGET.workerd}`).toBeLessThanOrEqual(BUDGET.workerd)
  })

  test('`connect` alone is within its budget and smaller than the whole entry', async () => {
    const [alone, whole] = await Promise.all([measure({ source: CONNECT_ONLY, workerd: true }), measure({ entry: 'dist/index.workerd.js', workerd: true })])
    expect(alone.gzipped, `connect alone is ${alone.gzipped} B gzip; scripts/size-budget.json allows ${BUDGET.connectOnly}`).toBeLessThanOrEqual(BUDGET.connectOnly)
    expect(alone.minified).toBeLessThan(whole.minified)
  })

  test('`connect` alone tree-shakes the pool, the facades and the docs (per source file, bundled from src)', async () => {
    const [alone, whole] = await Promise.all([
      measure({ source: SRC_CONNECT_ONLY, workerd: true, metafile: true }),
      measure({ entry: SRC_WORKERD, workerd: true, metafile: true }),
    ])
    const modules = perModule(alone.metafile!).map((m) => m.path)
    expect(modules).toContain('src/transport/cloudflare.ts')
    expect(modules.filter((path) => NOT_FOR_CONNECT.some((re) => re.test(path)))).toEqual([])
    // The whole entry has the pool; neither has the build-time docs.
    const all = perModule(whole.metafile!).map((m) => m.path)
    expect(all).toContain('src/pool/pool.ts')
    expect(all).not.toContain('src/config/option-docs.ts')
  })
})
