/**
 * What the balancer asks of live sessions: the yb_servers() list (over a
 * short-lived session, closed before returning so no discovery connection
 * stays on a node) and, for target_session_attrs, the session's state.
 */
import type { QueryServers, ServerRow } from '../balancer/types.js'
import type { SessionState } from '../balancer/session-attrs.js'
import type { Config } from '../config/types.js'
import { PgError } from '../errors.js'
import { Connection } from './connection.js'
import type { Runtime } from '../runtime.js'

const UNDEFINED_FUNCTION = '42883'
/** The yb_servers() query's deadline when connect_timeout is 0 (no limit). */
const DISCOVERY_TIMEOUT_MS = 10_000

/** QueryServers over pgfleet connections with the user's own settings. */
export function queryServersWith(config: Config, runtime: Runtime): QueryServers {
  return async (node) => {
    const conn = await Connection.open(config, node, runtime)
    try {
      // Bounded like the connect: a node that stops answering must not stall discovery.
      const timeoutMs = config.connectTimeoutMs > 0 ? config.connectTimeoutMs : DISCOVERY_TIMEOUT_MS
      const { rows } = await conn.query<Record<string, unknown>>('select * from yb_servers()', [], { prepare: false, timeoutMs })
      return rows.map(toServerRow)
    } catch (error) {
      if (error instanceof PgError && error.code === UNDEFINED_FUNCTION) return null
      throw error
    } finally {
      await conn.close()
    }
  }
}

function toServerRow(row: Record<string, unknown>): ServerRow {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v))
  return {
    host: text(row.host),
    port: Number(row.port),
    numConnections: Number(row.num_connections ?? 0),
    nodeType: text(row.node_type).toLowerCase() === 'read_replica' ? 'read_replica' : 'primary',
    cloud: text(row.cloud),
    region: text(row.region),
    zone: text(row.zone),
    publicIp: text(row.public_ip),
    uuid: text(row.uuid),
  }
}

/**
 * libpq's checks for target_session_attrs: PostgreSQL 14+ reports
 * in_hot_standby and default_transaction_read_only at startup (GUC_REPORT);
 * older servers are asked.
 */
export async function sessionState(conn: Connection, signal?: AbortSignal): Promise<SessionState> {
  const hotStandby = conn.parameters.get('in_hot_standby')
  const defaultReadOnly = conn.parameters.get('default_transaction_read_only')
  if (hotStandby !== undefined && defaultReadOnly !== undefined) {
    const inRecovery = hotStandby === 'on'
    return { inRecovery, readOnly: inRecovery || defaultReadOnly === 'on' }
  }
  const { rows } = await conn.query<{ ro: string; rec: boolean }>(
    "select current_setting('transaction_read_only') as ro, pg_is_in_recovery() as rec",
    [],
    { prepare: false, signal },
  )
  return { readOnly: rows[0]!.ro === 'on', inRecovery: rows[0]!.rec }
}
