/**
 * libpq 16 `require_auth`: which authentication requests the client accepts
 * from the server (fe-connect.c, fe-auth.c check_expected_areq). A plain list
 * allows only those methods and requires the server to authenticate the
 * client unless `none` is listed; a `!` list allows every method but those,
 * and `!none` forbids a server that lets the client in without asking.
 */
import type { AuthMethod, RequireAuth } from '../config/types.js'
import { AuthError, ConfigError } from '../errors.js'

const METHODS: readonly AuthMethod[] = ['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'none']

/** What libpq says about each refused request. */
const REFUSAL: Record<AuthMethod, string> = {
  password: 'server requested a cleartext password',
  md5: 'server requested a hashed password',
  gss: 'server requested GSSAPI authentication',
  sspi: 'server requested SSPI authentication',
  'scram-sha-256': 'server requested SASL authentication',
  none: 'server did not complete authentication',
}

/**
 * Parse a require_auth value such as `scram-sha-256`, `md5,password` or
 * `!password,!md5`. Case and spaces around items are ignored. An empty value
 * allows everything (libpq's default). Throws ConfigError on an unknown method,
 * a duplicate, or a list mixing negated and plain methods.
 */
export function parseRequireAuth(value: string): RequireAuth {
  if (value.trim() === '') return { negated: true, methods: [] }
  const items = value.split(',').map((item) => item.trim().toLowerCase())
  const negated = items[0]!.startsWith('!')
  const methods: AuthMethod[] = []
  for (const item of items) {
    const isNegated = item.startsWith('!')
    if (isNegated !== negated)
      throw new ConfigError(
        negated
          ? `require_auth method "${item}" cannot be mixed with negative methods`
          : `negative require_auth method "${item}" cannot be mixed with non-negative methods`,
        { option: 'require_auth' },
      )
    const name = isNegated ? item.slice(1) : item
    const method = METHODS.find((known) => known === name)
    if (method === undefined)
      throw new ConfigError(`invalid require_auth value: "${item}" (accepted: ${METHODS.join(', ')}, each optionally prefixed with !)`, {
        option: 'require_auth',
      })
    if (methods.includes(method)) throw new ConfigError(`require_auth method "${item}" is specified more than once`, { option: 'require_auth' })
    methods.push(method)
  }
  return { negated, methods }
}

/** True when the server may use `method`. */
export function isAuthMethodAllowed(requireAuth: RequireAuth, method: AuthMethod): boolean {
  return requireAuth.methods.includes(method) !== requireAuth.negated
}

/**
 * Refuse an authentication request the user did not allow. Call it on each
 * Authentication* request with the method it asks for, and with
 * 'ok-without-auth' when AuthenticationOk arrives before any exchange (trust).
 * No requirement (undefined) allows everything.
 */
export function checkAuthRequest(requireAuth: RequireAuth | undefined, method: AuthMethod | 'ok-without-auth'): void {
  if (requireAuth === undefined) return
  const asked: AuthMethod = method === 'ok-without-auth' ? 'none' : method
  if (isAuthMethodAllowed(requireAuth, asked)) return
  throw new AuthError(`authentication method requirement "${formatRequireAuth(requireAuth)}" failed: ${REFUSAL[asked]}`, {
    code: 'PGFLEET_REQUIRE_AUTH',
  })
}

/** The requirement as the user would write it, for error messages. */
export function formatRequireAuth(requireAuth: RequireAuth): string {
  return requireAuth.methods.map((method) => (requireAuth.negated ? `!${method}` : method)).join(',')
}
