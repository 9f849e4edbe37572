/**
 * Where configuration finds libpq's file formats: the connection service
 * file (service-file.ts) and the password file (passfile.ts). The entries
 * whose runtimes read files (Node, Bun, Deno) install them
 * (src/config/files.ts); the Workers entries, whose runtime has no files,
 * leave both parsers out of their bundles. With none installed, a service
 * fails as on a runtime without files, and no password file is read.
 */
import type { readService } from './service-file.js'
import type { findPassfilePassword } from './passfile.js'

/** The file parsers an entry installs. */
export interface FileFormats {
  readService: typeof readService
  findPassfilePassword: typeof findPassfilePassword
}

let installed: FileFormats | undefined

/** Install the parsers (src/config/files.ts; done by the package entries of runtimes with files). */
export function setFileFormats(formats: FileFormats): void {
  installed = formats
}

/** The installed parsers; undefined on the Workers entries. */
export function fileFormats(): FileFormats | undefined {
  return installed
}
