import { describe, expect, expectTypeOf, test } from 'vitest'
import { DEFAULT_POOL_SIZING } from '../pool/sizing.js'
import { ENV_OPTIONS, OPTION_TABLE, optionNamesOf, type OptionSpec } from './option-table.js'
import type { ConnectOptions } from './types.js'

describe('the option table is the one source', () => {
  test("ConnectOptions types every spelling by its row's accepts (checked by tsc)", () => {
    expectTypeOf<ConnectOptions['host']>().toEqualTypeOf<string | string[] | undefined>()
    expectTypeOf<ConnectOptions['dbname']>().toEqualTypeOf<ConnectOptions['database']>()
    expectTypeOf<ConnectOptions['failedHostReconnectDelaySecs']>().toEqualTypeOf<number | string | undefined>()
    expectTypeOf<ConnectOptions['password']>().toEqualTypeOf<string | (() => string | Promise<string>) | undefined>()
    expectTypeOf<ConnectOptions['connectionString']>().toEqualTypeOf<string | undefined>()
    // A wrong type for a known option does not compile.
    // @ts-expect-error port is a number or a string
    const wrong: ConnectOptions = { port: [5432] }
    expect(wrong).toBeDefined()
  })
  test('each spelling belongs to one row; environment variables are unique', () => {
    const names = (OPTION_TABLE as readonly OptionSpec[]).flatMap((r) => r.names)
    expect(new Set(names).size).toBe(names.length)
    expect(Object.keys(ENV_OPTIONS).length).toBe((OPTION_TABLE as readonly OptionSpec[]).filter((r) => r.env).length)
  })
  test("the pool layer's keys are the pool's sizing keys plus onError", () => {
    expect(optionNamesOf('pool').sort()).toEqual([...Object.keys(DEFAULT_POOL_SIZING), 'onError'].sort())
  })
})
