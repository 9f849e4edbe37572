/**
 * File access on Node (and Bun): certificate paths for tlsUpgradeOptions
 * (src/tls/policy.ts), the password file and service files, and warnings.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs'
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

/**
 * One NSS key log line for sslkeylogfile, appended as libpq 18 does: the file
 * is created owner-only (0600), and a failure is a warning, never an error of
 * the connection.
 */
export function appendKeyLog(path: string, line: Uint8Array): void {
  try {
    appendFileSync(path, line, { mode: 0o600 })
  } catch (error) {
    warn(`could not write to SSL key logging file "${path}": ${(error as Error).message}`)
  }
}
