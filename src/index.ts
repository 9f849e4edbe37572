/**
 * pgfleet for Node.js (and the default entry). Other runtimes load their own
 * entry through package.json export conditions (src/entry/*).
 */
import { installRuntime } from './runtime.js'
import { dialNode } from './transport/node.js'
import { homeDirectory, readFileText } from './transport/node-fs.js'

installRuntime({
  name: 'node',
  dial: dialNode,
  readFile: readFileText,
  homeDir: homeDirectory,
  env: () => process.env,
})

export * from './public.js'
