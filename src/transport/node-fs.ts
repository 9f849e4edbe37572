/**
 * File access on Node (and Bun): certificate paths for tlsUpgradeOptions
 * (src/tls/policy.ts), the password file and service files, and warnings.
 */
import { readFileSync, statSync } from 'node:fs'
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

/** st_mode of a path (type and permission bits); undefined when it does not exist, and on Windows, where libpq checks no permissions. */
export function fileMode(path: string): number | undefined {
  if (process.platform === 'win32') return undefined
  try {
    return statSync(path).mode
  } catch {
    return undefined
  }
}

/** A warning for the user, on Node's warning channel (printed on stderr unless the app listens for 'warning'). */
export function warn(message: string): void {
  process.emitWarning(message, 'PgfleetWarning')
}
