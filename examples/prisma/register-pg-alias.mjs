/** `node --import ./register-pg-alias.mjs app.js`: installs pg-alias-hook.mjs (Node 20.6+). */
import { register } from 'node:module'

register('./pg-alias-hook.mjs', import.meta.url)
