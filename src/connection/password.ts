/**
 * The password a session answers with: the configured one, else the first
 * matching line of the password file (libpq connectOptions2 /
 * passwordFromFile), looked up under this host's own name and port so a
 * multi-host string and the nodes the balancer discovers each find their own
 * line. Read only when the server asks for a password.
 */
import type { Config, HostSpec } from '../config/types.js'
import { fileFormats } from '../config/file-formats.js'
import { passfileTooOpen } from '../config/passfile.js'
import { AuthError, ErrorCode } from '../errors.js'
import type { Runtime } from '../runtime.js'

/** File type bits of st_mode, and the regular-file type (POSIX). */
const S_IFMT = 0o170000
const S_IFREG = 0o100000

/** Warnings already given, so a pool does not repeat one per connection (libpq warns per connection). */
const warned = new Set<string>()

function warnOnce(runtime: Runtime, message: string): void {
  if (warned.has(message)) return
  warned.add(message)
  runtime.warn?.(message)
}

/** The password file to read: passfile / PGPASSFILE, else ~/.pgpass where the runtime has a home directory. */
export function passfilePath(config: Config, runtime: Runtime): string | undefined {
  if (config.passfile !== undefined) return config.passfile
  const home = runtime.homeDir?.()
  return home === undefined ? undefined : `${home}/.pgpass`
}

/** The password file's line for this host, or undefined (no file, no match, or a file libpq would ignore). */
export function passwordFromFile(config: Config, host: HostSpec, runtime: Runtime): { password: string; file: string } | undefined {
  const file = passfilePath(config, runtime)
  // The Workers entries install no password-file parser (src/config/file-formats.ts): their runtime has no files.
  const findPassfilePassword = fileFormats()?.findPassfilePassword
  if (file === undefined || runtime.readFile === undefined || findPassfilePassword === undefined) return undefined
  const mode = runtime.fileMode?.(file)
  if (mode !== undefined) {
    if ((mode & S_IFMT) !== S_IFREG) {
      warnOnce(runtime, `password file "${file}" is not a plain file; it is ignored`)
      return undefined
    }
    if (passfileTooOpen(mode)) {
      warnOnce(runtime, `password file "${file}" has group or world access; permissions should be u=rw (0600) or less; it is ignored`)
      return undefined
    }
  }
  let text: string | undefined
  try {
    text = runtime.readFile(file)
  } catch {
    return undefined // libpq ignores a password file it cannot open
  }
  if (text === undefined) return undefined
  const password = findPassfilePassword(text, { host: host.host, port: host.port, database: config.database, user: config.user })
  return password === undefined ? undefined : { password, file }
}

/** One session's password, resolved on the server's first request; `file` is set when it came from the password file. */
export class SessionPassword {
  file: string | undefined
  constructor(
    private readonly config: Config,
    private readonly host: HostSpec,
    private readonly runtime: Runtime,
    private readonly address: string,
  ) {}

  async get(): Promise<string> {
    const given = typeof this.config.password === 'function' ? await this.config.password() : this.config.password
    // libpq: an empty password counts as none, so the password file still applies.
    if (given !== undefined && given !== '') return given
    const fromFile = passwordFromFile(this.config, this.host, this.runtime)
    if (fromFile !== undefined) {
      this.file = fromFile.file
      return fromFile.password
    }
    throw new AuthError(`server ${this.address} requested a password, but none was given`, { code: ErrorCode.NoPassword })
  }
}
