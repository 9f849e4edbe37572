import { describe, expect, it } from 'vitest'
import type { RuntimeEnvironment } from './runtime.js'
import { resolveConfig } from './session-factory.js'
import { FULL_CAPABILITIES } from './transport/capabilities.js'

/** A runtime that records its warnings; `keyLog`: whether its TLS can log session keys. */
function runtime(keyLog: boolean, warnings: string[]): RuntimeEnvironment {
  return {
    name: 'testrt',
    capabilities: { ...FULL_CAPABILITIES, keyLog },
    dial: () => Promise.reject(new Error('no dialing here')),
    warn: (message) => warnings.push(message),
    env: () => ({}),
  }
}

describe('resolveConfig', () => {
  it('warns once that sslkeylogfile is ignored where the runtime cannot log TLS keys (libpq ignores it silently)', () => {
    const warnings: string[] = []
    const { config } = resolveConfig('host=h sslkeylogfile=/tmp/keys.log', runtime(false, warnings))
    expect(config.sslkeylogfile).toBe('/tmp/keys.log')
    expect(warnings).toEqual(['sslkeylogfile is ignored: testrt does not expose TLS session keys'])
  })

  it('says nothing where keys can be logged, or when no file is set', () => {
    const warnings: string[] = []
    resolveConfig('host=h sslkeylogfile=/tmp/keys.log', runtime(true, warnings))
    resolveConfig('host=h sslkeylogfile=', runtime(false, warnings))
    resolveConfig({ host: 'h' }, runtime(false, warnings))
    expect(warnings).toEqual([])
  })
})
