import { describe, expect, test } from 'vitest'
import { ConfigError } from '../errors.js'
import { describeHost, isNumericAddress, pairHostsWithPorts, parseHostEntry, parsePortList } from './hosts.js'

const origin = { name: 'hosts' }

describe('describeHost', () => {
  test.each([
    [{ host: '127.0.0.1', port: 5433 }, '127.0.0.1:5433'],
    [{ host: '::1', port: 5432 }, '[::1]:5432'],
    [{ host: 'db.example.com', port: 5432 }, 'db.example.com:5432'],
    [{ host: '/var/run/postgresql', port: 5432 }, '/var/run/postgresql/.s.PGSQL.5432'],
    [{ host: '/tmp/', port: 5433 }, '/tmp/.s.PGSQL.5433'],
  ])('%j → %s', (h, expected) => {
    expect(describeHost(h)).toBe(expected)
  })
})

describe('parseHostEntry', () => {
  test.each([
    ['h', { host: 'h' }],
    ['h:5433', { host: 'h', port: 5433 }],
    [' h:5433 ', { host: 'h', port: 5433 }],
    ['[::1]', { host: '::1' }],
    ['[::1]:5434', { host: '::1', port: 5434 }],
    ['::1', { host: '::1' }],
    ['/tmp', { host: '/tmp' }],
    [{ host: 'h' }, { host: 'h' }],
    [{ host: 'h', port: 5433 }, { host: 'h', port: 5433 }],
    [{ host: 'h', port: '5433' }, { host: 'h', port: 5433 }],
  ])('%j', (raw, expected) => {
    expect(parseHostEntry(raw, origin)).toEqual(expected)
  })

  test.each([['h:0'], ['h:65536'], ['h:x'], ['[::1'], ['[::1]:'], [{ port: 1 }], [42]])('%j fails naming hosts', (raw) => {
    expect(() => parseHostEntry(raw, origin)).toThrow(ConfigError)
    try {
      parseHostEntry(raw, origin)
    } catch (e) {
      expect((e as ConfigError).option).toBe('hosts')
    }
  })
})

describe('parsePortList', () => {
  test.each([
    ['5433', [5433]],
    [5433, [5433]],
    ['5433,,5434', [5433, undefined, 5434]],
    [' 5433 , 5434 ', [5433, 5434]],
    [[5433, '5434'], [5433, 5434]],
  ])('%j', (raw, expected) => {
    expect(parsePortList(raw, { name: 'port' })).toEqual(expected)
  })
  test.each([['0'], ['65536'], ['54x'], ['-1'], [5432.5], [true]])('%j fails', (raw) => {
    expect(() => parsePortList(raw, { name: 'port' })).toThrow(/invalid port .*expected/)
  })
})

describe('pairHostsWithPorts (libpq rules)', () => {
  const hosts = [{ host: 'a' }, { host: 'b' }, { host: 'c' }]
  test('no ports: default 5432', () => {
    expect(pairHostsWithPorts(hosts, undefined).map((h) => h.port)).toEqual([5432, 5432, 5432])
  })
  test('one port serves every host', () => {
    expect(pairHostsWithPorts(hosts, [6000]).map((h) => h.port)).toEqual([6000, 6000, 6000])
  })
  test('one port per host, empty entries default', () => {
    expect(pairHostsWithPorts(hosts, [1, undefined, 3]).map((h) => h.port)).toEqual([1, 5432, 3])
  })
  test('a mismatch is an error', () => {
    expect(() => pairHostsWithPorts(hosts, [1, 2])).toThrow('could not match 2 port numbers to 3 hosts')
  })
  test('entry ports win and make the list irrelevant', () => {
    expect(pairHostsWithPorts([{ host: 'a', port: 1 }, { host: 'b', port: 2 }], [7, 8, 9])).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ])
    expect(pairHostsWithPorts([{ host: 'a', port: 1 }, { host: 'b' }], [7])).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 7 },
    ])
  })
  test('an empty host is localhost', () => {
    expect(pairHostsWithPorts([{ host: '' }, { host: 'b' }], undefined)).toEqual([
      { host: 'localhost', port: 5432 },
      { host: 'b', port: 5432 },
    ])
  })
})

describe('isNumericAddress (hostaddr)', () => {
  test.each(['127.0.0.1', '0.0.0.0', '::1', '::', 'fe80::1', '2001:db8::8a2e:370:7334', '1:2:3:4:5:6:7:8', '::ffff:192.0.2.1', '1::', 'fe80::1%lo', 'fe80::1%eth0.5'])('%s is an address', (a) => {
    expect(isNumericAddress(a)).toBe(true)
  })
  test.each(['localhost', '300.1.1.1', '300:.1.1.1', '1.2.3', '::1%', '::1%a b', ' ::1', '127.1', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '', ':::', '1:2:3:4:5:6:7'])('%j is not', (a) => {
    expect(isNumericAddress(a)).toBe(false)
  })
})
