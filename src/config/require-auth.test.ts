import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.js'
import { parseRequireAuth as parseOption } from './require-auth.js'

const parseRequireAuth = (value: string) => parseOption(value, { name: 'require_auth' })

describe('parseRequireAuth', () => {
  it('parses plain and negated lists', () => {
    expect(parseRequireAuth('scram-sha-256')).toEqual({ negated: false, methods: ['scram-sha-256'] })
    expect(parseRequireAuth('md5,password')).toEqual({ negated: false, methods: ['md5', 'password'] })
    expect(parseRequireAuth('!password,!md5')).toEqual({ negated: true, methods: ['password', 'md5'] })
    expect(parseRequireAuth(' SCRAM-SHA-256 , None ')).toEqual({ negated: false, methods: ['scram-sha-256', 'none'] })
  })

  it('treats an empty value as no requirement', () => {
    expect(parseRequireAuth('')).toBeUndefined()
    expect(parseRequireAuth('  ')).toBeUndefined()
  })

  it.each([
    ['kerberos', /invalid require_auth method "kerberos"/],
    ['md5,', /invalid require_auth method ""/],
    ['!', /invalid require_auth method "!"/],
    ['md5,!password', /negative method "!password" cannot be mixed with non-negative methods/],
    ['!md5,password', /method "password" cannot be mixed with negative methods/],
    ['md5,MD5', /require_auth: method "md5" is specified more than once/],
    ['!none,!none', /method "none" is specified more than once/],
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

