/**
 * `require_auth` (libpq 16): a comma list of authentication methods the
 * server may use; with every entry prefixed by `!`, the methods it may not
 * use. Mixing the two forms and naming a method twice are errors, as in libpq.
 */
import type { AuthMethod, RequireAuth } from './types.js'
import { invalidValue, optionError, type ValueOrigin } from './values.js'

/** Methods accepted in require_auth. */
export const AUTH_METHODS: readonly AuthMethod[] = ['password', 'md5', 'scram-sha-256', 'gss', 'sspi', 'none']

/** Parse require_auth; an empty value means no requirement (undefined). */
export function parseRequireAuth(raw: unknown, origin: ValueOrigin): RequireAuth | undefined {
  if (typeof raw !== 'string') {
    throw invalidValue(origin, raw, `a comma list of ${AUTH_METHODS.join(', ')}, each optionally prefixed by !`)
  }
  if (raw.trim() === '') return undefined
  const methods: AuthMethod[] = []
  let negated: boolean | undefined
  for (const item of raw.split(',')) {
    const word = item.trim().toLowerCase()
    const isNegated = word.startsWith('!')
    const name = isNegated ? word.slice(1) : word
    const method = AUTH_METHODS.find((m) => m === name)
    if (method === undefined) {
      throw invalidValue(origin, item.trim(), `one of ${AUTH_METHODS.join(', ')}, each optionally prefixed by !`, 'method')
    }
    if (negated === undefined) negated = isNegated
    else if (negated !== isNegated) {
      // libpq's two wordings (fe-connect.c): the odd item out is named as written.
      throw optionError(
        origin,
        isNegated
          ? `invalid ${origin.name}: negative method "${word}" cannot be mixed with non-negative methods`
          : `invalid ${origin.name}: method "${word}" cannot be mixed with negative methods`,
      )
    }
    if (methods.includes(method)) {
      throw optionError(origin, `invalid ${origin.name}: method "${method}" is specified more than once`)
    }
    methods.push(method)
  }
  return { negated: negated ?? false, methods }
}
