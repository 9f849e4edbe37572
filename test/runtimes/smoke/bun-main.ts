// bun run test/runtimes/smoke/bun-main.ts '<SmokeEnv json>'
// Runs the smoke scenarios on Bun against the built Bun entry
// (dist/index.bun.js); prints the report as one JSON line.
import { runSmoke, type PgfleetModule, type SmokeEnv } from './scenarios.js'

declare const Bun: { argv: string[] }
const pg = (await import(new URL('../../../dist/index.bun.js', import.meta.url).href)) as PgfleetModule
const env = JSON.parse(Bun.argv[2]!) as SmokeEnv
console.log(JSON.stringify(await runSmoke(pg, env)))
