// The row pipeline alone, without a server or socket: DataRow frames recorded
// from a real server (bench/run.mjs's table, text and binary formats as a
// cached statement asks for them) are fed in 64 KiB chunks through
// MessageReader and ResultCollector, as the connection does. Measures the
// client's CPU time per row (not wall time) with no server time in it, so
// decoder changes can be compared on a noisy machine.
//
//   npx tsx bench/micro-rows.ts record   (needs BENCH_HOST/BENCH_PORT and the bench table)
//   npx tsx bench/micro-rows.ts          (reads the recording, prints rows/s per type)
//
// Env: MICRO_FILE (recording, default /tmp/pgfleet-micro-rows.json), MICRO_ONLY;
// MICRO_VIEW=1 feeds plain Uint8Array chunks (as Deno and Workers deliver them)
// instead of Node's Buffers (as src/transport/node.ts hands them on).
import { readFileSync, writeFileSync } from 'node:fs'
import { connect } from '../src/index.js'
import { ResultCollector } from '../src/connection/collector.js'
import type { BackendMessage, FieldDescription } from '../src/protocol/messages.js'
import { MessageReader } from '../src/protocol/reader.js'
import { TypeRegistry, type ParserSource } from '../src/types/registry.js'

const file = process.env.MICRO_FILE ?? '/tmp/pgfleet-micro-rows.json'
const COLUMNS = ['int4', 'int8', 'float8', 'numeric', 'bool', 'text', 'uuid', 'timestamptz', 'date', 'jsonb', 'bytea', 'int4[]']
const MIXED = 'm_a, m_b, m_c, m_d, m_e, m_f, m_h, m_i'
const ROWS = 20_000

interface Recording {
  name: string
  fields: FieldDescription[]
  rows: (number[] | null)[][]
}

if (process.argv[2] === 'record') {
  const registry = new TypeRegistry()
  const raw: ParserSource = { parserFor: () => (bytes) => Array.from(bytes), hasBinaryDecoder: (oid) => registry.hasBinaryDecoder(oid) }
  const db = await connect({ host: process.env.BENCH_HOST ?? '127.0.0.1', port: Number(process.env.BENCH_PORT ?? 5490), user: 'postgres', database: 'postgres', sslmode: 'disable' })
  const out: Recording[] = []
  for (const [name, cols] of [...COLUMNS.map((c) => [c, `"${c}"`]), ['mixed', MIXED]] as const) {
    for (const format of ['text', 'binary']) {
      const sql = `select ${cols} from pgfleet_bench_rows limit $1`
      // The first run describes (text); the second binds with binary formats where the registry reads binary.
      await db.query(sql, [ROWS], { parsers: raw, rowMode: 'array' })
      const r = format === 'text' ? await db.query(sql.replace('limit', ' limit'), [ROWS], { parsers: raw, rowMode: 'array' }) : await db.query(sql, [ROWS], { parsers: raw, rowMode: 'array' })
      out.push({ name: `${name} ${format}`, fields: r.fields, rows: r.rows as unknown as (number[] | null)[][] })
    }
  }
  await db.close()
  writeFileSync(file, JSON.stringify(out))
  console.log(`recorded ${out.length} row sets to ${file}`)
  process.exit(0)
}

function frames(rec: Recording): Uint8Array[] {
  let size = 0
  for (const row of rec.rows) {
    size += 7
    for (const v of row) size += 4 + (v?.length ?? 0)
  }
  const all = new Uint8Array(size)
  const view = new DataView(all.buffer)
  let p = 0
  for (const row of rec.rows) {
    const start = p
    all[p] = 0x44
    p += 5
    view.setInt16(p, row.length)
    p += 2
    for (const v of row) {
      view.setInt32(p, v === null ? -1 : v.length)
      p += 4
      if (v) {
        all.set(v, p)
        p += v.length
      }
    }
    view.setInt32(start + 1, p - start - 1)
  }
  const chunks: Uint8Array[] = []
  for (let i = 0; i < size; i += 65536) {
    const chunk = all.slice(i, i + 65536)
    chunks.push(process.env.MICRO_VIEW === '1' ? chunk : Buffer.from(chunk.buffer, 0, chunk.length))
  }
  return chunks
}

const recordings = (JSON.parse(readFileSync(file, 'utf8')) as Recording[]).filter((r) => !process.env.MICRO_ONLY || r.name.includes(process.env.MICRO_ONLY))
const registry = new TypeRegistry()
// A recording holds the formats the server sent when it was made: after the
// registry reads another type in binary (numeric, 2026-12-07), its "binary"
// row sets still hold text for that type until they are recorded again.
for (const rec of recordings) {
  const stale = rec.fields.filter((f) => rec.name.endsWith('binary') && f.format !== (registry.hasBinaryDecoder(f.dataTypeOid) ? 1 : 0))
  if (stale.length) console.warn(`${rec.name}: recorded with other formats than a cached statement asks for now (OIDs ${stale.map((f) => f.dataTypeOid).join(', ')}): record again`)
}

function run(chunks: Uint8Array[], fields: FieldDescription[], mode: 'object' | 'array'): number {
  const reader = new MessageReader()
  const collector = new ResultCollector(registry, mode)
  collector.describe(fields)
  let n = 0
  for (const chunk of chunks) {
    reader.feed(chunk)
    let m: BackendMessage | undefined
    while ((m = reader.next()) !== undefined) {
      // Works against both the old ({ values }) and the new DataRow message.
      const msg = m as any
      collector.row('values' in msg ? msg.values : msg)
      n++
    }
  }
  collector.complete(`SELECT ${n}`)
  return n
}

// Modes alternate inside each measurement, so load changes hit both alike.
for (const rec of recordings) {
  const chunks = frames(rec)
  const rates: Record<string, number[]> = { object: [], array: [] }
  for (let i = 0; i < 3; i++) for (const mode of ['object', 'array'] as const) run(chunks, rec.fields, mode)
  for (let i = 0; i < 15; i++) {
    for (const mode of ['object', 'array'] as const) {
      // CPU time, not wall time: on a shared machine other processes stretch the latter.
      const t0 = process.cpuUsage()
      const n = run(chunks, rec.fields, mode)
      const used = process.cpuUsage(t0)
      rates[mode]!.push(n / ((used.user + used.system) / 1e6))
    }
  }
  // The best of 15: on a shared machine, contention only ever slows a run down.
  // The median beside it keeps the runs with a major GC in view (a decoder that
  // allocates more pays there, not in the best run).
  const best = (xs: number[]) => (Math.max(...xs) / 1e6).toFixed(2)
  const median = (xs: number[]) => (xs.slice().sort((a, b) => a - b)[xs.length >> 1]! / 1e6).toFixed(2)
  const show = (xs: number[]) => `${best(xs)}M (median ${median(xs)}M)`
  console.log(`${rec.name.padEnd(20)} object ${show(rates.object!)}  array ${show(rates.array!)} rows/s`)
}
