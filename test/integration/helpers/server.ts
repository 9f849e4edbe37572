/**
 * Where the power-feature integration tests connect. TEMPORARY: the scratch
 * server until test/support's global setup provides `inject('pg')`; only this
 * file changes when it does.
 */
import { connect, type Client, type ClientOptions } from '../../../src/index.js'

/** A superuser connection string to the test server (trust auth, no TLS). */
export function serverUrl(params = ''): string {
  return `postgresql://postgres@127.0.0.50:5499/postgres?sslmode=disable${params ? `&${params}` : ''}`
}

/** Open a session; `options` override the defaults. */
export function openTestClient(options: Partial<ClientOptions> = {}): Promise<Client> {
  return connect({ host: '127.0.0.50', port: 5499, user: 'postgres', database: 'postgres', sslmode: 'disable', ...options } as ClientOptions)
}

/** A name unique to this run, for tables the test creates. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`
}
