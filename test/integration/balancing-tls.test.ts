/**
 * Sessions on discovered nodes inherit the TLS and auth settings of the
 * original connection, and verify-full checks each discovered node's own
 * name. The main nodes serve the good certificate (IP SANs 127.0.0.1–.40);
 * 127.0.0.1:5441 serves one for wrong.example.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { clusterStats, connect, hostConnections, TlsError, type Client } from '../../src/index.js'
import { appName, closeAll, inOrder, lbUrl, serverCountsEventually } from '../support/balancing.js'
import { adminQuery, harness, PASSWORD, SCRAM_USER, setTopology } from '../support/harness.js'

const pg = harness()
const nodes = pg.nodes
const open: Client[] = []

afterEach(async () => {
  await closeAll(open.splice(0))
})

async function encryptedPerNode(app: string): Promise<number[]> {
  return Promise.all(
    nodes.map(async (n) => {
      const rows = await adminQuery(
        n.host,
        n.port,
        `select count(*) from pg_stat_activity a join pg_stat_ssl s using (pid) where a.application_name = :'app' and s.ssl`,
        { vars: { app }, database: 'postgres' },
      )
      return Number(rows[0]?.[0])
    }),
  )
}

describe('TLS on discovered nodes', () => {
  it('verify-full and SCRAM carry over to every node the balancer picks', async () => {
    await setTopology('lb_tls', pg.defaultTopology)
    const app = appName('tls')
    const u = lbUrl(
      [nodes[0]!],
      { load_balance: true, application_name: app, sslmode: 'verify-full', sslrootcert: pg.certs.ca.cert },
      { topology: 'lb_tls', user: SCRAM_USER, password: PASSWORD },
    )
    for (let i = 0; i < 6; i++) open.push(await connect(u))
    expect(open.every((c) => c.encrypted)).toBe(true)
    expect(inOrder(hostConnections(u), nodes)).toEqual([2, 2, 2])
    expect(await serverCountsEventually(nodes, app, [2, 2, 2])).toEqual([2, 2, 2])
    expect(await encryptedPerNode(app)).toEqual([2, 2, 2])
  })

  it("verify-full rejects a discovered node whose certificate names another host, without marking it failed", async () => {
    const wrong = pg.tls.wrongName
    await setTopology('lb_tls_wrong', [{ host: wrong.host, port: wrong.port, cloud: 'aws', region: 'us-east-1', zone: 'a' }])
    const app = appName('tlswrong')
    const params = { load_balance: true, application_name: app, sslrootcert: pg.certs.ca.cert }
    const strict = lbUrl([nodes[0]!], { ...params, sslmode: 'verify-full' }, { topology: 'lb_tls_wrong' })
    const error = await connect(strict).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TlsError)
    expect(clusterStats(strict).failedHosts).toEqual([])
    expect(total(hostConnections(strict))).toBe(0)
    // verify-ca checks the chain only: the same node is accepted.
    const chainOnly = lbUrl([nodes[0]!], { ...params, sslmode: 'verify-ca' }, { topology: 'lb_tls_wrong' })
    const client = await connect(chainOnly)
    open.push(client)
    expect(client.host.port).toBe(wrong.port)
    expect(client.encrypted).toBe(true)
  })
})

function total(map: Map<string, number>): number {
  return [...map.values()].reduce((a, b) => a + b, 0)
}
