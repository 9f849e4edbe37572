/**
 * The examples run against the test server and print what their tutorials show.
 */
import { describe, expect, it } from 'vitest'
import { main as bank } from '../../examples/bank.js'
import { main as psycopg } from '../../examples/psycopg.js'
import { serverUrl } from './helpers/server.js'

describe('examples', () => {
  it('bank.ts: transfers funds in retried serializable transactions', async () => {
    const lines: string[] = []
    const { attempts } = await bank(serverUrl(), (line) => lines.push(line))
    const balances = lines.filter((l) => !l.startsWith('Balances at'))
    expect(lines.filter((l) => l.startsWith('Balances at'))).toHaveLength(3)
    expect(balances).toEqual([
      '["1","1000"]',
      '["2","250"]',
      '["1","900"]',
      '["2","350"]',
      '["1","850"]',
      '["2","400"]',
    ])
    // Six transfers; concurrent ones that hit 40001 ran again.
    expect(attempts).toBeGreaterThanOrEqual(6)
  })

  it('psycopg.ts: the psycopg2/psycopg 3 snippets', async () => {
    const lines: string[] = []
    await psycopg(serverUrl(), (line) => lines.push(line))
    expect(lines[0]).toBe('Updated 1 row')
    expect(lines[1]).toBe('Query returned: 1, John, 35')
    expect(lines[2]).toMatch(/^now\(\) is a Date: \d{4}-\d\d-\d\dT/)
  })
})
