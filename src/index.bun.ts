/** pgfleet for Bun: Bun.connect sockets, files read with Bun's node:fs compat. */
import { installRuntime } from './runtime.js'
import { dialBun } from './transport/bun.js'
import { fileMode, homeDirectory, readFileText, warn } from './transport/node-fs.js'

installRuntime({ name: 'bun', dial: dialBun, readFile: readFileText, homeDir: homeDirectory, fileMode, warn, env: () => process.env })

export * from './public.js'
