import { describe, expect, test } from 'vitest'
import { DEFAULT_POOL_SIZING } from '../pool/resource-pool.js'
import { ENV_OPTIONS, OPTION_TABLE, optionNamesOf, type OptionSpec } from './option-table.js'
import type { ConnectOptions } from './types.js'

type Row = (typeof OPTION_TABLE)[number]
/** The keys an interface declares, without its index signature. */
type DeclaredKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] }
/** Rows (other than ignored libpq ones) with no spelling declared in ConnectOptions. */
type Untyped = Row extends infer R
  ? R extends { key: infer K; names: readonly (infer N)[] }
    ? K extends `ignored:${string}`
      ? never
      : [Extract<N, DeclaredKeys<ConnectOptions>>] extends [never]
        ? K
        : never
    : never
  : never
/** Keys declared in ConnectOptions that the table does not know. */
type Stray = Exclude<DeclaredKeys<ConnectOptions>, Row['names'][number] | 'connectionString'>

// Compile-time: the options type and the table cannot drift apart (tsc fails here otherwise).
const everyRowTyped: [Untyped] extends [never] ? true : Untyped = true
const noStrayKey: [Stray] extends [never] ? true : Stray = true

describe('the option table is the one source', () => {
  test('ConnectOptions declares a spelling of every option and nothing else (checked by tsc)', () => {
    expect([everyRowTyped, noStrayKey]).toEqual([true, true])
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
