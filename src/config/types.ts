import type { OptionInputs } from './option-table.js'

/** The parsed, validated, frozen configuration of a connection or pool. */

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'
export type ChannelBinding = 'disable' | 'prefer' | 'require'
export type SslNegotiation = 'postgres' | 'direct'
export type TargetSessionAttrs = 'any' | 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby'
export type LoadBalanceHosts = 'disable' | 'random'
/** `false` = libpq order; `any` (= `true`) = every node yb_servers() reports. */
export type LoadBalanceMode = false | 'any' | 'only-primary' | 'only-rr' | 'prefer-primary' | 'prefer-rr'
/** Authentication methods for require_auth (libpq 16). */
export type AuthMethod = 'password' | 'md5' | 'scram-sha-256' | 'none' | 'gss' | 'sspi'

/** One host of a multi-host list. */
export interface HostSpec {
  /** The host name: identifies the node, and is what TLS verifies and the password file matches. */
  host: string
  port: number
  /** libpq hostaddr: when set, the numeric address dialled instead of resolving `host`. */
  hostaddr?: string
}

/** One topology key: cloud.region.zone, zone may be '*'; level 1 is preferred first. */
export interface TopologyKey {
  cloud: string
  region: string
  /** '*' matches every zone. */
  zone: string
  level: number
}

export interface RequireAuth {
  /** true for `!method` lists: every method but these. */
  negated: boolean
  methods: AuthMethod[]
}

export interface Config {
  /** Hosts in the order given. At least one. */
  hosts: readonly HostSpec[]
  user: string
  /** Password, or a function returning one (e.g. for rotating tokens). */
  password?: string | (() => string | Promise<string>)
  /** A password file given explicitly (passfile / PGPASSFILE); otherwise ~/.pgpass is used where the runtime has files. */
  passfile?: string
  database: string
  applicationName?: string
  /** Extra startup parameters sent as-is (options, search_path via options, ...). */
  options?: string
  /** Other GUCs to send in the StartupMessage. */
  startupParams: Readonly<Record<string, string>>

  // TLS (libpq semantics)
  sslmode: SslMode
  /** PEM text, a file path (Node), or 'system'. */
  sslrootcert?: string
  sslcert?: string
  sslkey?: string
  sslpassword?: string
  /** File the TLS session keys are appended to (NSS key log format), where the runtime can log them. */
  sslkeylogfile?: string
  sslnegotiation: SslNegotiation
  channelBinding: ChannelBinding
  requireAuth?: RequireAuth
  /** Protocol 3.<minor> the startup asks for (max_protocol_version: 0 or 2) and the least it accepts (min). */
  minProtocolVersion: ProtocolMinor
  maxProtocolVersion: ProtocolMinor

  // Timeouts (milliseconds; 0 = none)
  /** Bounds each host's whole startup (dial, TLS, authentication); default 10 s. */
  connectTimeoutMs: number
  /** Default deadline of every query, stream and COPY (0 = none). */
  queryTimeoutMs: number
  /**
   * After a deadline or abort, how long the server has to answer the
   * CancelRequest before the session is destroyed (0 = destroy at once).
   */
  cancelTimeoutMs: number
  /** TCP keepalive (libpq keepalives, keepalives_idle); on by default. */
  keepAlive: { readonly enabled: boolean; readonly idleMs: number }
  /** Largest total of row bytes a buffered query() result may hold (0 = no cap). */
  maxResultBytes: number

  // Multi-host (libpq 16)
  targetSessionAttrs: TargetSessionAttrs
  loadBalanceHosts: LoadBalanceHosts

  // Smart balancing (YugabyteDB smart drivers)
  loadBalance: LoadBalanceMode
  topologyKeys: readonly TopologyKey[]
  /** Seconds between yb_servers() refreshes. */
  ybServersRefreshInterval: number
  fallbackToTopologyKeysOnly: boolean
  /** Seconds a host that failed to connect is skipped. */
  failedHostTtlSeconds: number

  // Statement cache
  /** Max named prepared statements per connection; 0 disables (transaction-mode poolers). */
  statementCacheSize: number

  /** Largest backend message accepted, in bytes. */
  maxMessageBytes: number
  /** Max SCRAM iteration count accepted from a server. */
  maxScramIterations: number
}

/**
 * What the user may pass: a connection string, an object, or both (object
 * wins). Every spelling of every option, typed by its row of the option table
 * (src/config/option-table.ts); keys the table does not know are refused at
 * run time with a ConfigError naming them.
 */
export type ConnectOptions = OptionInputs & {
  connectionString?: string
  /** The layers above (pool sizing, runtime, balancer, callbacks) take their own keys; see OTHER_OPTIONS. */
  [key: string]: unknown
}

/** Minor version of protocol 3 (3.0, or 3.2 from PostgreSQL 18; 3.1 was never used). */
export type ProtocolMinor = 0 | 2
