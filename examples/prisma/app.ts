/**
 * Prisma 7 on pgfleet: adapter-pg with pgfleet/pg's Pool. Run with `pg`
 * aliased to pgfleet/pg (register-pg-alias.mjs), or adapter-pg sees a foreign
 * pool, takes it for a config object and opens its own pg.Pool.
 *
 *   npx prisma generate          # offline: PRISMA_SCHEMA_ENGINE_BINARY=/bin/true
 *   node --import tsx --import ./register-pg-alias.mjs app.ts
 *
 * `clientPath` is the generated client's entry (client.ts of the
 * `prisma-client` generator's output); `url` any pgfleet connection string,
 * load balancing included. Prints one line per step through `log`.
 */
import { PrismaPg } from '@prisma/adapter-pg'
import { Pool } from 'pgfleet/pg'

export async function main(clientPath: string, url: string, log: (line: string) => void = console.log): Promise<void> {
  const { PrismaClient } = (await import(clientPath)) as {
    PrismaClient: new (options: { adapter: PrismaPg }) => {
      user: { findMany(args: object): Promise<Array<{ email: string; posts: Array<{ title: string }> }>> }
      $disconnect(): Promise<void>
    }
  }
  const pool = new Pool({ connectionString: url, max: 4 })
  const adapter = new PrismaPg(pool as never)
  const prisma = new PrismaClient({ adapter })
  try {
    const driver = (await adapter.connect()).underlyingDriver()
    log(`adapter-pg uses pgfleet's pool: ${driver === (pool as unknown)}`)
    const users = await prisma.user.findMany({ include: { posts: true }, orderBy: { email: 'asc' } })
    for (const u of users) log(`${u.email}: ${u.posts.map((p) => p.title).sort().join(', ')}`)
    log(`pgfleet sessions: ${JSON.stringify([...pool.balanced.hostConnections()])}`)
  } finally {
    await prisma.$disconnect()
    await pool.end()
  }
}

const [clientPath, url] = process.argv.slice(2)
if (clientPath && url) await main(clientPath, url)
