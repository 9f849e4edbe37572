import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.js'
import { dialNode } from './node.js'
import { defaultDial, detectRuntime } from './select.js'
import type { Dial } from './socket.js'

describe('detectRuntime', () => {
  it('recognises Deno, Bun and Workers by their globals, else Node', () => {
    expect(detectRuntime({ Deno: {}, process: {} })).toBe('deno')
    expect(detectRuntime({ Bun: {}, process: {} })).toBe('bun')
    expect(detectRuntime({ navigator: { userAgent: 'Cloudflare-Workers' } })).toBe('cloudflare')
    expect(detectRuntime({ navigator: { userAgent: 'Node.js/20' } })).toBe('node')
    expect(detectRuntime({})).toBe('node')
  })

  it('is node under vitest', () => {
    expect(detectRuntime()).toBe('node')
  })
})

describe('defaultDial', () => {
  it('loads the Node transport here, and honours a name override case-insensitively', async () => {
    expect(await defaultDial()).toBe(dialNode)
    expect(await defaultDial('NODE')).toBe(dialNode)
    const deno = await defaultDial('deno')
    expect(deno).not.toBe(dialNode)
    expect(deno.name).toBe('dialDeno')
  })

  it('returns a Dial override as is', async () => {
    const custom: Dial = async () => {
      throw new Error('custom')
    }
    expect(await defaultDial(custom)).toBe(custom)
  })

  it('rejects an unknown transport name with a ConfigError naming the option', async () => {
    const error = await defaultDial('tcp').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).option).toBe('transport')
    expect((error as Error).message).toContain('node, bun, deno, cloudflare')
  })
})
