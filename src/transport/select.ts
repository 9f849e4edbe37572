/**
 * Picks the transport for the runtime we are on. Each transport is loaded with
 * a dynamic import, so a runtime never evaluates another's module (and Node's
 * `node:net` never reaches a Worker). The package.json export conditions
 * (workerd, bun, deno, node) can pin the choice at build time instead.
 */
import { ConfigError } from '../errors.js'
import type { Dial } from './socket.js'

/** The built-in transports. */
export type TransportName = 'node' | 'bun' | 'deno' | 'cloudflare'

/** What the `transport` option accepts: a built-in name, or your own Dial. */
export type TransportOption = TransportName | Dial

const NAMES: readonly TransportName[] = ['node', 'bun', 'deno', 'cloudflare']

/** The runtime this code runs on, from its globals (Bun and Deno also define `process`). */
export function detectRuntime(global: object = globalThis): TransportName {
  const g = global as { Deno?: unknown; Bun?: unknown; navigator?: { userAgent?: unknown } }
  if (g.Deno !== undefined) return 'deno'
  if (g.Bun !== undefined) return 'bun'
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'cloudflare'
  return 'node'
}

/** Load one built-in transport's Dial. */
export async function loadTransport(name: TransportName): Promise<Dial> {
  switch (name) {
    case 'node':
      return (await import('./node.js')).dialNode
    case 'bun':
      return (await import('./bun.js')).dialBun
    case 'deno':
      return (await import('./deno.js')).dialDeno
    case 'cloudflare':
      return (await import('./cloudflare.js')).dialCloudflare
  }
}

/**
 * The Dial to use: `override` when given (a Dial, or the name of a built-in
 * transport), else the one for the detected runtime.
 */
export async function defaultDial(override?: TransportOption | string): Promise<Dial> {
  if (typeof override === 'function') return override
  if (override === undefined) return loadTransport(detectRuntime())
  const name = override.toLowerCase()
  if (!(NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(`invalid transport "${override}": expected one of ${NAMES.join(', ')}, or a Dial function`, {
      option: 'transport',
    })
  }
  return loadTransport(name as TransportName)
}
