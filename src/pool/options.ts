/**
 * Pool options: the pool keys are taken out of the options object before the
 * rest goes to parseConfig (which rejects keys it does not know), and
 * validated here with errors that name the key.
 */
import type { ClientOptions } from '../session-factory.js'
import { optionNamesOf } from '../config/option-table.js'
import { ConfigError } from '../errors.js'
import { DEFAULT_POOL_SIZING, type PoolSizing } from './sizing.js'

/** Pool sizing and timing (milliseconds), plus where background failures go. */
export interface PoolOptions extends Partial<PoolSizing> {
  /** Background failures: a connection opened to keep `min` that failed, a refresh that failed. */
  onError?: (error: unknown) => void
}

const SIZING_KEYS = Object.keys(DEFAULT_POOL_SIZING) as (keyof PoolSizing)[]
/** The keys the pool takes out of an options object (the option table's 'pool' layer). */
const POOL_KEYS = optionNamesOf('pool')
const MAX_TIMER_MS = 2_147_483_647

/** Split `createPool` input into connection options, sizing and the error hook. */
export function splitPoolOptions(
  input: string | (ClientOptions & PoolOptions),
  extra: PoolOptions = {},
): { connection: string | ClientOptions; sizing: PoolSizing; onError?: (error: unknown) => void } {
  let connection: string | ClientOptions = input
  const given: PoolOptions = { ...extra }
  if (typeof input !== 'string') {
    const rest: Record<string, unknown> = { ...input }
    for (const key of POOL_KEYS) {
      if (key in rest) {
        if (!(key in given)) (given as Record<string, unknown>)[key] = rest[key]
        delete rest[key]
      }
    }
    connection = rest as ClientOptions
  }
  return { connection, sizing: validateSizing(given), onError: given.onError }
}

/** Defaults filled in and every value checked (integers, ranges, min <= max). */
export function validateSizing(given: Partial<PoolSizing>): PoolSizing {
  const sizing = { ...DEFAULT_POOL_SIZING }
  for (const key of SIZING_KEYS) {
    const value = given[key]
    if (value === undefined) continue
    const counted = key === 'max' || key === 'rebalanceMoves' || key === 'pipelineDepth'
    const lowest = counted ? 1 : 0
    const highest = counted || key === 'min' ? 100_000 : MAX_TIMER_MS
    if (typeof value !== 'number' || !Number.isInteger(value) || value < lowest || value > highest) {
      throw new ConfigError(
        `pool option "${key}" must be an integer from ${lowest} to ${highest}${key.endsWith('Ms') ? ' (milliseconds; 0 disables)' : ''}, got ${String(value)}`,
        { option: key },
      )
    }
    sizing[key] = value
  }
  if (sizing.min > sizing.max) {
    throw new ConfigError(`pool option "min" (${sizing.min}) must not exceed "max" (${sizing.max})`, { option: 'min' })
  }
  return sizing
}
