/**
 * On Node the transport hands the reader the Buffers the socket read (their
 * utf8Slice decodes text cheaply), and a Buffer's slice() is a view. Bytes a
 * caller keeps must therefore be copies: a view of a frame would keep its whole
 * socket chunk (up to 64 KiB) alive, and alias memory the caller never asked
 * for. Property: every bytea value (text and binary format) and every copyTo
 * chunk owns exactly its own bytes, and is a plain Uint8Array.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../src/index.js'
import { openTestClient } from './helpers/server.js'

let db: Client

beforeAll(async () => {
  db = await openTestClient()
})
afterAll(async () => {
  await db?.close()
})

/** Many rows, so the result arrives in large socket chunks that a view would pin. */
const SQL = "select decode(md5(g::text), 'hex') as b from generate_series(1, $1::int) g"
const ROWS = 4000

function expectOwnBytes(value: unknown, length: number): void {
  expect(value).toBeInstanceOf(Uint8Array)
  const bytes = value as Uint8Array
  expect(bytes.constructor).toBe(Uint8Array)
  expect(bytes.length).toBe(length)
  // A view of a frame would start inside a larger buffer.
  expect(bytes.byteOffset).toBe(0)
  expect(bytes.buffer.byteLength).toBe(length)
}

describe('bytes a caller keeps do not alias the read buffer', () => {
  it('bytea values in text and binary format', async () => {
    const text = await db.query(SQL, [ROWS], { prepare: false })
    expect(text.fields[0]!.format).toBe(0)
    await db.query(SQL, [ROWS])
    const binary = await db.query(SQL, [ROWS])
    expect(binary.fields[0]!.format).toBe(1)
    for (const result of [text, binary]) {
      expect(result.rows).toHaveLength(ROWS)
      for (const row of result.rows) expectOwnBytes(row.b, 16)
    }
    // Both formats decode the same bytes.
    expect(binary.rows).toEqual(text.rows)
    // A kept value stays as it was while later queries reuse the socket.
    const kept = Uint8Array.from(binary.rows[0]!.b as Uint8Array)
    await db.query(SQL, [ROWS])
    expect(binary.rows[0]!.b).toEqual(kept)
  })

  it('copyTo chunks', async () => {
    let n = 0
    for await (const chunk of db.copyTo(`copy (select g, md5(g::text) from generate_series(1, ${ROWS}) g) to stdout`)) {
      expect(chunk.constructor).toBe(Uint8Array)
      expect(chunk.byteOffset).toBe(0)
      expect(chunk.buffer.byteLength).toBe(chunk.length)
      n++
    }
    expect(n).toBe(ROWS)
  })
})
