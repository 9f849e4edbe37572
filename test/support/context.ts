/**
 * Type of what test/support/global-setup.ts provides: `inject('pg')` in a
 * test file returns a {@link HarnessInfo}.
 */
import type { HarnessInfo } from './cluster.js'

export type { HarnessInfo }

declare module 'vitest' {
  export interface ProvidedContext {
    pg: HarnessInfo
  }
}
