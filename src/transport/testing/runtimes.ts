/**
 * Every runtime pgfleet ships, by name, for the tests that check each one
 * against its capability row (a runtime's row lives in its own file).
 */
import type { RuntimeEnvironment } from '../../runtime.js'
import { bunRuntime } from '../bun.js'
import { workerdRuntime } from '../cloudflare.js'
import { denoRuntime } from '../deno.js'
import { nodeRuntime } from '../node.js'

export const RUNTIMES = { node: nodeRuntime, bun: bunRuntime, deno: denoRuntime, workerd: workerdRuntime } as const satisfies Record<string, RuntimeEnvironment>

export type RuntimeName = keyof typeof RUNTIMES

export const RUNTIME_NAMES = Object.keys(RUNTIMES) as RuntimeName[]

/** The capability row of `runtime`. */
export const capabilitiesOf = (runtime: RuntimeName) => RUNTIMES[runtime].capabilities
