import { describe, expect, it } from 'vitest'
import type { Config } from '../config/types.js'
import { ConfigError, ConnectionError, ErrorCode, PgError } from '../errors.js'
import { createConnectionFactory } from './factory.js'
import { HostBookRegistry, sharedHostBooks } from './host-book.js'
import { FakeClock, FakeCluster, type FakeSession, flush, makeConfig } from './testing/fake-cluster.js'

// libpq multi-host semantics (load_balance=false) and target_session_attrs.
const RW = { readOnly: false, inRecovery: false }
const STANDBY = { readOnly: true, inRecovery: true }
const RO_PRIMARY = { readOnly: true, inRecovery: false }

function setup(order: string[], patch: Partial<Config> = {}, random: () => number = () => 0) {
  const cluster = new FakeCluster(null)
  cluster.add('rw:5432', { state: RW })
  cluster.add('standby:5432', { state: STANDBY })
  cluster.add('ro:5432', { state: RO_PRIMARY })
  cluster.add('down:5432', { behaviour: 'refuse' })
  cluster.add('badpass:5432', { behaviour: 'auth-error' })
  const checks: string[] = []
  const factory = createConnectionFactory(
    makeConfig({ loadBalance: false, hosts: order.map((host) => ({ host, port: 5432 })), ...patch }),
    {
      connectNode: cluster.connectNode,
      queryServers: cluster.queryServers,
      checkSession: async (s: FakeSession) => {
        checks.push(s.dialled.host)
        return s.state
      },
      closeSession: (s) => s.end(),
      clock: new FakeClock(),
      random,
      books: new HostBookRegistry(),
    },
  )
  return { cluster, factory, checks }
}

const host = async (p: Promise<{ node: { host: string } }>) => (await p).node.host

describe('load_balance=false: hosts in order', () => {
  it('uses the first host that connects and never queries yb_servers', async () => {
    const { cluster, factory, checks } = setup(['down', 'standby', 'rw'])
    expect(await host(factory.connect())).toBe('standby')
    expect(cluster.dials).toEqual(['down:5432', 'standby:5432'])
    expect(cluster.serverQueries).toEqual([])
    expect(checks).toEqual([]) // `any` needs no check
  })

  it('stops at an authentication error (libpq does not try the remaining hosts)', async () => {
    const { cluster, factory } = setup(['badpass', 'rw'])
    await expect(factory.connect()).rejects.toBeInstanceOf(PgError)
    expect(cluster.dials).toEqual(['badpass:5432'])
    expect(factory.stats().failedHosts).toEqual([])
  })

  it('names every host and why when none works', async () => {
    const { factory } = setup(['down', 'standby'], { targetSessionAttrs: 'read-write' })
    const error = await factory.connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toBe(
      'Could not connect to any host with target_session_attrs=read-write; tried down:5432 (connect ECONNREFUSED down:5432), ' +
        'standby:5432 (session is read-only, wanted read-write)',
    )
  })

  it('a single unreachable host: PGFLEET_NO_HOST whose cause is the connect error', async () => {
    const { factory } = setup(['down'])
    const error = (await factory.connect().catch((e: unknown) => e)) as ConnectionError
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.code).toBe(ErrorCode.NoHost)
    expect(error.cause).toBeInstanceOf(ConnectionError)
    expect((error.cause as Error).message).toBe('connect ECONNREFUSED down:5432')
  })

  it('load_balance_hosts=random shuffles the order per connect', async () => {
    let n = 0
    const values = [0.1, 0.9, 0.5, 0.7, 0.2, 0.3, 0.99, 0.01, 0.6]
    const { factory } = setup(['rw', 'standby', 'ro'], { loadBalanceHosts: 'random' }, () => values[n++ % values.length]!)
    const firsts = new Set<string>()
    for (let i = 0; i < 9; i++) firsts.add(await host(factory.connect()))
    expect(firsts.size).toBeGreaterThan(1)
  })
})

describe('target_session_attrs', () => {
  const cases: [Config['targetSessionAttrs'], string[], string][] = [
    ['any', ['ro', 'rw'], 'ro'],
    ['read-write', ['standby', 'ro', 'rw'], 'rw'],
    ['read-only', ['rw', 'ro'], 'ro'],
    ['primary', ['standby', 'ro'], 'ro'],
    ['standby', ['rw', 'ro', 'standby'], 'standby'],
    ['prefer-standby', ['rw', 'standby'], 'standby'],
    ['prefer-standby', ['down', 'ro', 'rw'], 'ro'],
  ]
  it.each(cases)('%s over %j picks %s and closes the sessions it turned down', async (attrs, order, want) => {
    const { cluster, factory } = setup(order, { targetSessionAttrs: attrs })
    const chosen = await factory.connect()
    expect(chosen.node.host).toBe(want)
    const turnedDown = cluster.sessions.filter((s) => s !== (chosen as unknown as FakeSession))
    expect(turnedDown.every((s) => s.ended)).toBe(true)
    await flush()
    expect([...factory.hostConnections()].filter(([, n]) => n > 0)).toEqual([[want, 1]])
  })

  it('prefer-standby retries the hosts in `any` mode but not the unreachable ones', async () => {
    const { cluster, factory } = setup(['down', 'rw'], { targetSessionAttrs: 'prefer-standby' })
    expect(await host(factory.connect())).toBe('rw')
    expect(cluster.dials).toEqual(['down:5432', 'rw:5432', 'rw:5432'])
  })

  it('standby with no standby fails with each reason', async () => {
    const { factory } = setup(['rw', 'ro'], { targetSessionAttrs: 'standby' })
    await expect(factory.connect()).rejects.toThrow(/rw:5432 \(server is a primary, wanted standby\), ro:5432/)
  })

  it('needs a session check for anything but `any`', () => {
    expect(() =>
      createConnectionFactory(makeConfig({ targetSessionAttrs: 'read-only' }), {
        connectNode: async () => ({ closed: new Promise<void>(() => undefined) }),
        queryServers: async () => null,
      }),
    ).toThrow(ConfigError)
  })

  it('applies with load balancing too: read-only balances over standbys only', async () => {
    const cluster = new FakeCluster(null)
    for (const h of ['s1', 's2']) cluster.add(`${h}:5432`, { state: STANDBY })
    cluster.add('p:5432', { state: RW })
    const factory = createConnectionFactory(
      makeConfig({
        loadBalance: 'any',
        targetSessionAttrs: 'read-only',
        hosts: ['p', 's1', 's2'].map((h) => ({ host: h, port: 5432 })),
      }),
      {
        connectNode: cluster.connectNode,
        queryServers: cluster.queryServers,
        checkSession: async (s: FakeSession) => s.state,
        closeSession: (s) => s.end(),
        books: new HostBookRegistry(),
        random: () => 0,
      },
    )
    for (let i = 0; i < 6; i++) await factory.connect()
    await flush()
    const open = Object.fromEntries([...factory.hostConnections()].filter(([, n]) => n > 0))
    expect(open).toEqual({ s1: 3, s2: 3 })
  })
})

describe('process-wide host books', () => {
  it('two factories without an explicit registry share the book of their cluster', async () => {
    const cluster = new FakeCluster(null)
    cluster.add('shared-a:5432')
    cluster.add('shared-b:5432')
    const hosts = [
      { host: 'shared-a', port: 5432 },
      { host: 'shared-b', port: 5432 },
    ]
    const deps = { connectNode: cluster.connectNode, queryServers: cluster.queryServers, random: () => 0 }
    const one = createConnectionFactory(makeConfig({ hosts }), deps)
    const two = createConnectionFactory(makeConfig({ hosts: [...hosts].reverse() }), deps)
    await one.connect()
    await two.connect()
    expect(Object.fromEntries(one.clusterConnections())).toEqual({ 'shared-a': 1, 'shared-b': 1 })
    const total = () => sharedHostBooks.bookFor('shared-a:5432,shared-b:5432').entries().reduce((sum, e) => sum + e.open, 0)
    expect(total()).toBe(2)
    cluster.endAll()
    await flush()
    expect(total()).toBe(0)
  })
})

describe('hostaddr (libpq): the address travels with its host entry', () => {
  const dialler = (refuse: string[]) => {
    const dialled: { host: string; hostaddr?: string }[] = []
    const connectNode = async (node: { host: string; port: number; hostaddr?: string }) => {
      dialled.push({ host: node.host, hostaddr: node.hostaddr })
      if (refuse.includes(node.hostaddr ?? node.host)) throw new ConnectionError(`refused ${node.hostaddr}`, { code: ErrorCode.ConnectRefused })
      const closed = new Promise<Error | undefined>(() => undefined)
      return { closed, end: () => undefined } as unknown as FakeSession
    }
    return { dialled, connectNode }
  }
  const hosts = [
    { host: 'db.example', port: 5432, hostaddr: '10.0.0.1' },
    { host: 'db.example', port: 5432, hostaddr: '10.0.0.2' },
  ]

  it('one name with two addresses: after the first refuses, the second is dialled', async () => {
    const { dialled, connectNode } = dialler(['10.0.0.1'])
    const factory = createConnectionFactory(makeConfig({ loadBalance: false, hosts }), {
      connectNode,
      queryServers: async () => [],
      clock: new FakeClock(),
      books: new HostBookRegistry(),
    })
    await factory.connect()
    expect(dialled).toEqual([
      { host: 'db.example', hostaddr: '10.0.0.1' },
      { host: 'db.example', hostaddr: '10.0.0.2' },
    ])
  })

  it('load_balance without yb_servers() rows falls back to the listed hosts with their addresses', async () => {
    const { dialled, connectNode } = dialler([])
    const factory = createConnectionFactory(makeConfig({ loadBalance: 'any', hosts: [hosts[0]!] }), {
      connectNode,
      // Plain PostgreSQL: no yb_servers() (discovery answers null).
      queryServers: async () => null,
      clock: new FakeClock(),
      books: new HostBookRegistry(),
    })
    await factory.connect()
    expect(dialled).toEqual([{ host: 'db.example', hostaddr: '10.0.0.1' }])
  })
})
