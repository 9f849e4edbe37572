/**
 * The `yb_servers()` stand-in every test server has, and the topology files it
 * reads. The function reads `<topologyDir>/<name>.json`, where name is the
 * session's `pgfleet.topology` setting (default `default`), so a test that
 * connects with `options: '-c pgfleet.topology=mytest'` sees its own cluster
 * shape without disturbing other test files. Extra clusters set
 * `pgfleet.topology` in their postgresql.conf to their own file.
 */
import { createHash } from 'node:crypto'
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** One node as `yb_servers()` reports it. */
export interface TopologyNode {
  host: string
  port: number
  /** Default 'primary'. */
  nodeType?: 'primary' | 'read_replica'
  /** Defaults 'cloud1', 'datacenter1', 'rack1' (YugabyteDB's defaults). */
  cloud?: string
  region?: string
  zone?: string
  /** Default '' (no public IP). */
  publicIp?: string
  /** Default: a stable UUID derived from host:port. */
  uuid?: string
}

/** Topology names are file names: letters, digits, '_' and '-' only. */
const NAME_RE = /^[A-Za-z0-9_-]+$/

/** A stable UUID-shaped string for host:port. */
function nodeUuid(host: string, port: number): string {
  const h = createHash('sha256').update(`${host}:${port}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/**
 * Writes topology `name` into `dir` atomically (temporary file, then rename),
 * world-readable so the server can read it. Rows come back in this order.
 */
export async function writeTopology(dir: string, name: string, nodes: readonly TopologyNode[]): Promise<void> {
  if (!NAME_RE.test(name)) throw new Error(`bad topology name ${JSON.stringify(name)} (use [A-Za-z0-9_-])`)
  const rows = nodes.map((n) => ({
    host: n.host,
    port: n.port,
    node_type: n.nodeType ?? 'primary',
    cloud: n.cloud ?? 'cloud1',
    region: n.region ?? 'datacenter1',
    zone: n.zone ?? 'rack1',
    public_ip: n.publicIp ?? '',
    uuid: n.uuid ?? nodeUuid(n.host, n.port),
  }))
  await mkdir(dir, { recursive: true })
  const file = join(dir, `${name}.json`)
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  await writeFile(tmp, JSON.stringify(rows, null, 1) + '\n')
  await chmod(tmp, 0o644)
  await rename(tmp, file)
}

/**
 * SQL creating `yb_servers()` in the current database: a security-definer
 * plpgsql function owned by the superuser (so it may call pg_read_file) that
 * returns the rows of `<topologyDir>/<pgfleet.topology>.json`.
 * num_connections is always 0: drivers ignore it. A missing file is an error.
 */
export function ybServersSql(topologyDir: string): string {
  if (/['\\]/.test(topologyDir)) throw new Error(`unsupported topology dir ${topologyDir}`)
  return `
create function public.yb_servers()
returns table (host text, port bigint, num_connections bigint, node_type text,
               cloud text, region text, zone text, public_ip text, uuid text)
language plpgsql stable security definer
set search_path = pg_catalog
as $fn$
declare
  topology text := coalesce(nullif(current_setting('pgfleet.topology', true), ''), 'default');
  doc text;
begin
  if topology !~ '^[A-Za-z0-9_-]+$' then
    raise exception 'pgfleet: bad topology name %', topology;
  end if;
  doc := pg_read_file('${topologyDir}/' || topology || '.json', 0, 10000000, true);
  if doc is null then
    raise exception 'pgfleet: no topology file for %', topology;
  end if;
  return query
    select e->>'host', (e->>'port')::bigint, 0::bigint, e->>'node_type',
           e->>'cloud', e->>'region', e->>'zone', e->>'public_ip', e->>'uuid'
    from jsonb_array_elements(doc::jsonb) with ordinality as t(e, i)
    order by i;
end
$fn$;
grant execute on function public.yb_servers() to public;
`
}
