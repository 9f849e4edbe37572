// The one member of Workers' `cloudflare:sockets` that cloudflare.ts uses; the
// full types live in @cloudflare/workers-types, which pgfleet does not depend on.
declare module 'cloudflare:sockets' {
  export function connect(
    address: { hostname: string; port: number },
    options: { secureTransport: 'off' | 'on' | 'starttls'; allowHalfOpen: boolean },
  ): unknown
}
