/**
 * `prisma generate` offline for the Prisma tests: a driver-adapter client
 * needs no schema engine (PRISMA_SCHEMA_ENGINE_BINARY=/bin/true) and no
 * download. The client lands where the schema's generator `output` says
 * (under .tmp/, gitignored).
 */
import { spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** Generate the client of `schema` (a path under the repository; only `generator` when given), bounded by 60 s. */
export function generatePrismaClient(schema: string, generator?: string): Promise<void> {
  return new Promise((done, fail) => {
    const cli = resolve(root, 'node_modules/prisma/build/index.js')
    const only = generator === undefined ? [] : ['--generator', generator]
    const child = spawn(process.execPath, [cli, 'generate', '--schema', resolve(root, schema), ...only], {
      cwd: root,
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Uint8Array) => (out += String(d)))
    child.stderr.on('data', (d: Uint8Array) => (out += String(d)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', fail)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) done()
      else fail(new Error(`prisma generate exited ${code}:\n${out}`))
    })
  })
}

/** The tables of test/integration/prisma/native.prisma (dropped first). */
export const NATIVE_DDL = `
  drop table if exists native_orders;
  drop table if exists native_accounts;
  drop type if exists native_mood;
  create type native_mood as enum ('happy', 'sad');
  create table native_accounts (
    id serial primary key, email text not null unique, name text, balance numeric(12,2) not null,
    visits bigint not null, ratio double precision not null, small real not null, active boolean not null,
    born date not null, wake_up time(3) not null, created_at timestamptz(3) not null, seen_at timestamp(3) not null,
    profile jsonb not null, avatar bytea, mood native_mood not null, tags text[] not null, lucky int[] not null, uid uuid not null);
  create table native_orders (
    id serial primary key, account_id int not null references native_accounts(id),
    total numeric(10,2) not null, placed_at timestamptz(6) not null);`
