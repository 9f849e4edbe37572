/**
 * libpq 16 `require_auth`: which authentication requests the client accepts
 * from the server (fe-connect.c, fe-auth.c check_expected_areq). A plain list
 * allows only those methods and requires the server to authenticate the
 * client unless `none` is listed; a `!` list allows every method but those,
 * and `!none` forbids a server that lets the client in without asking.
 * The value is parsed with the other options (src/config/require-auth.ts).
 */
import type { AuthMethod, RequireAuth } from '../config/types.js'
import { AuthError, ErrorCode } from '../errors.js'

/** What libpq says about each refused request. */
const REFUSAL: Record<AuthMethod, string> = {
  password: 'server requested a cleartext password',
  md5: 'server requested a hashed password',
  gss: 'server requested GSSAPI authentication',
  sspi: 'server requested SSPI authentication',
  'scram-sha-256': 'server requested SASL authentication',
  none: 'server did not complete authentication',
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
    code: ErrorCode.RequireAuth,
  })
}

/** The requirement as the user would write it, for error messages. */
export function formatRequireAuth(requireAuth: RequireAuth): string {
  return requireAuth.methods.map((method) => (requireAuth.negated ? `!${method}` : method)).join(',')
}
