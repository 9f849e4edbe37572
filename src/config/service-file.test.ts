import { describe, expect, test } from 'vitest'
import { ConfigError } from '../errors.js'
import { installFileFormats } from './files.js'
import { parseConfig } from './parse.js'
import { serviceGroup } from './service-file.js'
import { configError } from './testing.js'

// As the Node, Bun and Deno entries do (src/config/file-formats.ts).
installFileFormats()

const USER_FILE = `
# comment
[other]
host=wrong

  [prod]   
host=db1,db2
port=5433
dbname=sales
sslmode=require
application_name=  spaced value

[prod]
host=second-group-is-ignored
`
const SYSTEM_FILE = `[reporting]
host=replica
load_balance=true
`

function files(map: Record<string, string>) {
  return { runtime: 'test', readFile: (path: string) => map[path], homeDir: () => '/home/u' }
}
const both = files({ '/home/u/.pg_service.conf': USER_FILE, '/etc/pg/pg_service.conf': SYSTEM_FILE })
const ENV = { PGSYSCONFDIR: '/etc/pg' }


describe('service file lines (libpq 34.17)', () => {
  test('the first group of the name, trimmed lines, the value kept as written after "="', () => {
    expect(serviceGroup(USER_FILE, 'prod', '/f')?.map((e) => [e.key, e.value])).toEqual([
      ['host', 'db1,db2'],
      ['port', '5433'],
      ['dbname', 'sales'],
      ['sslmode', 'require'],
      ['application_name', '  spaced value'],
    ])
    expect(serviceGroup(USER_FILE, 'missing', '/f')).toBeUndefined()
    expect(serviceGroup('[empty]\n', 'empty', '/f')).toEqual([])
  })
  test('a line without "=" and a nested service are errors naming the file and line', () => {
    expect(configError(() => serviceGroup('[a]\nhost db\n', 'a', '/f')).message).toBe('syntax error in service file "/f" line 2: expected keyword=value')
    expect(configError(() => serviceGroup('[a]\nservice=b\n', 'a', '/f')).message).toContain('nested service specifications')
  })
})

describe('service option (libpq precedence: explicit > service > environment > defaults)', () => {
  test('settings come from the user file', () => {
    const c = parseConfig('service=prod', {}, both)
    expect(c.hosts).toEqual([
      { host: 'db1', port: 5433 },
      { host: 'db2', port: 5433 },
    ])
    expect(c).toMatchObject({ database: 'sales', sslmode: 'require', applicationName: '  spaced value' })
  })
  test('the connection string wins over the service, the service over the environment', () => {
    const c = parseConfig('postgres:///override?service=prod', { ...ENV, PGPORT: '7000', PGUSER: 'envuser', PGSSLMODE: 'disable' }, both)
    expect(c.database).toBe('override')
    expect(c.hosts[0]!.port).toBe(5433)
    expect(c.sslmode).toBe('require')
    expect(c.user).toBe('envuser')
  })
  test('an options object wins too, and PGSERVICE names the service', () => {
    const c = parseConfig({ port: 6000 }, { PGSERVICE: 'prod' }, both)
    expect(c.hosts[0]).toEqual({ host: 'db1', port: 6000 })
  })
  test('a service not in the user file is looked up in PGSYSCONFDIR/pg_service.conf; pgfleet options work there', () => {
    const c = parseConfig('service=reporting', ENV, both)
    expect(c.hosts[0]!.host).toBe('replica')
    expect(c.loadBalance).toBe('any')
  })
  test('a keyword given twice: the first line wins, as in libpq (no silent sslmode downgrade)', () => {
    const f = files({ '/home/u/.pg_service.conf': '[s]\nsslmode=verify-full\nsslmode=disable\nhost=first\nhost=second\n' })
    expect(parseConfig('service=s', {}, f)).toMatchObject({ sslmode: 'verify-full', hosts: [{ host: 'first', port: 5432 }] })
  })
  test('PGSERVICEFILE and servicefile replace the user file', () => {
    const f = files({ '/srv/services': '[prod]\nhost=from-servicefile\n', '/home/u/.pg_service.conf': USER_FILE })
    expect(parseConfig('service=prod', { PGSERVICEFILE: '/srv/services' }, f).hosts[0]!.host).toBe('from-servicefile')
    expect(parseConfig('service=prod servicefile=/srv/services', {}, f).hosts[0]!.host).toBe('from-servicefile')
  })
  test('a named service file that is missing is an error; an unreadable default one is skipped', () => {
    expect(configError(() => parseConfig('service=prod', { PGSERVICEFILE: '/nope.conf' }, both)).message).toBe('service file "/nope.conf" not found')
    const unreadable = {
      readFile: (path: string) => {
        if (path === '/home/u/.pg_service.conf') throw Object.assign(new Error('EACCES'), { code: 'EACCES' })
        return path === '/etc/pg/pg_service.conf' ? SYSTEM_FILE : undefined
      },
      homeDir: () => '/home/u',
    }
    expect(parseConfig('service=reporting', ENV, unreadable).hosts[0]!.host).toBe('replica')
  })
  test('an unknown service names the files looked in', () => {
    const e = configError(() => parseConfig('service=nope', ENV, both))
    expect(e.option).toBe('service')
    expect(e.message).toBe('definition of service "nope" not found (looked in "/home/u/.pg_service.conf" and "/etc/pg/pg_service.conf")')
  })
  test('a bad value names the file and line', () => {
    const f = files({ '/home/u/.pg_service.conf': '[bad]\nsslmode=sometimes\n' })
    expect(configError(() => parseConfig('service=bad', {}, f)).message).toBe(
      'invalid sslmode "sometimes" (from service file "/home/u/.pg_service.conf" line 2): expected one of disable, allow, prefer, require, verify-ca, verify-full',
    )
    const g = files({ '/home/u/.pg_service.conf': '[bad]\nhost =x\n' })
    expect(configError(() => parseConfig('service=bad', {}, g)).message).toContain('line 2')
  })
  test('without file access (Workers) an explicit service or passfile is a clear error', () => {
    expect(configError(() => parseConfig('service=prod', {}, { runtime: 'workerd' })).message).toBe(
      'service "prod" needs a service file, but workerd cannot read files; give the settings directly',
    )
    expect(configError(() => parseConfig('host=h passfile=/p', {}, { runtime: 'workerd' })).message).toBe(
      'passfile needs file access, but workerd cannot read files',
    )
    // Only a default would apply: nothing is read and nothing fails.
    expect(parseConfig('host=h', {}, { runtime: 'workerd' }).passfile).toBeUndefined()
  })
})
