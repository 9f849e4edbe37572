/**
 * The runtime a build entry runs on (Node, Bun, Deno, Workers): how to dial,
 * read certificate files and see the environment. Each entry point
 * (src/index*.ts, src/pg.ts) installs its own before anything connects. Each
 * runtime is one file, src/transport/<runtime>.ts: its dial, its
 * capabilities and this object.
 */
import { ConfigError } from './errors.js'
import type { Capabilities } from './transport/capabilities.js'
import type { Dial } from './transport/socket.js'
import { bridgeChannels, type ChannelFactory } from './observe/events.js'

/** Runtime hooks the connection needs (injected so the core stays runtime-free). */
export interface Runtime {
  dial: Dial
  /** What `dial`'s sockets and TLS can do (src/transport/capabilities.ts). */
  capabilities: Readonly<Capabilities>
  /** Read a file as text (certificate paths, the password and service files); absent on edge runtimes. */
  readFile?: (path: string) => string | undefined
  /**
   * The user's home directory, for libpq's default files (~/.postgresql/root.crt,
   * postgresql.crt, postgresql.key, ~/.pgpass, ~/.pg_service.conf); absent
   * where the runtime has none.
   */
  homeDir?: () => string | undefined
  /** File type and permission bits (st_mode) of a path, undefined when it does not exist or the runtime cannot tell. */
  fileMode?: (path: string) => number | undefined
  /** Show a warning to the user (libpq prints them on stderr), e.g. a password file with open permissions. */
  warn?: (message: string) => void
  /** The runtime's named publish/subscribe channels (Node's diagnostics_channel): pgfleet's events are published there too. */
  channel?: ChannelFactory
}

/** A runtime plus what parseConfig reads from it. */
export interface RuntimeEnvironment extends Runtime {
  /** Name shown in errors. */
  name: string
  /** PG* variables; {} where the runtime has no environment. */
  env(): Readonly<Record<string, string | undefined>>
}

let installed: RuntimeEnvironment | undefined

/** Install the default runtime (done by the package entry point). */
export function installRuntime(runtime: RuntimeEnvironment): void {
  installed = runtime
  if (runtime.channel) bridgeChannels(runtime.channel)
}

/** The runtime to use when the caller gave none. */
export function defaultRuntime(): RuntimeEnvironment {
  if (!installed)
    throw new ConfigError('no runtime installed: import pgfleet through its package entry, or pass { runtime }', { option: 'runtime' })
  return installed
}
