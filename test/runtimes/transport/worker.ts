// A Worker that runs the transport scenarios with dialCloudflare; the env JSON
// comes as the request body. Bundled by ../run-in-workerd.mjs (esbuild).
import { dialCloudflare } from '../../../src/transport/cloudflare.js'
import { runScenarios, type ScenarioEnv } from './scenarios.js'

export default {
  async fetch(request: Request): Promise<Response> {
    const env = (await request.json()) as ScenarioEnv
    return Response.json(await runScenarios(dialCloudflare, env))
  },
}
