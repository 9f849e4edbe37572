import { describe, expect, it } from 'vitest'
import { installFileFormats } from './config/files.js'
import type { RuntimeEnvironment } from './runtime.js'
import { installRuntime } from './runtime.js'
import { connectFactory, resolveConfig } from './session-factory.js'
import { FULL_CAPABILITIES } from './transport/capabilities.js'
import type { DialOptions } from './transport/socket.js'

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

describe('connectFactory', () => {
  it('reuses the factory of a call with the same plain options and environment, and reads the environment again on every call', () => {
    const env: Record<string, string | undefined> = { PGDATABASE: 'one' }
    installRuntime({ ...runtime(true, []), env: () => env })
    const first = connectFactory({ host: 'h', port: 5432, user: 'u' })
    expect(connectFactory({ host: 'h', port: 5432, user: 'u' })).toBe(first)
    expect(connectFactory({ host: 'h', port: '5432' as unknown as number, user: 'u' })).not.toBe(first)
    expect(connectFactory('host=h user=u')).toBe(connectFactory('host=h user=u'))
    env.PGDATABASE = 'two'
    const second = connectFactory({ host: 'h', port: 5432, user: 'u' })
    expect(second).not.toBe(first)
    env.USER = 'someone'
    expect(connectFactory({ host: 'h', port: 5432, user: 'u' })).not.toBe(second)
  })

  it('parses anew options with code or objects, a service or a key log file', () => {
    installRuntime(runtime(true, []))
    const onNotice = () => undefined
    expect(connectFactory({ host: 'h', onNotice })).not.toBe(connectFactory({ host: 'h', onNotice }))
    expect(connectFactory({ host: 'h', topologyKeys: ['a.b.c'] } as never)).not.toBe(connectFactory({ host: 'h', topologyKeys: ['a.b.c'] } as never))
    expect(connectFactory('host=h sslkeylogfile=/tmp/k')).not.toBe(connectFactory('host=h sslkeylogfile=/tmp/k'))
    expect(() => connectFactory('host=h service=nope')).toThrow()
  })

  it('decides on what parsing did, not on option names: a percent-encoded service or key log file in a URL is parsed anew', () => {
    installFileFormats()
    let reads = 0
    installRuntime({ ...runtime(true, []), readFile: () => (reads++, '[s]\nhost=db\n'), homeDir: () => '/home/u' })
    const url = 'postgres://u@/db?servic%65=s'
    const first = connectFactory(url)
    expect(reads).toBe(1)
    // The service file is read again (it may have changed), and its factory is another.
    expect(connectFactory(url)).not.toBe(first)
    expect(reads).toBe(2)
    expect(connectFactory('postgres://h/db?sslkeylog%66ile=/tmp/k')).not.toBe(connectFactory('postgres://h/db?sslkeylog%66ile=/tmp/k'))
  })

  it('never hands one call the factory of other effective options: inherited options, or a value that spells another key', () => {
    const env: Record<string, string | undefined> = {}
    installRuntime({ ...runtime(true, []), env: () => env })
    // parseConfig sees own properties only: an object inheriting user and host is another option set.
    const inherited = Object.assign(Object.create({ user: 'bob', host: 'db2' }) as Record<string, unknown>, { port: 5432 })
    const own = { port: 5432, user: 'bob', host: 'db2' }
    const fromInherited = connectFactory(inherited as never)
    expect(connectFactory(own)).not.toBe(fromInherited)
    // A NUL inside a value cannot spell another option or an environment variable.
    const plain = connectFactory({ host: 'db1', user: 'alice' })
    expect(connectFactory({ host: 'db1\0user\0salice' })).not.toBe(plain)
    env.PGUSER = 'carol'
    const withEnv = connectFactory('host=db3')
    delete env.PGUSER
    expect(() => connectFactory('host=db3\0PGUSER\0carol')).toThrow(/NUL/)
    expect(connectFactory('host=db3')).not.toBe(withEnv)
  })
})

describe('a custom runtime', () => {
  it("its dial gets DialOptions.signal as a real AbortSignal that aborts at connect_timeout (pgfleet's own transports take the deadline itself)", async () => {
    const { connect } = await import('./api.js')
    const seen: AbortSignal[] = []
    const custom: RuntimeEnvironment = {
      ...runtime(true, []),
      dial: (options) =>
        new Promise((_resolve, reject) => {
          const signal = options.signal!
          seen.push(signal)
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
        }),
    }
    const started = Date.now()
    const error = await connect({ host: '127.0.0.9', port: 5432, user: 'u', sslmode: 'disable', connect_timeout: 1, runtime: custom }).catch((e: unknown) => e)
    expect(String(error)).toMatch(/timeout expired after 1000 ms/)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeInstanceOf(AbortSignal)
    expect(seen[0]!.aborted).toBe(true)
  })

  it.each(['passed as runtime', 'installed'])('a dial that copies its options ({ ...options }) before reading signal still gets it, %s (review: a getter on a prototype is not copied)', async (how) => {
    const { connect } = await import('./api.js')
    const seen: (AbortSignal | undefined)[] = []
    const inner = (options: DialOptions) =>
      new Promise<never>((_resolve, reject) => {
        seen.push(options.signal)
        options.signal?.addEventListener('abort', () => reject(options.signal!.reason as Error), { once: true })
      })
    const custom: RuntimeEnvironment = { ...runtime(true, []), dial: (options) => inner({ ...options, host: options.host }) }
    if (how === 'installed') installRuntime(custom)
    const options = { host: '127.0.0.9', port: 5432, user: 'u', sslmode: 'disable', connect_timeout: 1 } as const
    const error = await connect(how === 'installed' ? options : { ...options, runtime: custom }).catch((e: unknown) => e)
    expect(String(error)).toMatch(/timeout expired after 1000 ms/)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeInstanceOf(AbortSignal)
    expect(seen[0]!.aborted).toBe(true)
  })
})
