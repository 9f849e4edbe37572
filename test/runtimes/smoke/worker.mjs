// A Cloudflare Worker that runs the smoke scenarios against the built workerd
// entry (dist/index.workerd.js): POST the SmokeEnv JSON, get the report JSON.
// Plain JS so the type-check never needs dist/; bundled by ../run-in-workerd.mjs.
import * as pg from '../../../dist/index.workerd.js'
import { runSmoke } from './scenarios.ts'

export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('POST a SmokeEnv JSON body', { status: 405 })
    const env = await request.json()
    return Response.json(await runSmoke(pg, env))
  },
}
