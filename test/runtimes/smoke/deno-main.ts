// deno run -A --unstable-sloppy-imports test/runtimes/smoke/deno-main.ts '<SmokeEnv json>'
// Runs the smoke scenarios on Deno against the built Deno entry
// (dist/index.deno.js); prints the report as one JSON line.
import { runSmoke, type PgfleetModule, type SmokeEnv } from './scenarios.js'

declare const Deno: { args: string[] }
const pg = (await import(new URL('../../../dist/index.deno.js', import.meta.url).href)) as PgfleetModule
const env = JSON.parse(Deno.args[0]!) as SmokeEnv
console.log(JSON.stringify(await runSmoke(pg, env)))
