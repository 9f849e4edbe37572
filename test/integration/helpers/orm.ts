/**
 * Shared setup of the ORM tests (orm-kysely, orm-drizzle): the harness nodes
 * are separate PostgreSQL servers, so the schema is created on each of them
 * (through a direct, unbalanced pgfleet session per node) and each test keeps
 * its reads and writes on one session (a transaction or a pinned connection).
 */
import { connect } from '../../../src/index.js'
import { appName, lbUrl } from '../../support/balancing.js'
import { harness, setTopology } from '../../support/harness.js'
import { uniqueName } from './server.js'

export const pg = harness()
export const nodes = pg.nodes

/** Per-file table names and a balanced URL with its own application_name and topology. */
export function ormFixture(tag: string) {
  const topology = `orm_${tag}`
  const app = appName(`orm-${tag}`)
  const users = uniqueName(`${tag}_users`)
  const posts = uniqueName(`${tag}_posts`)
  const url = lbUrl([nodes[0]!], { load_balance: true, application_name: app }, { topology })
  return { topology, app, users, posts, url }
}

/** Create (or drop) the two tables on every node. */
export async function onEveryNode(sql: string, topology: string): Promise<void> {
  await setTopology(topology, pg.defaultTopology)
  for (const n of nodes) {
    const db = await connect(lbUrl([n], {}, { topology }))
    try {
      await db.query(sql)
    } finally {
      await db.close()
    }
  }
}

export function schemaSql(users: string, posts: string): string {
  return `
    create table ${users} (id serial primary key, email text not null unique, name text, created_at timestamptz not null default now(), born date, karma bigint not null default 0);
    create table ${posts} (id serial primary key, user_id int not null references ${users}(id), title text not null, score numeric(10,2) not null default 0);`
}
