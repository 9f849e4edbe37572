// npx tsx test/runtimes/smoke/node-main.ts '<SmokeEnv json>'
// Runs the smoke scenarios on Node against the built Node entry (dist/index.js);
// prints the report as one JSON line.
import { runSmoke, type PgfleetModule, type SmokeEnv } from './scenarios.js'

const pg = (await import(new URL('../../../dist/index.js', import.meta.url).href)) as PgfleetModule
const env = JSON.parse(process.argv[2]!) as SmokeEnv
console.log(JSON.stringify(await runSmoke(pg, env)))
