/**
 * Keeping secrets out of what users print: a property that holds a password is
 * made non-enumerable, so JSON.stringify, util.inspect and object spreads skip
 * it while code that reads it by name still works (pg does the same for
 * `password` and `ssl.key`).
 */
import { redactConnectionString } from './connection-string.js'

/** Option and config fields that hold secrets, in any spelling an options object uses (sslkey may be PEM text). */
const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'sslpassword', 'sslPassword', 'sslkey', 'sslKey', 'passphrase', 'key'])

/** True when `key` names a secret (`key` only inside an `ssl` object). */
export function isSecretKey(key: string, inSsl = false): boolean {
  return SECRET_KEYS.has(key) && (inSsl || (key !== 'key' && key !== 'passphrase'))
}

function hide(target: object, key: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key)
  if (descriptor === undefined || !descriptor.enumerable || !descriptor.configurable) return
  Object.defineProperty(target, key, { ...descriptor, enumerable: false })
}

/**
 * Hide the secrets of an options object in place: passwords, a connection
 * string that carries one, and `ssl.key` / `ssl.passphrase`. Returns it.
 */
export function hideSecrets<T extends object>(options: T): T {
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key]
    if (isSecretKey(key)) hide(options, key)
    else if (key === 'connectionString' && typeof value === 'string' && redactConnectionString(value) !== value) hide(options, key)
    else if (key === 'ssl' && typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
      for (const k of Object.keys(value)) if (isSecretKey(k, true)) hide(value, k)
    }
  }
  return options
}
