/**
 * Where the power-feature integration tests connect: the harness's first main
 * node (test/support), as the superuser (trust), database `pgfleet`, no TLS
 * unless asked.
 */
import { connect, type Client, type ClientOptions } from '../../../src/index.js'
import { defaultRuntime, type RuntimeEnvironment } from '../../../src/runtime.js'
import { DATABASE, harness, PASSWORD, SUPERUSER } from '../../support/harness.js'

function node() {
  return harness().nodes[0]!
}

/** A superuser connection string to the test server (trust auth, no TLS). */
export function serverUrl(params = ''): string {
  const { host, port } = node()
  return `postgresql://${SUPERUSER}@${host}:${port}/${DATABASE}?sslmode=disable${params ? `&${params}` : ''}`
}

/** Open a session; `options` override the defaults. */
export function openTestClient(options: Partial<ClientOptions> = {}): Promise<Client> {
  const { host, port } = node()
  return connect({ host, port, user: SUPERUSER, database: DATABASE, sslmode: 'disable', ...options } as ClientOptions)
}

/** verify-full options for the test server (its certificate names 127.0.0.1). */
export function tlsOptions(): Partial<ClientOptions> {
  return { sslmode: 'verify-full', sslrootcert: harness().certs.ca.cert } as Partial<ClientOptions>
}

/** A runtime with no PG* environment and no home directory: no default certificate, service or password file applies. */
export function cleanRuntime(): RuntimeEnvironment {
  return { ...defaultRuntime(), env: () => ({}), homeDir: () => undefined }
}

/** verify-full options for the harness's "good" TLS server (password auth users), on a clean runtime; `extra` overrides. */
export function goodTlsOptions(extra: Partial<ClientOptions> = {}): ClientOptions {
  const { host, port } = harness().tls.good
  return {
    host,
    port,
    database: DATABASE,
    password: PASSWORD,
    sslmode: 'verify-full',
    sslrootcert: harness().certs.ca.cert,
    connectTimeout: 5000,
    runtime: cleanRuntime(),
    ...extra,
  }
}

/** A name unique to this run, for tables the test creates. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`
}
