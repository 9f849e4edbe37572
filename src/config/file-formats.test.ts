import { describe, expect, test } from 'vitest'
import { fileFormats } from './file-formats.js'
import { installFileFormats } from './files.js'
import { parseConfig } from './parse.js'
import { configError } from './testing.js'

// Each test file has its own module state: nothing is installed until installFileFormats().
describe('file formats (installed by the entries of runtimes with files)', () => {
  const files = { runtime: 'custom', readFile: () => '[s]\nhost=from-service\n', homeDir: () => '/home/u' }

  test('without them (the Workers entries) a service or an explicit passfile is refused, naming the build, even with a readFile', () => {
    expect(fileFormats()).toBeUndefined()
    const e = configError(() => parseConfig('service=s', {}, files))
    expect(e.option).toBe('service')
    expect(e.message).toBe(
      'service "s" needs a service file, but this build of pgfleet (the Workers entry) leaves service and password files out; give the settings directly',
    )
    const p = configError(() => parseConfig('host=h passfile=/p/pgpass', {}, files))
    expect(p.option).toBe('passfile')
    expect(p.message).toBe('passfile needs file access, but this build of pgfleet (the Workers entry) leaves service and password files out')
  })

  test('installed, the same call reads the service', () => {
    installFileFormats()
    expect(parseConfig('service=s', {}, files).hosts[0]!.host).toBe('from-service')
    expect(parseConfig('host=h passfile=/p/pgpass', {}, files).passfile).toBe('/p/pgpass')
  })
})
