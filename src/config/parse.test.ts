import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ConfigError } from '../errors.js'
import { installFileFormats } from './files.js'
import { ENV_OPTIONS } from './env.js'
import { describeHost, parseConfig, redactConnectionString } from './index.js'
import { configError } from './testing.js'

// As the Node, Bun and Deno entries do (src/config/file-formats.ts).
installFileFormats()


describe('hosts and ports', () => {
  test.each([
    ['postgres://h1:5433,h2,[::1]:5434/db', ['h1:5433', 'h2:5432', '[::1]:5434']],
    ['postgres://h1,h2:5433', ['h1:5432', 'h2:5433']],
    ['postgres://[::1],[2001:db8::2]:6000', ['[::1]:5432', '[2001:db8::2]:6000']],
    ['postgres:///db', ['localhost:5432']],
    ['postgres://u:p@/db', ['localhost:5432']],
    ['postgres://:5433/db', ['localhost:5433']],
    ['postgres://%2Ftmp/db', ['/tmp/.s.PGSQL.5432']],
    ['postgres:///db?host=/var/run/postgresql&port=5433', ['/var/run/postgresql/.s.PGSQL.5433']],
    ['host=a,b port=5433,5434', ['a:5433', 'b:5434']],
    ['host=a,b,c port=5433', ['a:5433', 'b:5433', 'c:5433']],
    ['host=a,,c port=1,2,3', ['a:1', 'localhost:2', 'c:3']],
    ['host=::1 port=5433', ['[::1]:5433']],
  ])('%s', (s, expected) => {
    expect(parseConfig(s).hosts.map(describeHost)).toEqual(expected)
  })

  test('port count mismatch names port', () => {
    const e = configError(() => parseConfig('host=a,b,c port=1,2'))
    expect(e.option).toBe('port')
    expect(e.message).toBe('could not match 2 port numbers to 3 hosts')
    expect(configError(() => parseConfig({ host: ['a', 'b', 'c'], port: '1,2' })).option).toBe('port')
  })

  test('object host / hosts / port forms', () => {
    expect(parseConfig({ host: 'a,b', port: 6000 }).hosts).toEqual([
      { host: 'a', port: 6000 },
      { host: 'b', port: 6000 },
    ])
    expect(parseConfig({ host: ['a', 'b'], port: '1,2' }).hosts.map(describeHost)).toEqual(['a:1', 'b:2'])
    expect(parseConfig({ hosts: ['a:1', '[::1]:2', { host: 'c', port: 3 }, 'd'], port: 9 }).hosts.map(describeHost)).toEqual([
      'a:1',
      '[::1]:2',
      'c:3',
      'd:9',
    ])
    expect(configError(() => parseConfig({ host: 'a', hosts: ['b'] })).option).toBe('hosts')
    expect(configError(() => parseConfig({ hosts: [] })).option).toBe('hosts')
  })

  test('host and port layer separately (libpq)', () => {
    // The object's port applies to the URL's hosts.
    expect(parseConfig({ connectionString: 'postgres://h1,h2/db', port: 6000 }).hosts.map(describeHost)).toEqual(['h1:6000', 'h2:6000'])
    // PGPORT applies to a URL's host when the URL gives no port...
    expect(parseConfig('postgres://h1/db', { PGPORT: '6000' }).hosts.map(describeHost)).toEqual(['h1:6000'])
    // ...but not to several hosts: libpq 15 reads `h1,h2` as port "," (one empty entry per host).
    expect(parseConfig('postgres://h1,h2/db', { PGPORT: '6000' }).hosts.map(describeHost)).toEqual(['h1:5432', 'h2:5432'])
    expect(parseConfig('host=h1,h2 dbname=db', { PGPORT: '6000' }).hosts.map(describeHost)).toEqual(['h1:6000', 'h2:6000'])
    // A URL port list replaces PGPORT entirely; missing entries are the default.
    expect(parseConfig('postgres://h1:5433,h2/db', { PGPORT: '6000' }).hosts.map(describeHost)).toEqual(['h1:5433', 'h2:5432'])
  })
})

describe('empty values in connection strings (libpq 15)', () => {
  const env = { PGUSER: 'envuser', PGDATABASE: 'envdb', PGPASSWORD: 'envpw', USER: 'osuser' }
  test('an empty URL user, password or dbname is not set: the environment applies', () => {
    expect(parseConfig('postgres://:@h/', env)).toMatchObject({ user: 'envuser', database: 'envdb', password: 'envpw' })
  })
  test('an explicit empty user or dbname hides the environment and means the OS user, then the user', () => {
    expect(parseConfig("host=h user='' dbname=''", env)).toMatchObject({ user: 'osuser', database: 'osuser' })
    expect(parseConfig('postgres://h?dbname=', env)).toMatchObject({ user: 'envuser', database: 'envuser' })
  })
  test('an overridden bad value of another spelling of the option is not checked (libpq checks the last)', () => {
    expect(parseConfig('host=h sslmode=bogus requiressl=1').sslmode).toBe('require')
    expect(() => parseConfig('host=h requiressl=1 sslmode=bogus')).toThrow(/invalid sslmode/)
  })
})

describe('precedence: object > connection string > env > defaults', () => {
  const env = {
    PGHOST: 'envhost',
    PGPORT: '7000',
    PGDATABASE: 'envdb',
    PGUSER: 'envuser',
    PGPASSWORD: 'envpw',
    PGAPPNAME: 'envapp',
    PGSSLMODE: 'require',
    PGOPTIONS: '-c a=b',
    USER: 'osuser',
  }

  test('env fills what nothing else gives', () => {
    const c = parseConfig(undefined, env)
    expect(c.hosts).toEqual([{ host: 'envhost', port: 7000 }])
    expect([c.user, c.password, c.database, c.applicationName, c.sslmode, c.options]).toEqual([
      'envuser', 'envpw', 'envdb', 'envapp', 'require', '-c a=b',
    ])
  })

  test('connection string beats env', () => {
    const c = parseConfig('postgres://u:p@h:1/d?sslmode=disable&application_name=a', env)
    expect(c.hosts).toEqual([{ host: 'h', port: 1 }])
    expect([c.user, c.password, c.database, c.applicationName, c.sslmode]).toEqual(['u', 'p', 'd', 'a', 'disable'])
    expect(c.options).toBe('-c a=b')
  })

  test('object beats connection string', () => {
    const c = parseConfig(
      { connectionString: 'postgres://u:p@h:1/d?sslmode=disable', user: 'ou', password: 'op', host: 'oh', database: 'od', ssl: true },
      env,
    )
    expect(c.hosts).toEqual([{ host: 'oh', port: 1 }])
    expect([c.user, c.password, c.database, c.sslmode]).toEqual(['ou', 'op', 'od', 'require'])
  })

  test('undefined and null object values are absent', () => {
    const c = parseConfig({ connectionString: 'postgres://u@h/d', user: undefined, password: null as unknown as string }, env)
    expect(c.user).toBe('u')
    expect(c.password).toBe('envpw')
  })

  test('user defaults to USER, then postgres; database defaults to user', () => {
    expect(parseConfig(undefined, { USER: 'me' })).toMatchObject({ user: 'me', database: 'me' })
    expect(parseConfig(undefined, {})).toMatchObject({ user: 'postgres', database: 'postgres' })
    expect(parseConfig('postgres://bob@h')).toMatchObject({ user: 'bob', database: 'bob' })
  })

  test('empty env values are ignored', () => {
    expect(parseConfig(undefined, { PGHOST: '', PGUSER: '' }).hosts[0]!.host).toBe('localhost')
  })

  test.each(Object.entries(ENV_OPTIONS))('%s is read', (variable, option) => {
    const sample: Record<string, [string, (c: ReturnType<typeof parseConfig>) => unknown, unknown]> = {
      host: ['h9', (c) => c.hosts[0]!.host, 'h9'],
      hostaddr: ['127.0.0.9', (c) => c.hosts[0]!.hostaddr, '127.0.0.9'],
      passfile: ['/pw', (c) => c.passfile, '/pw'],
      service: ['s9', (c) => c.user, 'from-service'],
      servicefile: ['/other.conf', (c) => c.user, 'postgres'],
      port: ['6543', (c) => c.hosts[0]!.port, 6543],
      dbname: ['d9', (c) => c.database, 'd9'],
      user: ['u9', (c) => c.user, 'u9'],
      password: ['p9', (c) => c.password, 'p9'],
      application_name: ['a9', (c) => c.applicationName, 'a9'],
      options: ['-c x=y', (c) => c.options, '-c x=y'],
      sslmode: ['verify-ca', (c) => c.sslmode, 'verify-ca'],
      sslrootcert: ['/ca', (c) => c.sslrootcert, '/ca'],
      sslcert: ['/c', (c) => c.sslcert, '/c'],
      sslkey: ['/k', (c) => c.sslkey, '/k'],
      sslnegotiation: ['postgres', (c) => c.sslnegotiation, 'postgres'],
      channel_binding: ['disable', (c) => c.channelBinding, 'disable'],
      require_auth: ['md5', (c) => c.requireAuth, { negated: false, methods: ['md5'] }],
      min_protocol_version: ['3.2', (c) => c.minProtocolVersion, 2],
      max_protocol_version: ['latest', (c) => c.maxProtocolVersion, 2],
      connect_timeout: ['7', (c) => c.connectTimeoutMs, 7000],
      target_session_attrs: ['read-only', (c) => c.targetSessionAttrs, 'read-only'],
      load_balance_hosts: ['random', (c) => c.loadBalanceHosts, 'random'],
    }
    const [value, get, expected] = sample[option]!
    const files = { readFile: (path: string) => (path === '/home/.pg_service.conf' ? '[s9]\nuser=from-service\n' : undefined), homeDir: () => '/home' }
    expect(get(parseConfig(undefined, { [variable]: value }, files))).toEqual(expected)
  })

  test('a bad env value names the option and the variable', () => {
    const e = configError(() => parseConfig(undefined, { PGSSLMODE: 'sometimes' }))
    expect(e.option).toBe('sslmode')
    expect(e.message).toBe(
      'invalid sslmode "sometimes" (from PGSSLMODE): expected one of disable, allow, prefer, require, verify-ca, verify-full',
    )
  })

  test('env defaults to {} and other variables are not read', () => {
    expect(parseConfig(undefined, { PGFOO: 'y', PGHOSTX: 'z' }).hosts[0]!.host).toBe('localhost')
  })
})

describe('cross-option rules (libpq)', () => {
  test('sslnegotiation=direct needs sslmode require or stronger', () => {
    const e = configError(() => parseConfig('host=h sslnegotiation=direct'))
    expect(e.option).toBe('sslnegotiation')
    expect(e.message).toContain('weak sslmode "prefer" may not be used with sslnegotiation=direct')
    expect(configError(() => parseConfig({ sslNegotiation: 'direct', sslmode: 'allow' })).option).toBe('sslNegotiation')
    for (const mode of ['require', 'verify-ca', 'verify-full']) {
      expect(parseConfig({ sslnegotiation: 'DIRECT', sslmode: mode }).sslnegotiation).toBe('direct')
    }
  })

  test('sslrootcert=system defaults to verify-full and forbids weaker modes', () => {
    expect(parseConfig('host=h sslrootcert=system').sslmode).toBe('verify-full')
    const e = configError(() => parseConfig('host=h sslrootcert=system sslmode=require'))
    expect(e.option).toBe('sslmode')
    expect(e.message).toContain('use "verify-full"')
  })

  test('channel_binding=require with sslmode=disable cannot work', () => {
    const e = configError(() => parseConfig({ channelBinding: 'require', ssl: false }))
    expect(e.option).toBe('channelBinding')
  })

  test('two spellings of one option in one object', () => {
    const e = configError(() => parseConfig({ loadBalance: true, load_balance: 'any' }))
    expect(e.message).toContain('"loadBalance" and "load_balance" set the same thing')
    expect(configError(() => parseConfig({ ssl: true, sslmode: 'require' })).option).toBe('sslmode')
  })

  test('in strings, the last duplicate wins (libpq)', () => {
    expect(parseConfig('host=h load_balance=any loadBalance=only-rr').loadBalance).toBe('only-rr')
  })

  test('bad input types', () => {
    expect(configError(() => parseConfig(42 as unknown as string)).option).toBe('connectionString')
    expect(configError(() => parseConfig({ connectionString: 5 as unknown as string })).option).toBe('connectionString')
  })
})

describe('secrets', () => {
  const SECRET = 'Sup3r-S3cret'
  test.each([
    [`postgres://u:${SECRET}@h:bad/db`],
    [`postgres://u:${SECRET}@h/db?load_balance=maybe`],
    [`postgres://u:${SECRET}%zz@h/db`],
    [`host=h password='${SECRET}`],
    [`host=h password=${SECRET} pasword=x`],
    [`postgres://h?password=${SECRET}&sslpassword=${SECRET}&sslmode=x`],
  ])('never in error text: %s', (s) => {
    const e = configError(() => parseConfig(s))
    expect(e.message).not.toContain(SECRET)
    expect(redactConnectionString(s)).not.toContain(SECRET)
  })

  test('a non-string password is reported without its value', () => {
    const e = configError(() => parseConfig({ password: 12345678 as unknown as string }))
    expect(e.option).toBe('password')
    expect(e.message).toBe('invalid password: expected a string or a function returning one')
    expect(configError(() => parseConfig({ sslpassword: 987654 as unknown as string })).message).not.toContain('987654')
  })

  test('a password function is kept as is', () => {
    const fn = () => 'token'
    const c = parseConfig({ password: fn })
    expect(c.password).toBe(fn)
    expect(Object.isFrozen(fn)).toBe(false)
  })
})

test('the result is deeply frozen', () => {
  const c = parseConfig({
    connectionString: 'postgres://u:p@h1,h2/d?topology_keys=c.r.z&require_auth=md5',
    startupParams: { search_path: 'x' },
  })
  expect(Object.isFrozen(c)).toBe(true)
  expect(Object.isFrozen(c.hosts)).toBe(true)
  expect(Object.isFrozen(c.hosts[0])).toBe(true)
  expect(Object.isFrozen(c.topologyKeys[0])).toBe(true)
  expect(Object.isFrozen(c.startupParams)).toBe(true)
  expect(Object.isFrozen(c.requireAuth!.methods)).toBe(true)
  expect(() => {
    ;(c as { user: string }).user = 'x'
  }).toThrow(TypeError)
})

test('the input object is not modified', () => {
  const input = { host: ['a', 'b'], startupParams: { x: 'y' } }
  parseConfig(input)
  expect(Object.isFrozen(input.host)).toBe(false)
  expect(Object.isFrozen(input.startupParams)).toBe(false)
})

describe('property: URL built with encodeURIComponent parses back', () => {
  // Host names: DNS-like labels, IPv4, IPv6 or unix socket paths.
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/)
  const hostName = fc.oneof(
    fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.')),
    fc.ipV4(),
    fc.ipV6(),
    fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `/${ls.join('/')}`),
  )
  const host = fc.record({ host: hostName, port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }) })
  const text = fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }).filter((s) => !s.includes('\0'))

  test('hosts, ports, user, password, database', () => {
    fc.assert(
      fc.property(fc.array(host, { minLength: 1, maxLength: 4 }), text, fc.option(text, { nil: undefined }), text, (hosts, user, password, db) => {
        const authority = hosts
          .map(({ host: h, port }) => {
            const name = h.includes(':') ? `[${h}]` : encodeURIComponent(h)
            return port === undefined ? name : `${name}:${port}`
          })
          .join(',')
        const creds = encodeURIComponent(user) + (password === undefined ? '' : `:${encodeURIComponent(password)}`)
        const url = `postgresql://${creds}@${authority}/${encodeURIComponent(db)}`
        const c = parseConfig(url)
        const anyPort = hosts.some((h) => h.port !== undefined)
        expect(c.hosts).toEqual(hosts.map((h) => ({ host: h.host, port: anyPort ? (h.port ?? 5432) : 5432 })))
        expect(c.user).toBe(user)
        expect(c.password).toBe(password)
        expect(c.database).toBe(db)
      }),
      { numRuns: 300 },
    )
  })
})

describe('hostaddr (libpq: dial the address, keep the name for TLS and the password file)', () => {
  test('paired with host by position; an empty entry resolves that host by name', () => {
    const c = parseConfig('host=db1.example,db2.example hostaddr=127.0.0.2, port=5433')
    expect(c.hosts).toEqual([
      { host: 'db1.example', port: 5433, hostaddr: '127.0.0.2' },
      { host: 'db2.example', port: 5433 },
    ])
  })
  test('hostaddr alone gives the hosts; IPv6 works', () => {
    expect(parseConfig('hostaddr=127.0.0.3,::1 port=1,2').hosts).toEqual([
      { host: '127.0.0.3', port: 1, hostaddr: '127.0.0.3' },
      { host: '::1', port: 2, hostaddr: '::1' },
    ])
    expect(parseConfig({ hostaddr: ['127.0.0.4'] }).hosts[0]!.hostaddr).toBe('127.0.0.4')
  })
  test('libpq errors: count mismatch, a name where an address belongs, verify-full without a name', () => {
    expect(configError(() => parseConfig('host=a,b hostaddr=127.0.0.1')).message).toBe('could not match 2 host names to 1 hostaddr values')
    const named = configError(() => parseConfig('hostaddr=localhost'))
    expect(named.option).toBe('hostaddr')
    expect(named.message).toContain('numeric IPv4 or IPv6 addresses')
    expect(configError(() => parseConfig('hostaddr=127.0.0.1 sslmode=verify-full')).message).toContain(
      'host name must be specified for a verified SSL connection',
    )
    expect(parseConfig('host=db hostaddr=127.0.0.1 sslmode=verify-full').hosts[0]!.host).toBe('db')
  })
})

describe('no part of a password in errors', () => {
  test('an unknown word right after a password is not shown (it may be the rest of the password)', () => {
    for (const input of ['password=my secret=x', 'postgresql://h/db?password=my&secret=x', "host=h password=ab cd=1"]) {
      const e = configError(() => parseConfig(input))
      expect(e.message).not.toMatch(/secret|cd/)
      expect(e.message).toContain('right after a password')
    }
  })
})
