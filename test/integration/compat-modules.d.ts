// pg-cursor and pg-copy-streams ship no types: what the compat tests use of them.
declare module 'pg-cursor' {
  export default class Cursor<R = any> {
    constructor(text: string, values?: unknown[], config?: { rowMode?: 'array'; types?: unknown })
    submit(connection: any): void
    read(rows: number): Promise<R[]>
    close(): Promise<void>
  }
}
declare module 'pg-copy-streams' {
  import type { Readable, Writable } from 'node:stream'
  export function from(text: string): Writable & { rowCount: number; submit(connection: any): void }
  export function to(text: string): Readable & { rowCount: number; submit(connection: any): void }
}
