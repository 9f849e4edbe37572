/**
 * File access for TLS options on Node: the ReadFile that tlsUpgradeOptions
 * (src/tls/policy.ts) takes to read sslrootcert / sslcert / sslkey paths.
 */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'

/** Reads a UTF-8 text file; undefined when it does not exist, throws on other errors. */
export function readFileText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** The user's home directory (for libpq's ~/.postgresql defaults), or undefined if unknown. */
export function homeDirectory(): string | undefined {
  try {
    const dir = homedir()
    return dir === '' ? undefined : dir
  } catch {
    return undefined
  }
}
