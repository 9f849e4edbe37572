/**
 * pgfleet/pg for Node.js: installs the Node runtime (as src/index.ts does)
 * and exports the pg-compatible facade.
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

export * from './compat/index.js'
export { default } from './compat/index.js'
