/**
 * From options to sessions: the options object split into configuration and
 * the settings that are code (runtime, balancer, hooks), parsed with the
 * runtime's environment and files, and the balancer-backed factory that opens
 * sessions for connect() and pools.
 */
import type { Balancer } from './balancer/types.js'
import { createConnectionFactory, type ConnectionFactory } from './balancer/factory.js'
import { Connection, type ConnectionHooks } from './connection/connection.js'
import { queryServersWith, sessionState } from './connection/discovery.js'
import { parseConfig } from './config/index.js'
import { osUser, readEnvOptions } from './config/env.js'
import { optionNamesOf } from './config/option-table.js'
import type { Config, ConnectOptions } from './config/types.js'
import { defaultRuntime, type RuntimeEnvironment } from './runtime.js'
import { wants } from './observe/events.js'
import { observeConnect, observePick } from './observe/produce.js'

/** Settings that are code, not configuration. */
export interface ConnectExtras extends ConnectionHooks {
  /** Runtime to dial with (default: the one of the package entry). */
  runtime?: RuntimeEnvironment
  /** A custom balancer (used when load balancing is on). */
  balancer?: Balancer
}

/** Connection options plus extras, as one object. */
export type ClientOptions = ConnectOptions & ConnectExtras

/** Keys that are code, not configuration (the option table's 'code' layer). */
const EXTRA_KEYS = optionNamesOf('code')

/** Split an options object into configuration and extras. */
export function splitOptions(input: string | ClientOptions | undefined): {
  options: string | ConnectOptions | undefined
  extras: ConnectExtras
} {
  if (input === undefined || typeof input === 'string') return { options: input, extras: {} }
  const options: ConnectOptions = { ...input }
  const extras: Record<string, unknown> = {}
  for (const key of EXTRA_KEYS) {
    if (key in options) {
      extras[key] = options[key]
      delete options[key]
    }
  }
  return { options, extras: extras as ConnectExtras }
}

/**
 * Parse options with the runtime's environment (PG* variables). `readFiles`
 * tells whether parsing read a file (a service file).
 */
export function resolveConfig(input: string | ClientOptions | undefined, runtime?: RuntimeEnvironment) {
  const { options, extras } = splitOptions(input)
  const rt = extras.runtime ?? runtime ?? defaultRuntime()
  let readFiles = false
  const readFile = rt.readFile && ((path: string) => ((readFiles = true), rt.readFile!(path)))
  const config = parseConfig(options, rt.env(), { runtime: rt.name, readFile, homeDir: rt.homeDir })
  // libpq ignores sslkeylogfile where its TLS library cannot log keys; say so rather than stay silent.
  if (config.sslkeylogfile !== undefined && !rt.capabilities.keyLog) rt.warn?.(`sslkeylogfile is ignored: ${rt.name} does not expose TLS session keys`)
  return { config, extras, runtime: rt, readFiles }
}

/** The balancer-backed connection factory for one configuration. */
export function factoryFor(config: Config, runtime: RuntimeEnvironment, extras: ConnectExtras): ConnectionFactory<Connection> {
  const hooks: ConnectionHooks = { onNotice: extras.onNotice, onNotification: extras.onNotification, onError: extras.onError }
  return createConnectionFactory<Connection>(config, {
    // A hooks object per session, so a pool can route one session's events (pgfleet/pg does).
    connectNode: (node, signal) => {
      const opening = Connection.open(config, node, runtime, { ...hooks }, signal)
      return wants('connect') ? observeConnect(node, config, opening) : opening
    },
    queryServers: queryServersWith(config, runtime),
    balancer: extras.balancer,
    checkSession: sessionState,
    closeSession: (conn) => conn.close(),
    onPick: (name, candidates, chosen, attempt) => {
      if (wants('balancer')) observePick(name, candidates, chosen, attempt)
    },
  })
}


/** Factories of recent connect() calls with plain options (see connectFactory). */
const recent = new Map<string, { runtime: RuntimeEnvironment; factory: ConnectionFactory<Connection> }>()
const RECENT_LIMIT = 16

/**
 * The session factory of one connect() call. Parsing the options with the
 * environment and building the factory cost about a fifth of the client's
 * CPU for a connect to a local server while the process is young (V8 has
 * not optimized that code yet), and an app that connects per request passes
 * the same options every time: the factory of a recent call with the same
 * plain options (strings, numbers, booleans), the same PG* variables and OS
 * user (read again on every call) and the same runtime is used again. Not
 * for options with objects or code (hooks, a balancer, a runtime), nor with
 * a service or a key log file, which read files or warn at parse time.
 */
export function connectFactory(input: string | ClientOptions | undefined): ConnectionFactory<Connection> {
  const key = cacheKey(input)
  const hit = key && recent.get(key)
  if (hit && hit.runtime === defaultRuntime()) return hit.factory
  const { config, runtime, extras, readFiles } = resolveConfig(input)
  const factory = factoryFor(config, runtime, extras)
  // Decided on what parsing did, not on option names (which a URL may percent-encode).
  if (key && !readFiles && config.sslkeylogfile === undefined) {
    if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value!)
    recent.set(key, { runtime, factory })
  }
  return factory
}

/**
 * connectFactory's key: the plain options plus what parseConfig reads from
 * the environment; undefined for other options. Own properties only, as
 * parseConfig's spread sees them (an object that inherits options is not
 * cached), and JSON-escaped, so no value can spell another option set's key.
 * (Options with a service or a key log file get a key, but their factory is
 * not kept: see connectFactory.)
 */
function cacheKey(input: string | ClientOptions | undefined): string | undefined {
  if (typeof input === 'object' && input !== null) {
    if (Object.getPrototypeOf(input) !== Object.prototype) return undefined
    for (const value of Object.values(input)) {
      const type = typeof value
      if (value !== undefined && type !== 'string' && type !== 'number' && type !== 'boolean') return undefined
    }
  } else if (input !== undefined && typeof input !== 'string') return undefined
  const env = defaultRuntime().env()
  return JSON.stringify([input ?? null, readEnvOptions(env), osUser(env)])
}
