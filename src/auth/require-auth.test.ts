import { describe, expect, it } from 'vitest'
import type { AuthMethod } from '../config/types.js'
import { parseRequireAuth as parseOption } from '../config/require-auth.js'
import { AuthError, ErrorCode } from '../errors.js'
import { checkAuthRequest, formatRequireAuth, isAuthMethodAllowed } from './require-auth.js'

/** The requirement as the config parser makes it (undefined when empty: no requirement). */
const parseRequireAuth = (value: string) => parseOption(value, { name: 'require_auth' })!

type Asked = AuthMethod | 'ok-without-auth'
const ALL: Asked[] = ['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'ok-without-auth']

/** Which requests a require_auth value lets through. */
function allowed(value: string): Asked[] {
  const requireAuth = parseRequireAuth(value)
  return ALL.filter((method) => {
    try {
      checkAuthRequest(requireAuth, method)
      return true
    } catch (error) {
      expect(error).toBeInstanceOf(AuthError)
      return false
    }
  })
}

describe('checkAuthRequest (libpq check_expected_areq)', () => {
  it('an empty require_auth allows everything', () => {
    expect(allowed('')).toEqual(ALL)
  })

  it('allows everything without a requirement', () => {
    for (const method of ALL) expect(() => checkAuthRequest(undefined, method)).not.toThrow()
  })

  it('scram-sha-256 refuses cleartext, md5 and a server that skips authentication', () => {
    expect(allowed('scram-sha-256')).toEqual(['scram-sha-256'])
    expect(() => checkAuthRequest(parseRequireAuth('scram-sha-256'), 'password')).toThrow(
      'authentication method requirement "scram-sha-256" failed: server requested a cleartext password',
    )
    expect(() => checkAuthRequest(parseRequireAuth('scram-sha-256'), 'md5')).toThrow(/server requested a hashed password/)
    expect(() => checkAuthRequest(parseRequireAuth('scram-sha-256'), 'ok-without-auth')).toThrow(/server did not complete authentication/)
  })

  it('uses a distinct error code', () => {
    try {
      checkAuthRequest(parseRequireAuth('md5'), 'scram-sha-256')
      expect.unreachable()
    } catch (error) {
      expect((error as AuthError).code).toBe(ErrorCode.RequireAuth)
      expect((error as Error).message).toMatch(/server requested SASL authentication/)
    }
  })

  it("'none' in a plain list allows a server that asks for nothing", () => {
    expect(allowed('scram-sha-256,none')).toEqual(['scram-sha-256', 'ok-without-auth'])
    expect(allowed('none')).toEqual(['ok-without-auth'])
  })

  it('a negated list allows every other method and trust', () => {
    expect(allowed('!password')).toEqual(['md5', 'gss', 'sspi', 'scram-sha-256', 'ok-without-auth'])
    expect(allowed('!password,!md5')).toEqual(['gss', 'sspi', 'scram-sha-256', 'ok-without-auth'])
  })

  it("'!none' requires the server to authenticate", () => {
    expect(allowed('!none')).toEqual(['password', 'md5', 'gss', 'sspi', 'scram-sha-256'])
    expect(() => checkAuthRequest(parseRequireAuth('!none'), 'ok-without-auth')).toThrow(
      'authentication method requirement "!none" failed: server did not complete authentication',
    )
  })

  it("treats 'none' like 'ok-without-auth'", () => {
    expect(isAuthMethodAllowed(parseRequireAuth('md5'), 'none')).toBe(false)
    expect(() => checkAuthRequest(parseRequireAuth('md5'), 'none')).toThrow(/did not complete authentication/)
  })

  it('formats the requirement as written', () => {
    expect(formatRequireAuth(parseRequireAuth('!password,!md5'))).toBe('!password,!md5')
    expect(formatRequireAuth(parseRequireAuth('md5,none'))).toBe('md5,none')
  })
})
