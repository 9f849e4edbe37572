/**
 * libpq 16 multi-host behaviour without load_balance: hosts in order
 * (load_balance_hosts=disable) or shuffled (random), and target_session_attrs
 * against the harness's streaming standby (127.0.0.4) and its primary.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { connect, ConnectionError, hostConnections, type Client } from '../../src/index.js'
import { appName, closeAll, inOrder, lbUrl, serverCountsEventually } from '../support/balancing.js'
import { harness } from '../support/harness.js'

const pg = harness()
const nodes = pg.nodes
const primary = nodes[0]!
const standby = pg.standby
const all = [...nodes, standby]
const open: Client[] = []

afterEach(async () => {
  await closeAll(open.splice(0))
})

describe('load_balance_hosts', () => {
  it('disable: the first listed host that answers, every time', async () => {
    const app = appName('inorder')
    const u = lbUrl(nodes, { application_name: app, load_balance_hosts: 'disable' })
    for (let i = 0; i < 6; i++) open.push(await connect(u))
    expect(open.map((c) => c.host.host)).toEqual(Array(6).fill(primary.host))
    expect(inOrder(hostConnections(u), nodes)).toEqual([6, 0, 0])
    expect(await serverCountsEventually(nodes, app, [6, 0, 0])).toEqual([6, 0, 0])
  })

  it('random: connections spread over the listed hosts', async () => {
    const app = appName('random')
    const u = lbUrl(nodes, { application_name: app, load_balance_hosts: 'random' })
    for (let i = 0; i < 30; i++) open.push(await connect(u))
    const client = inOrder(hostConnections(u), nodes)
    // Missing a host in 30 uniform draws has probability 3·(2/3)^30 ≈ 1.5e-5.
    for (const n of client) expect(n).toBeGreaterThan(0)
    expect(client.reduce((a, b) => a + b, 0)).toBe(30)
    expect(await serverCountsEventually(nodes, app, client)).toEqual(client)
  })
})

describe('target_session_attrs (standby listed first)', () => {
  const cases = [
    ['any', standby],
    ['read-write', primary],
    ['primary', primary],
    ['read-only', standby],
    ['standby', standby],
    ['prefer-standby', standby],
  ] as const
  for (const [attrs, expected] of cases) {
    it(`${attrs} → ${expected.host}`, async () => {
      const app = appName(attrs)
      const u = lbUrl([standby, primary], { application_name: app, target_session_attrs: attrs })
      const client = await connect(u)
      open.push(client)
      expect(client.host.host).toBe(expected.host)
      const readOnly = (await client.query<{ ro: string }>("select current_setting('transaction_read_only') as ro")).rows[0]!.ro
      expect(readOnly).toBe(expected === standby ? 'on' : 'off')
      const want = all.map((n) => (n.host === expected.host ? 1 : 0))
      // Sessions turned down by the check are closed: only the chosen one stays.
      expect(await serverCountsEventually(all, app, want)).toEqual(want)
      expect(inOrder(hostConnections(u), all)).toEqual(want)
    })
  }

  it('prefer-standby falls back to a primary; standby with no standby listed fails', async () => {
    const app = appName('fallback')
    const prefer = await connect(lbUrl([primary, nodes[1]!], { application_name: app, target_session_attrs: 'prefer-standby' }))
    open.push(prefer)
    expect(prefer.host.host).toBe(primary.host)
    const error = await connect(lbUrl([primary, nodes[1]!], { application_name: app, target_session_attrs: 'standby' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(/target_session_attrs=standby/)
    expect(await serverCountsEventually(all, app, [1, 0, 0, 0])).toEqual([1, 0, 0, 0])
  })
})
