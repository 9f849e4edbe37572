/**
 * The service-file and password-file parsers, for the package entries whose
 * runtimes read files (see file-formats.ts).
 */
import { setFileFormats } from './file-formats.js'
import { findPassfilePassword } from './passfile.js'
import { readService } from './service-file.js'

/** Make service files and password files readable (Node, Bun and Deno entries). */
export function installFileFormats(): void {
  setFileFormats({ readService, findPassfilePassword })
}
