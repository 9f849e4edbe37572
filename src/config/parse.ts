/**
 * `parseConfig`: connection string, options object and PG* environment →
 * one frozen, validated {@link Config}. Pure: the environment is passed in.
 *
 * Precedence, per option (libpq layering): options object > connection string
 * > environment > defaults. Hosts and ports are separate options, as in libpq:
 * `{ port: 6000 }` with a URL `postgres://h1,h2` gives both hosts port 6000.
 */
import { ConfigError } from '../errors.js'
import { parseConnectionString } from './connection-string.js'
import { osUser, readEnvOptions } from './env.js'
import { pairHostsWithPorts, DEFAULT_HOST, type HostEntry } from './hosts.js'
import { isSecretKey } from './secrets.js'
import { fileFormats } from './file-formats.js'
import type { ReadTextFile } from './service-file.js'
import {
  DEFAULT_CANCEL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FAILED_HOST_TTL_SECONDS,
  DEFAULT_YB_SERVERS_REFRESH_INTERVAL,
  DEFAULT_MAX_RESULT_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_SCRAM_ITERATIONS,
  DEFAULT_STATEMENT_CACHE_SIZE,
  findOption,
  type ParsedOptions,
} from './options.js'
import type { Config, ConnectOptions, ProtocolMinor, SslMode } from './types.js'
import type { ValueOrigin } from './values.js'

export { DEFAULT_YB_SERVERS_REFRESH_INTERVAL, DEFAULT_FAILED_HOST_TTL_SECONDS }

/** A parsed value and where it came from, for cross-option error messages. */
interface Setting {
  value: unknown
  origin: ValueOrigin
}
type Layer = Map<string, Setting>

function setFrom(layer: Layer, name: string, raw: unknown, inObject: boolean, via?: string): void {
  const spec = findOption(name, inObject, via)
  const origin: ValueOrigin = { name, via, secret: spec.secret }
  const previous = layer.get(spec.key)
  if (inObject && previous !== undefined) {
    throw new ConfigError(`options "${previous.origin.name}" and "${name}" set the same thing; give only one`, { option: name })
  }
  layer.set(spec.key, { value: spec.parse(raw, origin), origin })
}

function objectLayer(object: ConnectOptions): Layer {
  const layer: Layer = new Map()
  for (const [name, raw] of Object.entries(object)) {
    if (name === 'connectionString' || raw === undefined || raw === null) continue
    setFrom(layer, name, raw, true)
  }
  if (layer.has('host') && layer.has('hosts')) {
    throw new ConfigError('options "host" and "hosts" both given; give only one', { option: 'hosts' })
  }
  return layer
}

function stringLayer(s: string): Layer {
  const layer: Layer = new Map()
  const entries = [...parseConnectionString(s)]
  // Spellings of one option (sslmode, requiressl, ssl): only the last written is read;
  // libpq checks only the final value, so an overridden bad one is no error.
  const keys = entries.map(([name], i) => {
    const previous = entries[i - 1]?.[0]
    return findOption(name, false, 'connection string', previous !== undefined && isSecretKey(previous) ? previous : undefined).key
  })
  entries.forEach(([name, value], i) => {
    if (keys.indexOf(keys[i]!, i + 1) < 0) setFrom(layer, name, value, false, 'connection string')
  })
  return layer
}

/** File access parseConfig needs for service files; absent on runtimes without files (Workers). */
export interface ConfigFiles {
  /** Runtime name for errors (`workerd`). */
  runtime?: string
  readFile?: ReadTextFile
  homeDir?: () => string | undefined
}

/** Why service and password files cannot be read here: no file access, or an entry without the parsers. */
function noFilesReason(files: ConfigFiles): string {
  return files.readFile === undefined
    ? `${files.runtime ?? 'this runtime'} cannot read files`
    : "this build of pgfleet (the Workers entry) leaves service and password files out"
}

/**
 * The options of service `name` (libpq: after the connection string, before
 * the environment). Explicitly asked for, so a runtime without files is an error.
 */
function serviceLayer(name: string, servicefile: string | undefined, env: Readonly<Record<string, string | undefined>>, files: ConfigFiles): Layer {
  const readService = fileFormats()?.readService
  if (files.readFile === undefined || readService === undefined) {
    throw new ConfigError(`service "${name}" needs a service file, but ${noFilesReason(files)}; give the settings directly`, { option: 'service' })
  }
  const home = files.homeDir?.()
  const sysconf = env.PGSYSCONFDIR
  const paths = {
    user: servicefile ?? (home !== undefined ? `${home}/.pg_service.conf` : undefined),
    userExplicit: servicefile !== undefined,
    system: sysconf ? `${sysconf}/pg_service.conf` : undefined,
  }
  const layer: Layer = new Map()
  for (const { key, value, where } of readService(name, paths, files.readFile)) {
    // libpq (parseServiceFile) sets a keyword only while it is unset: the first line wins.
    if (!layer.has(findOption(key, false, where).key)) setFrom(layer, key, value, false, where)
  }
  return layer
}

function envLayer(env: Readonly<Record<string, string | undefined>>): Layer {
  const layer: Layer = new Map()
  for (const { name, value, variable } of readEnvOptions(env)) setFrom(layer, name, value, false, variable)
  return layer
}

const STRONG_SSL: readonly SslMode[] = ['require', 'verify-ca', 'verify-full']

/**
 * Host entries with their hostaddr (libpq pairs the two lists by position;
 * hostaddr alone gives the hosts). No host at all is the default host.
 */
function hostEntries(given: HostEntry[] | string[] | undefined, hostaddrs: string[] | undefined): HostEntry[] {
  const entries: HostEntry[] = given?.map((h) => (typeof h === 'string' ? { host: h } : h)) ?? []
  if (hostaddrs === undefined) return entries.length > 0 ? entries : [{ host: DEFAULT_HOST }]
  if (entries.length === 0) return hostaddrs.map((hostaddr) => ({ host: '', hostaddr }))
  if (entries.length !== hostaddrs.length) {
    throw new ConfigError(`could not match ${entries.length} host names to ${hostaddrs.length} hostaddr values`, { option: 'hostaddr' })
  }
  return entries.map((e, i) => (hostaddrs[i] ? { ...e, hostaddr: hostaddrs[i] } : e))
}

/** Deep-freeze the plain objects and arrays of a config. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/**
 * Parse and validate a configuration.
 *
 * @param input a `postgres://` URL or libpq `key=value` string, or an options
 *   object (which may carry `connectionString`; its own keys win over it).
 * @param env environment variables (PGHOST, PGUSER, ...; USER for the default
 *   user). Defaults to `{}`: pass `process.env` explicitly on Node.
 * @throws ConfigError naming the option, the bad value (never a password) and
 *   the accepted values.
 *
 * Units: `connect_timeout` (strings, libpq) is seconds; `connectTimeout` is
 * milliseconds; `query_timeout`/`queryTimeout` are milliseconds. Defaults:
 * host localhost, port 5432, user = USER or "postgres", database = user,
 * sslmode prefer (verify-full with sslrootcert=system), statement cache 100,
 * max message 256 MiB, max SCRAM iterations 1,000,000.
 */
export function parseConfig(
  input?: string | ConnectOptions,
  env: Readonly<Record<string, string | undefined>> = {},
  files: ConfigFiles = {},
): Config {
  let object: ConnectOptions | undefined
  let connectionString: string | undefined
  if (typeof input === 'string') connectionString = input
  else if (typeof input === 'object' && input !== null) {
    object = input
    const cs = input.connectionString
    if (cs !== undefined && cs !== null && typeof cs !== 'string') {
      throw new ConfigError('invalid connectionString: expected a string', { option: 'connectionString' })
    }
    connectionString = cs ?? undefined
  } else if (input !== undefined) {
    throw new ConfigError('invalid configuration: expected a connection string or an options object', { option: 'connectionString' })
  }

  const layers: Layer[] = [
    object ? objectLayer(object) : new Map(),
    connectionString !== undefined ? stringLayer(connectionString) : new Map(),
    envLayer(env),
  ]
  const setting = (key: keyof ParsedOptions): Setting | undefined => {
    for (const layer of layers) {
      const s = layer.get(key)
      if (s !== undefined) return s
    }
    return undefined
  }
  const pick = <K extends keyof ParsedOptions>(key: K): ParsedOptions[K] | undefined =>
    setting(key)?.value as ParsedOptions[K] | undefined

  // libpq: a service's settings come after the connection string and before the environment.
  const service = pick('service')
  if (service !== undefined && service !== '') layers.splice(2, 0, serviceLayer(service, pick('servicefile'), env, files))

  const entries = hostEntries(pick('hosts') ?? pick('host'), pick('hostaddr'))
  const hosts = pairHostsWithPorts(entries, pick('port'), setting('port')?.origin.name)

  // libpq: an empty user (user=) still hides PGUSER, and means the OS user; an empty dbname means the user.
  const user = pick('user') || osUser(env) || 'postgres'
  const sslrootcert = pick('sslrootcert')
  const sslmodeSetting = setting('sslmode')
  // libpq 16: sslrootcert=system defaults sslmode to verify-full and forbids weaker modes.
  const sslmode = (sslmodeSetting?.value as SslMode | undefined) ?? (sslrootcert === 'system' ? 'verify-full' : 'prefer')
  if (sslrootcert === 'system' && sslmode !== 'verify-full') {
    throw new ConfigError(`weak sslmode "${sslmode}" may not be used with sslrootcert=system (use "verify-full")`, {
      option: sslmodeSetting?.origin.name ?? 'sslmode',
    })
  }
  // libpq verifies the certificate against the host name; an address alone cannot be verified.
  if (sslmode === 'verify-full' && entries.some((e) => e.hostaddr !== undefined && e.host === '')) {
    throw new ConfigError('host name must be specified for a verified SSL connection (sslmode=verify-full with hostaddr only)', {
      option: sslmodeSetting?.origin.name ?? 'sslmode',
    })
  }
  const passfile = pick('passfile')
  if (passfile !== undefined && passfile !== '' && (files.readFile === undefined || fileFormats() === undefined)) {
    throw new ConfigError(`passfile needs file access, but ${noFilesReason(files)}`, { option: 'passfile' })
  }
  const sslnegotiation = pick('sslnegotiation') ?? 'postgres'
  if (sslnegotiation === 'direct' && !STRONG_SSL.includes(sslmode)) {
    throw new ConfigError(
      `weak sslmode "${sslmode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`,
      { option: setting('sslnegotiation')?.origin.name ?? 'sslnegotiation' },
    )
  }
  const channelBinding = pick('channelBinding') ?? 'prefer'
  if (channelBinding === 'require' && sslmode === 'disable') {
    throw new ConfigError('channel_binding "require" needs TLS, but sslmode is "disable"', {
      option: setting('channelBinding')?.origin.name ?? 'channel_binding',
    })
  }

  // libpq 18: 'latest' is 3.2; max defaults to 3.0 unless min asks for more.
  const minorOf = (v: string | undefined): ProtocolMinor | undefined => (v === undefined ? undefined : v === '3.0' ? 0 : 2)
  const minProtocolVersion = minorOf(pick('minProtocolVersion')) ?? 0
  const maxProtocolVersion = minorOf(pick('maxProtocolVersion')) ?? (minProtocolVersion > 0 ? 2 : 0)
  if (minProtocolVersion > maxProtocolVersion) {
    throw new ConfigError(
      `min_protocol_version "3.${minProtocolVersion}" is greater than max_protocol_version "3.${maxProtocolVersion}"`,
      { option: setting('minProtocolVersion')?.origin.name ?? 'min_protocol_version' },
    )
  }

  const config: Config = {
    hosts,
    user,
    database: pick('database') || user,
    startupParams: pick('startupParams') ?? {},
    sslmode,
    sslnegotiation,
    channelBinding,
    connectTimeoutMs: pick('connectTimeoutMs') ?? DEFAULT_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: pick('queryTimeoutMs') ?? 0,
    cancelTimeoutMs: pick('cancelTimeoutMs') ?? DEFAULT_CANCEL_TIMEOUT_MS,
    keepAlive: { enabled: pick('keepalives') ?? true, idleMs: (pick('keepalivesIdleSeconds') ?? 0) * 1000 },
    maxResultBytes: pick('maxResultBytes') ?? DEFAULT_MAX_RESULT_BYTES,
    targetSessionAttrs: pick('targetSessionAttrs') ?? 'any',
    loadBalanceHosts: pick('loadBalanceHosts') ?? 'disable',
    loadBalance: pick('loadBalance') ?? false,
    topologyKeys: pick('topologyKeys') ?? [],
    ybServersRefreshInterval: pick('ybServersRefreshInterval') ?? DEFAULT_YB_SERVERS_REFRESH_INTERVAL,
    fallbackToTopologyKeysOnly: pick('fallbackToTopologyKeysOnly') ?? false,
    failedHostTtlSeconds: pick('failedHostTtlSeconds') ?? DEFAULT_FAILED_HOST_TTL_SECONDS,
    statementCacheSize: pick('statementCacheSize') ?? DEFAULT_STATEMENT_CACHE_SIZE,
    maxMessageBytes: pick('maxMessageBytes') ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxScramIterations: pick('maxScramIterations') ?? DEFAULT_MAX_SCRAM_ITERATIONS,
    minProtocolVersion,
    maxProtocolVersion,
  }
  const optional: Partial<Config> = {
    password: pick('password'),
    passfile: passfile || undefined,
    applicationName: pick('applicationName') ?? pick('fallbackApplicationName'),
    options: pick('options'),
    sslrootcert,
    sslcert: pick('sslcert'),
    sslkey: pick('sslkey'),
    sslpassword: pick('sslpassword'),
    sslkeylogfile: pick('sslkeylogfile') || undefined,
    requireAuth: pick('requireAuth'),
  }
  for (const [k, v] of Object.entries(optional)) {
    if (v === undefined) continue
    // Secrets are not enumerable: JSON.stringify, util.inspect and spreads of a config never show them.
    Object.defineProperty(config, k, { value: v, enumerable: !isSecretKey(k), writable: true, configurable: true })
  }
  return deepFreeze(config)
}
