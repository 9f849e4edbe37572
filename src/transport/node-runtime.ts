/** The Node.js runtime: node:net/node:tls sockets, files, home directory and process.env. */
import type { RuntimeEnvironment } from '../runtime.js'
import { dialNode } from './node.js'
import { fileMode, homeDirectory, readFileText, warn } from './node-fs.js'

export const nodeRuntime: RuntimeEnvironment = {
  name: 'node',
  dial: dialNode,
  readFile: readFileText,
  homeDir: homeDirectory,
  fileMode,
  warn,
  env: () => process.env,
}
