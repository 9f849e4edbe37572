/** pgfleet/pg for Node.js: the pg-compatible facade on the Node runtime. */
import { installRuntime } from './runtime.js'
import { nodeRuntime } from './transport/node.js'

installRuntime(nodeRuntime)

export * from './compat/index.js'
export { default } from './compat/index.js'
