/**
 * pgfleet for Node.js (and the default entry). Other runtimes load their own
 * entry through package.json export conditions (src/index.*.ts).
 */
import { installRuntime } from './runtime.js'
import { nodeRuntime } from './transport/node.js'

installRuntime(nodeRuntime)

export * from './public.js'
