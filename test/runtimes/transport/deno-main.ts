// deno run -A --unstable-sloppy-imports test/runtimes/transport/deno-main.ts '<env json>'
// Prints the scenario outcomes as one JSON line, then leaves an unref'd socket
// open: the process must still exit (Socket.unref works).
import { dialDeno } from '../../../src/transport/deno.js'
import { runScenarios, type ScenarioEnv } from './scenarios.js'

declare const Deno: { args: string[] }
const env = JSON.parse(Deno.args[0]!) as ScenarioEnv
const results = await runScenarios(dialDeno, env)
const idle = await dialDeno({ host: '127.0.0.1', port: env.echoPort })
idle.unref?.()
console.log(JSON.stringify(results))
