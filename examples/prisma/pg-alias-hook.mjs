/**
 * Node.js resolve hook: every `import 'pg'` (in your code and in libraries such
 * as @prisma/adapter-pg) loads pgfleet/pg instead, resolved from this file's
 * location (put it in your app). Register it with register-pg-alias.mjs:
 *
 *   node --import ./register-pg-alias.mjs app.js
 *
 * ESM imports only: Node 20's hooks do not see `require('pg')`; CommonJS or
 * bundled apps alias `pg` in the bundler instead (see README in this folder).
 */
export async function resolve(specifier, context, next) {
  if (specifier === 'pg') return next('pgfleet/pg', { ...context, parentURL: import.meta.url })
  return next(specifier, context)
}
