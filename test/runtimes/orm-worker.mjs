// A Cloudflare Worker running the ORM scenarios (orm-scenarios.ts) on pgfleet's
// workerd entries: Kysely's PostgresDialect and Drizzle's node-postgres driver
// on pgfleet/pg (dist/pg.workerd.js; `pg` is aliased to it for Drizzle by the
// runner), Prisma Client (generated with runtime = "workerd") on
// pgfleet/prisma (dist/prisma.workerd.js). POST the OrmEnv JSON, get the
// outcomes JSON. Plain JS so the type-check never needs dist/ or the
// generated client; bundled by ./orm-run-workerd.mjs.
import { Kysely, PostgresDialect, sql } from 'kysely'
import { drizzle } from 'drizzle-orm/node-postgres'
import { pgTable, serial, text, integer } from 'drizzle-orm/pg-core'
import { eq, count } from 'drizzle-orm'
import * as pg from '../../dist/pg.workerd.js'
import { PrismaPgfleet } from '../../dist/prisma.workerd.js'
import { PrismaClient } from 'prisma-workerd-client'
import { runOrmScenarios } from './orm-scenarios.ts'

const libraries = {
  pg,
  kysely: { Kysely, PostgresDialect, sql },
  drizzle: { drizzle, pgTable, serial, text, integer, eq, count },
  prisma: { PrismaClient, PrismaPgfleet },
}

export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('POST an OrmEnv JSON body', { status: 405 })
    const env = await request.json()
    return Response.json(await runOrmScenarios(libraries, env))
  },
}
