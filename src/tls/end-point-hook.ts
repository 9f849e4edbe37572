/**
 * Where the session startup finds tls-server-end-point channel binding
 * (SCRAM-SHA-256-PLUS). The entries whose runtimes expose the server
 * certificate (Node, Bun) install src/tls/channel-binding.ts here; the
 * Workers and Deno entries, whose runtimes never do, leave it out, and with
 * it the certificate parser and SHA-224 (about 5 KB of their bundles).
 */

/** The channel-binding data for a server's DER certificate (RFC 5929 §4.1). */
export type EndPointHasher = (certificateDer: Uint8Array) => Promise<Uint8Array>

let installed: EndPointHasher | undefined

/** Install tls-server-end-point (done by the Node and Bun package entries). */
export function installEndPointHasher(hasher: EndPointHasher): void {
  installed = hasher
}

/**
 * The installed hasher; undefined when no entry installed one, which the
 * startup treats as a runtime that does not expose the server certificate
 * (`channel_binding=require` fails, `prefer` goes on with SCRAM-SHA-256).
 */
export function endPointHasher(): EndPointHasher | undefined {
  return installed
}
