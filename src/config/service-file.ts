/**
 * The connection service file (libpq 34.17 "The Connection Service File"):
 * INI-style groups `[name]` of `keyword=value` lines. libpq looks in the
 * user's file (PGSERVICEFILE, else ~/.pg_service.conf) and, when the service
 * is not there, in the system file (PGSYSCONFDIR/pg_service.conf); a missing
 * file is skipped, a service in neither is an error. Lines are read as libpq
 * reads them: whitespace at both ends dropped, `#` comments, the key exactly
 * up to the first `=`, the value after it as is; only the first group with
 * the name counts. Pure: the caller passes a file reader.
 */
import { ConfigError } from '../errors.js'
import { trimCSpace } from './values.js'

/** Reads a text file; undefined when it does not exist. */
export type ReadTextFile = (path: string) => string | undefined

/** One `keyword=value` line of a service group. */
export interface ServiceEntry {
  key: string
  value: string
  /** `service file "/path" line 3`, for error messages. */
  where: string
}

/** Where to look for service files (libpq's order). */
export interface ServiceFilePaths {
  /** PGSERVICEFILE, else `<home>/.pg_service.conf`; undefined when neither is known. */
  user?: string
  /** The user file was named (PGSERVICEFILE / servicefile): it must exist. */
  userExplicit?: boolean
  /** `<PGSYSCONFDIR>/pg_service.conf`; undefined when PGSYSCONFDIR is not set. */
  system?: string
}


const fail = (message: string) => new ConfigError(message, { option: 'service' })

/** The entries of group `[service]` in one file's text, or undefined when the file has no such group. */
export function serviceGroup(text: string, service: string, path: string): ServiceEntry[] | undefined {
  let inGroup = false
  let found = false
  const entries: ServiceEntry[] = []
  const lines = text.split('\n')
  for (let n = 0; n < lines.length; n++) {
    const line = trimCSpace(lines[n]!)
    if (line === '' || line.startsWith('#')) continue
    if (line.startsWith('[')) {
      if (inGroup) break // the group ended; libpq stops at the next header
      inGroup = line.startsWith(`[${service}]`)
      found ||= inGroup
      continue
    }
    if (!inGroup) continue
    const where = `service file "${path}" line ${n + 1}`
    const eq = line.indexOf('=')
    if (eq < 0) throw fail(`syntax error in ${where}: expected keyword=value`)
    const key = line.slice(0, eq)
    if (key === 'service') throw fail(`nested service specifications are not supported (${where})`)
    entries.push({ key, value: line.slice(eq + 1), where })
  }
  return found ? entries : undefined
}

/** The entries of `service` from the first file that has it; a ConfigError when none does. */
export function readService(service: string, paths: ServiceFilePaths, readFile: ReadTextFile): ServiceEntry[] {
  const tried: string[] = []
  for (const path of [paths.user, paths.system]) {
    if (path === undefined) continue
    tried.push(path)
    const explicit = path === paths.user && paths.userExplicit === true
    let text: string | undefined
    try {
      text = readFile(path)
    } catch {
      text = undefined // unreadable: as libpq, a default file it cannot stat is skipped
    }
    if (text === undefined) {
      if (explicit) throw fail(`service file "${path}" not found`)
      continue
    }
    const entries = serviceGroup(text, service, path)
    if (entries !== undefined) return entries
  }
  const where = tried.length > 0 ? ` (looked in ${tried.map((p) => `"${p}"`).join(' and ')})` : ' (no service file: set PGSERVICEFILE or PGSYSCONFDIR)'
  throw fail(`definition of service "${service}" not found${where}`)
}
