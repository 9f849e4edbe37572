import { describe, expect, it } from 'vitest'
import type { AuthMethod } from '../config/types.js'
import { AuthError, ConfigError } from '../errors.js'
import { checkAuthRequest, formatRequireAuth, isAuthMethodAllowed, parseRequireAuth } from './require-auth.js'

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

describe('parseRequireAuth', () => {
  it('parses plain and negated lists', () => {
    expect(parseRequireAuth('scram-sha-256')).toEqual({ negated: false, methods: ['scram-sha-256'] })
    expect(parseRequireAuth('md5,password')).toEqual({ negated: false, methods: ['md5', 'password'] })
    expect(parseRequireAuth('!password,!md5')).toEqual({ negated: true, methods: ['password', 'md5'] })
    expect(parseRequireAuth(' SCRAM-SHA-256 , None ')).toEqual({ negated: false, methods: ['scram-sha-256', 'none'] })
  })

  it('treats an empty value as no requirement', () => {
    expect(allowed('')).toEqual(ALL)
  })

  it.each([
    ['kerberos', /invalid require_auth value: "kerberos"/],
    ['md5,', /invalid require_auth value: ""/],
    ['!', /invalid require_auth value: "!"/],
    ['md5,!password', /negative require_auth method "!password" cannot be mixed with non-negative methods/],
    ['!md5,password', /require_auth method "password" cannot be mixed with negative methods/],
    ['md5,MD5', /require_auth method "md5" is specified more than once/],
    ['!none,!none', /"!none" is specified more than once/],
  ])('rejects %j', (value, message) => {
    let caught: unknown
    try {
      parseRequireAuth(value)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ConfigError)
    expect((caught as ConfigError).option).toBe('require_auth')
    expect((caught as Error).message).toMatch(message)
  })
})

describe('checkAuthRequest (libpq check_expected_areq)', () => {
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
      expect((error as AuthError).code).toBe('PGFLEET_REQUIRE_AUTH')
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
