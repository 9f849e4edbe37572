// bun run test/runtimes/transport/bun-main.ts '<env json>'
// Prints the scenario outcomes as one JSON line, then leaves an unref'd socket
// open: the process must still exit (Socket.unref works).
import { dialBun } from '../../../src/transport/bun.js'
import { runScenarios, type ScenarioEnv } from './scenarios.js'

declare const Bun: { argv: string[] }
const env = JSON.parse(Bun.argv[2]!) as ScenarioEnv
const results = await runScenarios(dialBun, env)
const idle = await dialBun({ host: '127.0.0.1', port: env.echoPort })
idle.unref?.()
console.log(JSON.stringify(results))
