/**
 * The runtime a build entry runs on (Node, Bun, Deno, Workers): how to dial,
 * read certificate files and see the environment. Each entry point
 * (src/entry/*.ts) installs its own before anything connects.
 */
import { ConfigError } from './errors.js'
import type { Runtime } from './connection/startup.js'

export type { Runtime }

/** A runtime plus what parseConfig reads from it. */
export interface RuntimeEnvironment extends Runtime {
  /** Name shown in errors. */
  name: string
  /** PG* variables; {} where the runtime has no environment. */
  env(): Readonly<Record<string, string | undefined>>
}

let installed: RuntimeEnvironment | undefined

/** Install the default runtime (done by the package entry point). */
export function installRuntime(runtime: RuntimeEnvironment): void {
  installed = runtime
}

/** The runtime to use when the caller gave none. */
export function defaultRuntime(): RuntimeEnvironment {
  if (!installed)
    throw new ConfigError('no runtime installed: import pgfleet through its package entry, or pass { runtime }', { option: 'runtime' })
  return installed
}
