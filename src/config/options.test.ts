import { describe, expect, test } from 'vitest'
import { ConfigError } from '../errors.js'
import { isKnownOption } from './options.js'
import { parseConfig } from './parse.js'
import type { Config } from './types.js'
import { configError } from './testing.js'


type Case = [names: string[], field: keyof Config, values: [raw: string | number | boolean, expected: unknown][]]

/** Every option, every spelling, several values; strings are also tried in a URL and in key=value form. */
const CASES: Case[] = [
  [['user', 'username'], 'user', [['alice', 'alice'], ['Bob', 'Bob']]],
  [['dbname', 'database'], 'database', [['mydb', 'mydb'], ['MyDb', 'MyDb']]],
  [['password'], 'password', [['pw', 'pw'], ['', '']]],
  [['application_name', 'applicationName', 'fallback_application_name', 'fallbackApplicationName'], 'applicationName', [['app', 'app']]],
  [['options'], 'options', [['-c search_path=a', '-c search_path=a']]],
  [['sslmode', 'sslMode'], 'sslmode', [
    ['disable', 'disable'], ['allow', 'allow'], ['prefer', 'prefer'], ['require', 'require'],
    ['verify-ca', 'verify-ca'], ['VERIFY-FULL', 'verify-full'],
  ]],
  [['ssl'], 'sslmode', [
    ['true', 'require'], ['TRUE', 'require'], ['1', 'require'], ['false', 'disable'], ['off', 'disable'],
    [true, 'require'], [false, 'disable'], ['verify-full', 'verify-full'],
  ]],
  [['sslrootcert', 'sslRootCert'], 'sslrootcert', [['/etc/ca.pem', '/etc/ca.pem']]],
  [['sslcert', 'sslCert'], 'sslcert', [['/c.pem', '/c.pem']]],
  [['sslkey', 'sslKey'], 'sslkey', [['/k.pem', '/k.pem']]],
  [['sslpassword', 'sslPassword'], 'sslpassword', [['kp', 'kp']]],
  [['sslnegotiation', 'sslNegotiation'], 'sslnegotiation', [['postgres', 'postgres'], ['Postgres', 'postgres']]],
  [['channel_binding', 'channelBinding'], 'channelBinding', [['disable', 'disable'], ['prefer', 'prefer'], ['REQUIRE', 'require']]],
  [['require_auth', 'requireAuth'], 'requireAuth', [
    ['scram-sha-256', { negated: false, methods: ['scram-sha-256'] }],
    ['password,MD5', { negated: false, methods: ['password', 'md5'] }],
    ['!password,!md5', { negated: true, methods: ['password', 'md5'] }],
    ['none', { negated: false, methods: ['none'] }],
    ['gss,sspi', { negated: false, methods: ['gss', 'sspi'] }],
    ['', undefined],
  ]],
  [['connect_timeout'], 'connectTimeoutMs', [['0', 0], ['10', 10_000], [3, 3000]]],
  [['connectTimeout', 'connectionTimeoutMillis'], 'connectTimeoutMs', [['0', 0], ['1500', 1500], [250, 250]]],
  [['query_timeout', 'queryTimeout'], 'queryTimeoutMs', [['0', 0], ['5000', 5000], [20, 20]]],
  [['cancel_timeout', 'cancelTimeout'], 'cancelTimeoutMs', [['0', 0], ['250', 250], [1500, 1500]]],
  [['max_result_bytes', 'maxResultBytes'], 'maxResultBytes', [['0', 0], ['1048576', 1048576]]],
  [['target_session_attrs', 'targetSessionAttrs'], 'targetSessionAttrs', [
    ['any', 'any'], ['read-write', 'read-write'], ['read-only', 'read-only'], ['PRIMARY', 'primary'],
    ['standby', 'standby'], ['prefer-standby', 'prefer-standby'],
  ]],
  [['load_balance_hosts', 'loadBalanceHosts'], 'loadBalanceHosts', [['disable', 'disable'], ['Random', 'random']]],
  [['load_balance', 'loadBalance'], 'loadBalance', [
    ['false', false], ['true', 'any'], ['TRUE', 'any'], ['True', 'any'], ['any', 'any'], ['only-primary', 'only-primary'],
    ['only-rr', 'only-rr'], ['Prefer-Primary', 'prefer-primary'], ['prefer-rr', 'prefer-rr'], [true, 'any'], [false, false],
  ]],
  [['topology_keys', 'topologyKeys'], 'topologyKeys', [
    ['aws.us-east-1.us-east-1a', [{ cloud: 'aws', region: 'us-east-1', zone: 'us-east-1a', level: 1 }]],
    ['aws.r1.*:2', [{ cloud: 'aws', region: 'r1', zone: '*', level: 2 }]],
    ['c.r.z1:1,c.r.z3:3', [
      { cloud: 'c', region: 'r', zone: 'z1', level: 1 },
      { cloud: 'c', region: 'r', zone: 'z3', level: 3 },
    ]],
    [' c.r.a , c.r.b:10', [
      { cloud: 'c', region: 'r', zone: 'a', level: 1 },
      { cloud: 'c', region: 'r', zone: 'b', level: 10 },
    ]],
    ['', []],
  ]],
  [['yb_servers_refresh_interval', 'ybServersRefreshInterval'], 'ybServersRefreshInterval', [['0', 0], ['600', 600], [60, 60]]],
  [['fallback_to_topology_keys_only', 'fallbackToTopologyKeysOnly'], 'fallbackToTopologyKeysOnly', [
    ['true', true], ['FALSE', false], ['1', true], ['0', false], ['yes', true], ['No', false], ['on', true], ['OFF', false],
    [true, true], [false, false],
  ]],
  [['failed_host_ttl_seconds', 'failedHostTtlSeconds', 'failedHostReconnectDelaySecs', 'failed_host_reconnect_delay_secs'], 'failedHostTtlSeconds', [
    ['0', 0], ['60', 60], [7, 7],
  ]],
  [['statement_cache_size', 'statementCacheSize'], 'statementCacheSize', [['0', 0], ['250', 250], [10, 10]]],
  [['max_message_bytes', 'maxMessageBytes'], 'maxMessageBytes', [['1048576', 1048576], [4096, 4096]]],
  [['max_scram_iterations', 'maxScramIterations'], 'maxScramIterations', [['4096', 4096], [50_000, 50_000]]],
]

describe.each(CASES)('%j', (names, field, values) => {
  for (const name of names) {
    test.each(values)(`${name}=%j`, (raw, expected) => {
      expect(parseConfig({ [name]: raw })[field]).toEqual(expected)
      if (typeof raw === 'string') {
        expect(parseConfig(`postgres://h?${encodeURIComponent(name)}=${encodeURIComponent(raw)}`)[field]).toEqual(expected)
        const quoted = `'${raw.replace(/[\\']/g, (c) => `\\${c}`)}'`
        expect(parseConfig(`host=h ${name}=${quoted}`)[field]).toEqual(expected)
      }
    })
  }
})

test('defaults', () => {
  const c = parseConfig(undefined, {})
  expect(c).toEqual({
    hosts: [{ host: 'localhost', port: 5432 }],
    user: 'postgres',
    database: 'postgres',
    startupParams: {},
    sslmode: 'prefer',
    sslnegotiation: 'postgres',
    channelBinding: 'prefer',
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 0,
    cancelTimeoutMs: 1000,
    keepAlive: { enabled: true, idleMs: 0 },
    maxResultBytes: 256 * 1024 * 1024,
    targetSessionAttrs: 'any',
    loadBalanceHosts: 'disable',
    loadBalance: false,
    topologyKeys: [],
    ybServersRefreshInterval: 300,
    fallbackToTopologyKeysOnly: false,
    failedHostTtlSeconds: 5,
    statementCacheSize: 100,
    maxMessageBytes: 256 * 1024 * 1024,
    maxScramIterations: 1_000_000,
    minProtocolVersion: 0,
    maxProtocolVersion: 0,
  })
  expect('password' in c).toBe(false)
})

test('application_name wins over fallback_application_name', () => {
  expect(parseConfig('host=h fallback_application_name=fb application_name=app').applicationName).toBe('app')
  expect(parseConfig({ fallbackApplicationName: 'fb' }).applicationName).toBe('fb')
})

test('startupParams pass GUCs through', () => {
  const c = parseConfig({ startupParams: { search_path: 'a,b', DateStyle: 'ISO' } })
  expect({ ...c.startupParams }).toEqual({ search_path: 'a,b', DateStyle: 'ISO' })
})

test('libpq options without effect are accepted', () => {
  expect(() =>
    parseConfig('host=h keepalives=1 keepalives_idle=30 keepalives_interval=5 keepalives_count=3 tcp_user_timeout=0 gssencmode=disable client_encoding=UTF8 sslcompression=0 sslsni=1'),
  ).not.toThrow()
  expect(() => parseConfig('postgres://h?client_encoding=utf-8&gssencmode=prefer')).not.toThrow()
})

test('isKnownOption', () => {
  expect(isKnownOption('loadBalance')).toBe(true)
  expect(isKnownOption('failedHostReconnectDelaySecs')).toBe(true)
  expect(isKnownOption('hosts')).toBe(true)
  expect(isKnownOption('hosts', false)).toBe(false)
  expect(isKnownOption('max')).toBe(false)
})

/** [option as written, bad value, fragment of the accepted values]. */
const BAD: [string, string | number | boolean, string][] = [
  ['load_balance', 'sometimes', 'expected one of false, true, any, only-primary, only-rr, prefer-primary, prefer-rr'],
  ['loadBalance', 'primary', 'only-primary'],
  ['sslmode', 'on', 'one of disable, allow, prefer, require, verify-ca, verify-full'],
  ['ssl', 'maybe', 'true, false or one of disable'],
  ['sslnegotiation', 'tls', 'one of postgres, direct'],
  ['channel_binding', 'yes', 'one of disable, prefer, require'],
  ['require_auth', 'kerberos', 'one of password, md5, scram-sha-256, gss, sspi, none'],
  ['connect_timeout', 'soon', 'a whole number of seconds (0 or less: no limit)'],
  ['connect_timeout', '1.5', 'whole number'],
  ['keepalives', 'sometimes', 'a whole number (0 = off) or true, false'],
  ['requiressl', 'true', '1 (sslmode=require) or 0 (sslmode=prefer)'],
  ['requiressl', '', '1 (sslmode=require) or 0 (sslmode=prefer)'],
  ['connectTimeout', 'soon', 'milliseconds'],
  ['query_timeout', '-5', 'milliseconds'],
  ['target_session_attrs', 'master', 'one of any, read-write, read-only, primary, standby, prefer-standby'],
  ['load_balance_hosts', 'round-robin', 'one of disable, random'],
  ['topology_keys', 'aws.us-east', 'cloud.region.zone with an optional :level from 1 to 10'],
  ['topology_keys', 'aws.r.z:0', 'from 1 to 10'],
  ['topology_keys', 'aws.r.z:11', 'from 1 to 10'],
  ['topology_keys', 'aws.r.z:x', 'from 1 to 10'],
  ['topology_keys', 'aws..z', 'cloud.region.zone'],
  ['topology_keys', '*.r.z', 'zone may be *'],
  ['topology_keys', 'a.b.c.d', 'cloud.region.zone'],
  ['ybServersRefreshInterval', '601', 'from 0 to 600 (seconds)'],
  ['yb_servers_refresh_interval', '-1', 'from 0 to 600 (seconds)'],
  ['failed_host_ttl_seconds', '61', 'from 0 to 60 (seconds)'],
  ['failedHostReconnectDelaySecs', '-1', 'from 0 to 60 (seconds)'],
  ['fallback_to_topology_keys_only', 'maybe', 'true, false, 1, 0, yes, no, on or off'],
  ['statement_cache_size', '-1', 'whole number from 0'],
  ['port', '0', 'from 1 to 65535'],
  ['port', 'http', 'from 1 to 65535'],
  ['maxMessageBytes', 10, 'bytes'],
  ['gssencmode', 'require', 'does not support GSSAPI'],
  ['client_encoding', 'LATIN1', 'utf8'],
]

describe('bad values name the option, the value and what is accepted', () => {
  test.each(BAD)('%s=%j', (name, value, accepted) => {
    const fromObject = configError(() => parseConfig({ [name]: value }))
    expect(fromObject.option).toBe(name)
    expect(fromObject.message).toContain(`invalid ${name}`)
    expect(fromObject.message).toContain(accepted)
    if (!fromObject.message.includes('entry')) expect(fromObject.message).toContain(JSON.stringify(String(value)).slice(1, -1))
    const fromUrl = configError(() => parseConfig(`postgres://h?${name}=${encodeURIComponent(String(value))}`))
    expect(fromUrl.option).toBe(name)
    expect(fromUrl.message).toContain('(from connection string)')
  })

  test('topology_keys errors name the bad entry', () => {
    const e = configError(() => parseConfig({ topologyKeys: 'c.r.z1:1,c.r:2,c.r.z3' }))
    expect(e.option).toBe('topologyKeys')
    expect(e.message).toContain('invalid topologyKeys entry "c.r:2"')
    const empty = configError(() => parseConfig({ topologyKeys: 'c.r.z1,,c.r.z3' }))
    expect(empty.message).toContain('entry ""')
  })

  test('require_auth: mixing negated and plain methods, duplicates', () => {
    expect(configError(() => parseConfig({ require_auth: 'md5,!password' })).message).toContain('cannot be mixed')
    expect(configError(() => parseConfig({ requireAuth: 'md5,MD5' })).message).toContain('"md5" is specified more than once')
    expect(configError(() => parseConfig({ requireAuth: 'md5,MD5' })).option).toBe('requireAuth')
  })

  test('wrong types in objects', () => {
    expect(configError(() => parseConfig({ user: 42 as unknown as string })).message).toBe('invalid user 42: expected a string')
    expect(configError(() => parseConfig({ ssl: { rejectUnauthorized: false } as unknown as boolean })).message).toContain('sslrootcert, sslcert and sslkey')
    expect(configError(() => parseConfig({ startupParams: { x: 1 } as unknown as Record<string, string> })).option).toBe('startupParams')
    expect(configError(() => parseConfig({ startupParams: { user: 'x' } })).message).toContain('has its own option')
    expect(configError(() => parseConfig({ loadBalance: 2 as unknown as boolean })).option).toBe('loadBalance')
  })
})

describe('unknown options', () => {
  test('in a URL, with close matches', () => {
    const e = configError(() => parseConfig('postgres://h?laod_balance=true'))
    expect(e.option).toBe('laod_balance')
    expect(e.message).toContain('unknown option "laod_balance"')
    expect(e.message).toContain('did you mean "load_balance"')
  })
  test('in key=value form', () => {
    const e = configError(() => parseConfig('host=h topology_key=a.b.c'))
    expect(e.message).toContain('did you mean "topology_keys"')
  })
  test('in objects (camelCase typo)', () => {
    const e = configError(() => parseConfig({ loadbalance: true }))
    expect(e.option).toBe('loadbalance')
    expect(e.message).toMatch(/did you mean "load_?balance"/i)
  })
  test('GUCs are pointed to options/startupParams', () => {
    const e = configError(() => parseConfig('postgres://h?search_path=x'))
    expect(e.message).toContain('startupParams')
  })
  test('the value of an unknown option is never shown', () => {
    const e = configError(() => parseConfig('postgres://h?pasword=hunter2'))
    expect(e.message).toContain('did you mean "password"')
    expect(e.message).not.toContain('hunter2')
  })
  test('libpq options pgfleet does not implement', () => {
    const e = configError(() => parseConfig('host=h sslcrl=/crl.pem'))
    expect(e.option).toBe('sslcrl')
    expect(e.message).toContain('not supported')
  })
  test('object-only options are refused in strings', () => {
    expect(configError(() => parseConfig('postgres://h?hosts=a')).message).toContain('only in an options object')
  })
})

test('keepalives: on by default (libpq), off with keepalives=0, idle time in seconds', () => {
  expect(parseConfig('host=h').keepAlive).toEqual({ enabled: true, idleMs: 0 })
  expect(parseConfig('host=h keepalives=0').keepAlive).toEqual({ enabled: false, idleMs: 0 })
  expect(parseConfig('postgresql://h/db?keepalives_idle=30').keepAlive).toEqual({ enabled: true, idleMs: 30_000 })
  expect(parseConfig({ keepalivesIdle: 5 }).keepAlive).toEqual({ enabled: true, idleMs: 5_000 })
  // The probe interval and count cannot be set from JavaScript: accepted, without effect.
  expect(() => parseConfig('host=h keepalives_interval=5 keepalives_count=3')).not.toThrow()
})

test('connect_timeout defaults to 10 s; connect_timeout=0 waits as long as libpq does (no limit)', () => {
  expect(parseConfig('host=h').connectTimeoutMs).toBe(10_000)
  expect(parseConfig('host=h connect_timeout=0').connectTimeoutMs).toBe(0)
})

// Where libpq 15 would connect, pgfleet does too (checked against libpq by test/unit/libpq-differential.test.ts).
describe('libpq 15 leniencies', () => {
  test('connect_timeout: negative means no limit (libpq), as does a time past setTimeout', () => {
    expect(parseConfig('host=h connect_timeout=-1').connectTimeoutMs).toBe(0)
    expect(parseConfig('postgres://h?connect_timeout=%20-30%20').connectTimeoutMs).toBe(0)
    expect(parseConfig('host=h connect_timeout=2147483').connectTimeoutMs).toBe(2_147_483_000)
    expect(parseConfig('host=h connect_timeout=2147483647').connectTimeoutMs).toBe(0)
    expect(parseConfig({ connect_timeout: -5 }).connectTimeoutMs).toBe(0)
  })

  test('keepalives: any whole number, nonzero is on (libpq useKeepalives); boolean words too', () => {
    expect(parseConfig('host=h keepalives=2').keepAlive.enabled).toBe(true)
    expect(parseConfig('host=h keepalives=-1').keepAlive.enabled).toBe(true)
    expect(parseConfig('host=h keepalives=00').keepAlive.enabled).toBe(false)
    expect(parseConfig('host=h keepalives=off').keepAlive.enabled).toBe(false)
    expect(parseConfig({ keepalives: 7 }).keepAlive.enabled).toBe(true)
  })

  test('requiressl=1 is sslmode=require, requiressl=0 is prefer; the later of it and sslmode wins (libpq)', () => {
    expect(parseConfig('host=h requiressl=1').sslmode).toBe('require')
    expect(parseConfig('host=h requiressl=0').sslmode).toBe('prefer')
    expect(parseConfig('postgres://h?requiressl=1').sslmode).toBe('require')
    expect(parseConfig('host=h requiressl=1 sslmode=verify-full').sslmode).toBe('verify-full')
    expect(parseConfig('host=h sslmode=disable requiressl=1').sslmode).toBe('require')
    expect(parseConfig('host=h sslmode=disable requiressl=1 sslmode=verify-ca').sslmode).toBe('verify-ca')
    expect(parseConfig({ requiressl: true }).sslmode).toBe('require')
    expect(configError(() => parseConfig({ requiressl: 1, sslmode: 'disable' })).message).toContain('give only one')
  })

  test('sslsni and sslcompression take any text (libpq reads them unchecked; pgfleet ignores them)', () => {
    expect(() => parseConfig('host=h sslsni=maybe sslcompression=x')).not.toThrow()
    expect(() => parseConfig({ sslsni: true, sslcompression: false })).not.toThrow()
  })

  test('tcp_user_timeout: any whole number; client_encoding may be empty', () => {
    expect(() => parseConfig('host=h tcp_user_timeout=-5 client_encoding=')).not.toThrow()
    expect(configError(() => parseConfig('host=h tcp_user_timeout=x')).message).toContain('expected a whole number')
  })

  test('kept lenient on purpose: enum values in any case, a URL scheme in any case', () => {
    expect(parseConfig('host=h sslmode=Require target_session_attrs=PRIMARY')).toMatchObject({ sslmode: 'require', targetSessionAttrs: 'primary' })
    expect(parseConfig('POSTGRES://u@h/db').hosts[0]!.host).toBe('h')
  })

  test('empty URL query parameters are skipped; an empty value is a value (libpq)', () => {
    expect(parseConfig('postgres://h?&sslmode=require&&').sslmode).toBe('require')
    expect(parseConfig('postgres://h?port=').hosts[0]!.port).toBe(5432)
    expect(configError(() => parseConfig('postgres://h?sslmode=')).option).toBe('sslmode')
  })
})
