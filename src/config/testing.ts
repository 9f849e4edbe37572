/** Shared by the config unit tests (not part of the package). */
import { expect } from 'vitest'
import { ConfigError } from '../errors.js'

/** Catch the ConfigError a call throws (fails the test when none). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return e as ConfigError
  }
  throw new Error('expected a ConfigError')
}
