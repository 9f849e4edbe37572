/**
 * Seeded case generator for the hostile-server fuzz test
 * (test/unit/hostile-fuzz.test.ts), and the reference decoder that says what
 * a correct driver may do with the bytes a case actually sends.
 *
 * A case starts from a valid backend conversation (startup, then the answer
 * to one or two pipelined queries, simple or extended protocol), mutates the
 * startup or the answer (byte flips, truncation, duplicate/drop/swap/insert,
 * length attacks, state-order attacks), picks how the bytes are chunked, how
 * the server ends (end, destroy, or silence: the half-open peer) and whether
 * it answers CancelRequests. Everything derives from (seed, case index), so
 * `PGFLEET_FUZZ_SEED=<seed> PGFLEET_FUZZ_ONLY=<index>` replays one case.
 *
 * The reference (`referenceStartup`, `referenceQueries`) re-frames the mutated
 * bytes strictly (protocol 55.7) and runs the message grammar of each phase:
 * a query may resolve only when its part of the stream is a complete, valid
 * answer, and then only with exactly the rows in it.
 */
import { concat, cstring, frame, int32, messages, type Scenario, type Step } from './hostile-server.js'

// ---- deterministic randomness ----

/** mulberry32: a tiny 32-bit PRNG, floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed of case `index` of a run seeded with `seed` (splitmix-style mixing). */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

/** Convenience methods over mulberry32. */
export class Rng {
  private readonly next: () => number
  constructor(seed: number) {
    this.next = mulberry32(seed)
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!
  }
  weighted<T>(table: readonly (readonly [T, number])[]): T {
    let r = this.next() * table.reduce((n, [, w]) => n + w, 0)
    for (const [value, w] of table) if ((r -= w) < 0) return value
    return table[table.length - 1]![0]
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256))
  }
  /** `count` distinct elements of `xs` in random order (Fisher-Yates). */
  sample<T>(xs: readonly T[], count: number): T[] {
    const out = [...xs]
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    return out.slice(0, count)
  }
}

// ---- messages ----

/** One backend frame (type byte, length word, body) as the server will send it. */
export interface Msg {
  type: string
  bytes: Uint8Array
}

const enc = new TextEncoder()
const dec = new TextDecoder()

function int16(n: number): Uint8Array {
  const b = new Uint8Array(2)
  new DataView(b.buffer).setInt16(0, n)
  return b
}

const msg = (bytes: Uint8Array): Msg => ({ type: String.fromCharCode(bytes[0]!), bytes })
const empty = (type: string) => msg(frame(type))
const notice = () => msg(frame('N', enc.encode('S'), cstring('NOTICE'), enc.encode('C'), cstring('00000'), enc.encode('M'), cstring('fuzz notice'), new Uint8Array([0])))
const copyResponse = (type: 'G' | 'H' | 'W') => msg(frame(type, new Uint8Array([0]), int16(1), int16(0)))
const notification = () => msg(frame('A', int32(4242), cstring('chan'), cstring('payload')))
const serverError = (severity: 'ERROR' | 'FATAL') =>
  msg(severity === 'FATAL' ? messages.errorResponse('57P01', 'terminating connection due to administrator command') : messages.errorResponse('42P01', 'relation "t" does not exist', 'ERROR'))

/** A DataRow from raw column payloads (null = SQL NULL), with a chosen column count word. */
function dataRowRaw(count: number, values: (Uint8Array | null)[]): Uint8Array {
  return frame('D', int16(count), ...values.map((v) => (v === null ? int32(-1) : concat(int32(v.length), v))))
}

// ---- cases ----

export type QueryKind = 'simple' | 'extended'

/** One query the case runs; `last` is the frame that ends it on the wire (the server waits for it). */
export interface QueryPlan {
  kind: QueryKind
  sql: string
  values?: unknown[]
  last: 'Q' | 'S'
}

export type Target = 'valid' | 'startup' | 'response'
export type Chunking = 'one' | 'split' | 'fine'
export type Ending = 'end' | 'destroy' | 'silent'
export type CancelPolicy = 'close' | 'ignore'
/**
 * When the answer comes: at once, 'slow' (after the query timeout, inside the
 * cancel grace) or 'very-slow' (after the grace); the pause goes before a
 * random chunk of the answer.
 */
export type Pace = 'prompt' | 'slow' | 'very-slow'

/** Pauses of the slow paces, in ms after the query arrives (defaults fit queryTimeout 300 ms, cancelTimeout 200 ms). */
export interface PaceDelays {
  slow: number
  verySlow: number
}
const DEFAULT_DELAYS: PaceDelays = { slow: 380, verySlow: 650 }

export interface FuzzCase {
  index: number
  seed: number
  target: Target
  /** Category for the report: 'valid/…', 'startup/<mutation>', 'response/<mutation>'. */
  category: string
  /** What was done, in order. */
  mutations: string[]
  queries: QueryPlan[]
  startupMsgs: Msg[]
  responseMsgs: Msg[]
  startupBytes: Uint8Array
  responseBytes: Uint8Array
  chunking: Chunking
  startupChunks: Uint8Array[]
  responseChunks: Uint8Array[]
  ending: Ending
  cancel: CancelPolicy
  pace: Pace
  /** With a slow pace: the pause (ms) and the index of the answer chunk it precedes. */
  pause: { ms: number; beforeChunk: number } | undefined
}

const COLUMN_NAMES = ['a', 'b', 'c', 'id', 'name', 'val']
const VALUES = ['1', '42', 'hello', '', 'Ω≈ç', 'with space', 'x'.repeat(40)]
const PARAMS = [
  ['server_version', '15.0'],
  ['client_encoding', 'UTF8'],
  ['standard_conforming_strings', 'on'],
  ['integer_datetimes', 'on'],
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO, MDY'],
  ['application_name', 'fuzz'],
] as const

function validStartup(rng: Rng): Msg[] {
  const out: Msg[] = [msg(messages.authOk())]
  const params = rng.sample(PARAMS, rng.range(0, 4))
  for (const [name, value] of params) out.push(msg(messages.parameterStatus(name, value)))
  out.push(msg(messages.backendKeyData(rng.range(1, 99999), rng.int(0x7fffffff))))
  if (rng.chance(0.1)) out.splice(rng.range(1, out.length), 0, notice())
  out.push(msg(messages.readyForQuery('I')))
  return out
}

function randomRows(rng: Rng): { names: string[]; rows: (string | null)[][] } {
  const names = rng.sample(COLUMN_NAMES, rng.range(1, 3))
  const rows = Array.from({ length: rng.weighted([[0, 1], [1, 4], [2, 2], [3, 1], [5, 1]] as const) }, () =>
    names.map(() => (rng.chance(0.15) ? null : rng.pick(VALUES))),
  )
  return { names, rows }
}

/** The answer of a correct server to one query. */
function validResponse(rng: Rng, q: QueryPlan): Msg[] {
  const out: Msg[] = []
  const command = rng.chance(0.15)
  if (q.kind === 'extended') out.push(empty('1'), empty('2'))
  if (command) {
    if (q.kind === 'extended') out.push(empty('n'))
    out.push(msg(messages.commandComplete(rng.pick(['INSERT 0 1', 'UPDATE 3', 'CREATE TABLE']))))
  } else {
    const { names, rows } = randomRows(rng)
    out.push(msg(messages.rowDescription(...names)))
    for (const r of rows) out.push(msg(messages.dataRow(...r)))
    out.push(msg(messages.commandComplete(`SELECT ${rows.length}`)))
  }
  // A correct server may send these at any time.
  if (rng.chance(0.1)) out.splice(rng.range(0, out.length), 0, rng.pick([notice, notification, () => msg(messages.parameterStatus('TimeZone', 'UTC'))])())
  out.push(msg(messages.readyForQuery(rng.pick(['I', 'I', 'T']))))
  return out
}

function queryPlans(rng: Rng, count: number): QueryPlan[] {
  return Array.from({ length: count }, (_, i): QueryPlan =>
    rng.chance(0.5)
      ? { kind: 'simple', sql: `select ${i + 1} /* fuzz */`, last: 'Q' }
      : { kind: 'extended', sql: `select $1::text as a /* fuzz ${i + 1} */`, values: [`v${i}`], last: 'S' },
  )
}

// ---- mutations: each edits `msgs` in place and returns what it did, or undefined when it does not apply ----

interface MutationContext {
  rng: Rng
  msgs: Msg[]
  target: 'startup' | 'response'
  queries: QueryPlan[]
  /** Set by mutations that require the server to stay silent afterwards. */
  forceSilent?: boolean
}
type Mutation = (ctx: MutationContext) => string | undefined

const at = (ctx: MutationContext) => ctx.rng.int(ctx.msgs.length)
const indexOfType = (ctx: MutationContext, type: string) => ctx.msgs.findIndex((m) => m.type === type)
const indicesOf = (ctx: MutationContext, type: string) => ctx.msgs.flatMap((m, i) => (m.type === type ? [i] : []))
const setLength = (m: Msg, length: number) => {
  const b = m.bytes.slice()
  new DataView(b.buffer).setUint32(1, length >>> 0)
  m.bytes = b
}
const realLength = (m: Msg) => m.bytes.length - 1

const generic: Record<string, Mutation> = {
  'byte-flip': ({ rng, msgs }) => {
    const i = rng.int(msgs.length)
    const b = msgs[i]!.bytes.slice()
    const p = rng.int(b.length)
    const bit = rng.int(8)
    b[p] ^= 1 << bit
    msgs[i] = msg(b)
    return `flip bit ${bit} of byte ${p} of message #${i} (${msgs[i]!.type})`
  },
  'byte-replace': ({ rng, msgs }) => {
    const i = rng.int(msgs.length)
    const b = msgs[i]!.bytes.slice()
    const p = rng.int(b.length)
    b[p] = rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)])
    msgs[i] = msg(b)
    return `set byte ${p} of message #${i} to 0x${b[p]!.toString(16)}`
  },
  truncate: ({ rng, msgs }) => {
    const i = rng.int(msgs.length)
    const m = msgs[i]!
    if (m.bytes.length < 2) return undefined
    const keep = rng.range(1, m.bytes.length - 1)
    msgs[i] = { type: m.type, bytes: m.bytes.slice(0, keep) }
    return `truncate message #${i} (${m.type}) to ${keep} of ${m.bytes.length} bytes, length word kept`
  },
  'truncate-body': ({ rng, msgs }) => {
    const i = rng.int(msgs.length)
    const m = msgs[i]!
    const body = m.bytes.length - 5
    if (body < 1) return undefined
    const keep = rng.int(body)
    msgs[i] = msg(frame(m.type, m.bytes.subarray(5, 5 + keep)))
    return `cut the body of message #${i} (${m.type}) to ${keep} of ${body} bytes, length word fixed`
  },
  duplicate: (ctx) => {
    const i = at(ctx)
    ctx.msgs.splice(i, 0, ctx.msgs[i]!)
    return `duplicate message #${i} (${ctx.msgs[i]!.type})`
  },
  drop: (ctx) => {
    const i = at(ctx)
    const [m] = ctx.msgs.splice(i, 1)
    return `drop message #${i} (${m!.type})`
  },
  swap: (ctx) => {
    if (ctx.msgs.length < 2) return undefined
    const i = at(ctx)
    let j = at(ctx)
    if (j === i) j = (i + 1) % ctx.msgs.length
    const m = ctx.msgs[i]!
    ctx.msgs[i] = ctx.msgs[j]!
    ctx.msgs[j] = m
    return `swap messages #${i} (${ctx.msgs[j]!.type}) and #${j} (${ctx.msgs[i]!.type})`
  },
  'insert-random': ({ rng, msgs }) => {
    const type = rng.chance(0.7) ? String.fromCharCode(rng.range(0x21, 0x7e)) : String.fromCharCode(rng.pick([0, 0x7f, 0x80, 0xff]))
    const body = rng.bytes(rng.range(0, 12))
    const b = concat(new Uint8Array([type.charCodeAt(0)]), int32(body.length + 4), body)
    const i = rng.range(0, msgs.length)
    msgs.splice(i, 0, msg(b))
    return `insert a '${printable(type)}' message with ${body.length} random body bytes at #${i}`
  },
  length: ({ rng, msgs }) => {
    const i = rng.int(msgs.length)
    const m = { ...msgs[i]! }
    if (m.bytes.length < 5) return undefined
    const real = realLength(m)
    const [label, value] = rng.pick([
      ['length < 4', rng.range(0, 3)],
      ['negative length', rng.pick([-1, -4, -0x80000000])],
      ['length 0x7fffffff', 0x7fffffff],
      ['length above the 256 MiB cap', 0x10000001],
      ['length past the end', real + rng.range(1, 40)],
      ['length 64 KiB past the end', real + 65536],
      ...(real > 4 ? [['length shorter than the body', rng.range(4, real - 1)] as const] : []),
    ] as const)
    setLength(m, value)
    msgs[i] = m
    return `${label}: message #${i} (${m.type}) length ${value} (real ${real})`
  },
}

/** Where a message can be inserted inside the first query's rows: after the first RowDescription. */
function afterRowDescription(ctx: MutationContext): number | undefined {
  const t = indexOfType(ctx, 'T')
  return t === -1 ? undefined : ctx.rng.range(t + 1, Math.max(t + 1, nextIndexOf(ctx, 'C', t) ?? t + 1))
}
function nextIndexOf(ctx: MutationContext, type: string, from: number): number | undefined {
  const i = ctx.msgs.findIndex((m, k) => k > from && m.type === type)
  return i === -1 ? undefined : i
}
function dropFirst(ctx: MutationContext, type: string, label: string): string | undefined {
  const i = indexOfType(ctx, type)
  if (i === -1) return undefined
  ctx.msgs.splice(i, 1)
  return `${label} (dropped #${i})`
}
function insertAt(ctx: MutationContext, i: number | undefined, m: Msg, label: string): string | undefined {
  if (i === undefined) return undefined
  ctx.msgs.splice(i, 0, m)
  return `${label} at #${i}`
}
/** Cut the stream after a random point of the first query's answer and end it with `m` (no ReadyForQuery). */
function cutWith(ctx: MutationContext, m: Msg, label: string): string {
  const z = indexOfType(ctx, 'Z')
  const i = ctx.rng.range(0, z === -1 ? ctx.msgs.length : z)
  ctx.msgs.splice(i, ctx.msgs.length - i, m)
  return `${label} after ${i} messages, then nothing`
}

const responseAttacks: Record<string, Mutation> = {
  'datarow-before-rowdescription': (ctx) => {
    const t = indexOfType(ctx, 'T')
    return insertAt(ctx, t === -1 ? undefined : t, msg(messages.dataRow('early')), 'DataRow before RowDescription')
  },
  'rfq-mid-result': (ctx) => insertAt(ctx, afterRowDescription(ctx), msg(messages.readyForQuery('I')), 'ReadyForQuery inside a result'),
  'second-rowdescription': (ctx) => insertAt(ctx, afterRowDescription(ctx), msg(messages.rowDescription('x', 'y')), 'second RowDescription mid-result'),
  'extra-rfq': (ctx) => {
    const z = indexOfType(ctx, 'Z')
    return insertAt(ctx, z === -1 ? undefined : z + 1, msg(messages.readyForQuery('I')), ctx.queries.length > 1 ? 'extra ReadyForQuery between pipelined queries' : 'extra ReadyForQuery after the answer')
  },
  'commandcomplete-missing': (ctx) => dropFirst(ctx, 'C', 'CommandComplete missing'),
  'bindcomplete-missing': (ctx) => dropFirst(ctx, '2', 'BindComplete missing'),
  'parsecomplete-missing': (ctx) => dropFirst(ctx, '1', 'ParseComplete missing'),
  'rowdescription-missing': (ctx) => dropFirst(ctx, 'T', 'RowDescription missing'),
  'error-no-rfq': (ctx) => cutWith(ctx, serverError('ERROR'), 'ErrorResponse without ReadyForQuery'),
  'fatal-no-close': (ctx) => {
    ctx.forceSilent = true
    return cutWith(ctx, serverError('FATAL'), 'FATAL ErrorResponse, socket kept open')
  },
  'error-then-rows': (ctx) => insertAt(ctx, afterRowDescription(ctx), serverError('ERROR'), 'ErrorResponse mid-result, rows go on'),
  'server-error': (ctx) => {
    // A valid error answer to the first query: it must reject with the PgError.
    const z = indexOfType(ctx, 'Z')
    if (z === -1) return undefined
    const start = ctx.msgs[0]!.type === '1' ? 1 : 0
    ctx.msgs.splice(start, z - start, serverError('ERROR'))
    return 'valid ErrorResponse + ReadyForQuery answer (must reject)'
  },
  'unknown-type': (ctx) => {
    const type = ctx.rng.pick(['~', 'x', 'q', 'Y', '!', '\u0000', '\u00ff'])
    return insertAt(ctx, ctx.rng.range(0, ctx.msgs.length), msg(concat(new Uint8Array([type.charCodeAt(0)]), int32(8), enc.encode('junk'))), `unknown type '${printable(type)}'`)
  },
  'startup-message-after-startup': (ctx) => {
    const [label, m] = ctx.rng.pick([
      ['AuthenticationOk', () => msg(messages.authOk())],
      ['AuthenticationCleartextPassword', () => msg(messages.authCleartext())],
      ['BackendKeyData', () => msg(messages.backendKeyData(1, 2))],
      ['NegotiateProtocolVersion', () => msg(frame('v', int32(0), int32(0)))],
    ] as const)
    return insertAt(ctx, ctx.rng.range(0, ctx.msgs.length - 1), m(), `${label} after startup`)
  },
  'paramstatus-no-value': (ctx) => insertAt(ctx, ctx.rng.range(0, ctx.msgs.length - 1), msg(frame('S', cstring('TimeZone'))), 'ParameterStatus without a value'),
  'datarow-column-count': (ctx) => {
    const d = ctx.rng.pick(indicesOf(ctx, 'D'))
    const t = indexOfType(ctx, 'T')
    if (d === undefined || t === -1 || ctx.msgs[t]!.bytes.length < 7) return undefined
    const columns = new DataView(ctx.msgs[t]!.bytes.buffer, ctx.msgs[t]!.bytes.byteOffset).getInt16(5)
    const n = Math.max(0, columns + ctx.rng.pick([-1, 1, 2]))
    ctx.msgs[d] = msg(messages.dataRow(...Array.from({ length: n }, (_, k) => `v${k}`)))
    return `DataRow #${d} with ${n} columns, RowDescription has ${columns}`
  },
  'column-length': (ctx) => {
    const d = ctx.rng.pick(indicesOf(ctx, 'D'))
    if (d === undefined) return undefined
    const [label, bytes] = ctx.rng.pick([
      ['column length -2', frame('D', int16(1), int32(-2))],
      ['column length past the frame', frame('D', int16(1), int32(50), enc.encode('short'))],
      ['column length 0x7fffffff', frame('D', int16(1), int32(0x7fffffff), enc.encode('x'))],
      ['DataRow with trailing bytes', frame('D', int16(1), int32(1), enc.encode('xyz'))],
      ['negative column count', dataRowRaw(-1, [])],
    ] as const)
    ctx.msgs[d] = msg(bytes)
    return `${label} in DataRow #${d}`
  },
  'copy-unprompted': (ctx) => {
    const type = ctx.rng.pick(['G', 'H', 'W'] as const)
    const where = ctx.rng.chance(0.5) ? (afterRowDescription(ctx) ?? 0) : ctx.rng.range(0, Math.max(0, indexOfType(ctx, 'Z')))
    return insertAt(ctx, where, copyResponse(type), `unprompted Copy${{ G: 'In', H: 'Out', W: 'Both' }[type]}Response`)
  },
  'nodata-then-rows': (ctx) => {
    const t = indexOfType(ctx, 'T')
    if (t === -1 || !ctx.msgs.some((m) => m.type === '2')) return undefined
    ctx.msgs[t] = empty('n')
    return `NoData in place of RowDescription #${t}, rows follow`
  },
  'portal-suspended': (ctx) => insertAt(ctx, afterRowDescription(ctx), empty('s'), 'PortalSuspended although Execute asked for all rows'),
}

const startupAttacks: Record<string, Mutation> = {
  'paramstatus-no-value': (ctx) => insertAt(ctx, ctx.rng.range(1, ctx.msgs.length - 1), msg(frame('S', cstring('TimeZone'))), 'ParameterStatus without a value'),
  'backendkey-bad-length': (ctx) => {
    const k = indexOfType(ctx, 'K')
    if (k === -1) return undefined
    ctx.msgs[k] = msg(frame('K', ctx.rng.bytes(ctx.rng.pick([0, 4, 7, 12]))))
    return `BackendKeyData body of ${realLength(ctx.msgs[k]!) - 4} bytes`
  },
  'rfq-bad-status': (ctx) => {
    const z = indexOfType(ctx, 'Z')
    if (z === -1) return undefined
    ctx.msgs[z] = msg(frame('Z', ctx.rng.pick([enc.encode('X'), new Uint8Array(0), enc.encode('II')])))
    return `ReadyForQuery body ${JSON.stringify(dec.decode(ctx.msgs[z]!.bytes.subarray(5)))}`
  },
  'rfq-missing': (ctx) => dropFirst(ctx, 'Z', 'ReadyForQuery missing'),
  'auth-missing': (ctx) => dropFirst(ctx, 'R', 'AuthenticationOk missing'),
  'auth-twice': (ctx) => insertAt(ctx, ctx.rng.range(1, ctx.msgs.length - 1), msg(messages.authOk()), 'second AuthenticationOk'),
  'server-error': (ctx) => {
    ctx.msgs.splice(ctx.rng.range(0, ctx.msgs.length - 1), ctx.msgs.length, msg(messages.errorResponse('28P01', 'password authentication failed')))
    return 'FATAL ErrorResponse during startup'
  },
  'fatal-no-close': (ctx) => {
    ctx.forceSilent = true
    ctx.msgs.splice(ctx.rng.range(1, ctx.msgs.length - 1), ctx.msgs.length, serverError('FATAL'))
    return 'FATAL ErrorResponse during startup, socket kept open'
  },
  'query-message-at-startup': (ctx) => {
    const m = ctx.rng.pick([() => msg(messages.dataRow('x')), () => msg(messages.rowDescription('x')), () => msg(messages.commandComplete('SELECT 1')), () => empty('1'), () => copyResponse('H')])()
    return insertAt(ctx, ctx.rng.range(0, ctx.msgs.length - 1), m, `${m.type} during startup`)
  },
  'unknown-type': (ctx) => insertAt(ctx, ctx.rng.range(0, ctx.msgs.length - 1), msg(concat(enc.encode('~'), int32(8), enc.encode('junk'))), "unknown type '~'"),
  'notice-at-startup': (ctx) => insertAt(ctx, ctx.rng.range(0, ctx.msgs.length - 1), notice(), 'valid NoticeResponse during startup'),
}

// ---- case generation ----

/** The server pauses 1 ms between chunks; more cuts would make slowness, not framing, the thing tested. */
const MAX_FINE_CUTS = 11

function splitAt(rng: Rng, bytes: Uint8Array, chunking: Chunking): Uint8Array[] {
  if (chunking === 'one' || bytes.length < 2) return [bytes]
  const cuts = new Set<number>()
  if (chunking === 'split') for (let n = rng.range(1, 4); n > 0; n--) cuts.add(rng.range(1, bytes.length - 1))
  // 'fine': the first bytes a few at a time (headers split mid-length-word), at most 12 chunks so the pauses stay short.
  else for (let p = rng.range(1, 3); p < bytes.length && cuts.size < MAX_FINE_CUTS; p += rng.range(1, 3)) cuts.add(p)
  const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length]
  return points.slice(1).map((end, i) => bytes.subarray(points[i]!, end))
}

function applyMutations(rng: Rng, ctx: MutationContext, table: Record<string, Mutation>, stateWeight: number): string[] {
  const done: string[] = []
  const count = rng.weighted([[1, 85], [2, 10], [3, 5]] as const)
  for (let tries = 0; done.length < count && tries < 20; tries++) {
    const [name, fn] = rng.chance(stateWeight) ? rng.pick(Object.entries(table)) : rng.pick(Object.entries(generic))
    const what = ctx.msgs.length > 0 ? fn(ctx) : undefined
    if (what !== undefined) done.push(`${name}: ${what}`)
  }
  return done
}

/** Case `index` of a run seeded with `seed`. */
export function generateCase(seed: number, index: number, delays: PaceDelays = DEFAULT_DELAYS): FuzzCase {
  const rng = new Rng(caseSeed(seed, index))
  const target = rng.weighted([['valid', 8], ['startup', 22], ['response', 70]] as const)
  const queries = target === 'startup' ? [] : queryPlans(rng, rng.chance(0.35) ? 2 : 1)
  const startupMsgs = validStartup(rng)
  const responseMsgs = queries.flatMap((q) => validResponse(rng, q))
  let mutations: string[] = []
  let forceSilent = false
  if (target !== 'valid') {
    const ctx: MutationContext = { rng, msgs: target === 'startup' ? startupMsgs : responseMsgs, target, queries }
    mutations = applyMutations(rng, ctx, target === 'startup' ? startupAttacks : responseAttacks, 0.5)
    forceSilent = ctx.forceSilent === true
  }
  const pace: Pace = queries.length === 0 ? 'prompt' : rng.weighted([['prompt', 88], ['slow', 8], ['very-slow', 4]] as const)
  const first = mutations[0]?.split(':')[0] ?? 'none'
  const category =
    (target === 'valid' ? `valid/${queries.map((q) => q.kind).join('+')}` : `${target}/${mutations.length > 1 ? 'multi' : first}`) +
    (pace === 'prompt' ? '' : `@${pace}`)
  const chunking = rng.weighted([['one', 5], ['split', 4], ['fine', 1]] as const)
  const startupBytes = concat(...startupMsgs.map((m) => m.bytes))
  const responseBytes = concat(...responseMsgs.map((m) => m.bytes))
  const responseChunks = splitAt(rng, responseBytes, chunking)
  return {
    index,
    seed,
    target,
    category,
    mutations,
    queries,
    startupMsgs,
    responseMsgs,
    startupBytes,
    responseBytes,
    chunking,
    // The startup is split only when it is what the case attacks (its pauses count against connectTimeout).
    startupChunks: splitAt(rng, startupBytes, target === 'startup' ? chunking : 'one'),
    responseChunks,
    ending: forceSilent ? 'silent' : rng.weighted([['silent', 40], ['end', 35], ['destroy', 25]] as const),
    cancel: rng.chance(0.7) ? 'close' : 'ignore',
    pace,
    pause: pace === 'prompt' ? undefined : { ms: pace === 'slow' ? delays.slow : delays.verySlow, beforeChunk: rng.int(responseChunks.length) },
  }
}

/** The fake backend's script for a case's main connection. */
export function scenarioFor(c: FuzzCase): Scenario {
  const sendAll = (chunks: Uint8Array[], pause?: FuzzCase['pause']): Step[] =>
    chunks.flatMap((chunk, i): Step[] => [...(pause?.beforeChunk === i ? [{ wait: pause.ms }] : i > 0 ? [{ wait: 1 }] : []), { send: chunk }])
  const steps: Step[] = [{ receive: 'startup' }, ...sendAll(c.startupChunks)]
  if (c.queries.length > 0) {
    for (const q of c.queries) steps.push({ receive: q.last })
    steps.push(...sendAll(c.responseChunks, c.pause))
  }
  if (c.ending !== 'silent') steps.push({ close: c.ending })
  return steps
}

/** The script for a CancelRequest connection: closed without an answer, or ignored (kept open, silent). */
export function cancelScenario(policy: CancelPolicy): Scenario {
  return policy === 'close' ? [{ receive: 'cancel' }, { close: 'end' }] : []
}

// ---- reference: what a correct driver may do with these bytes ----

export interface RefField {
  name: string
  oid: number
  format: number
}
export type Outcome =
  /** A complete valid answer: resolving is allowed, with exactly these rows (of the last result). */
  | { kind: 'ok'; fields: RefField[]; rows: (string | null)[][] }
  /** A complete valid error answer: the call must reject. */
  | { kind: 'server-error'; code: string }
  /**
   * The stream breaks the protocol here: the call must reject. `issue`: a bad
   * length word ('framing'), a malformed body ('body'), a well-formed message
   * where the protocol does not allow it ('order'), or an earlier query's
   * answer broke the stream ('after-break').
   */
  | { kind: 'invalid'; issue: 'framing' | 'body' | 'order' | 'after-break'; why: string }
  /** The stream ends before the answer is complete: the call must reject (or time out). */
  | { kind: 'incomplete'; why: string }

interface Frame {
  type: string
  body: Uint8Array
  offset: number
}

/** Largest message length the driver accepts by default (256 MiB, src/protocol/reader.ts). */
const MAX_MESSAGE = 256 * 1024 * 1024

class Frames {
  private at = 0
  constructor(private readonly bytes: Uint8Array) {}
  /** Next frame, or why there is none. */
  next(): Frame | { end: 'incomplete' | 'invalid'; why: string } {
    const b = this.bytes
    if (this.at >= b.length) return { end: 'incomplete', why: 'stream ends' }
    if (b.length - this.at < 5) return { end: 'incomplete', why: `stream ends inside a header at ${this.at}` }
    const type = String.fromCharCode(b[this.at]!)
    const length = new DataView(b.buffer, b.byteOffset + this.at + 1, 4).getInt32(0)
    if (length < 4 || length > MAX_MESSAGE) return { end: 'invalid', why: `'${printable(type)}' length ${length} at ${this.at}` }
    if (this.at + 1 + length > b.length) return { end: 'incomplete', why: `'${printable(type)}' length ${length} at ${this.at} runs past the ${b.length} bytes sent` }
    const f = { type, body: b.subarray(this.at + 5, this.at + 1 + length), offset: this.at }
    this.at += 1 + length
    return f
  }
}

/** A message whose body is malformed (as opposed to a well-formed message in the wrong place). */
class BodyError extends Error {}

/** The 'invalid' outcome for an error thrown while checking a frame. */
function invalid(error: unknown): Outcome {
  return { kind: 'invalid', issue: error instanceof BodyError ? 'body' : 'order', why: (error as Error).message }
}

/** Strict body reader: every decoder must consume its body exactly. */
class Body {
  private at = 0
  constructor(private readonly b: Uint8Array, private readonly what: string) {}
  int16(): number {
    this.need(2)
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.at, 2).getInt16(0)
    this.at += 2
    return v
  }
  int32(): number {
    this.need(4)
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.at, 4).getInt32(0)
    this.at += 4
    return v
  }
  byte(): number {
    this.need(1)
    return this.b[this.at++]!
  }
  bytes(n: number): Uint8Array {
    this.need(n)
    const v = this.b.subarray(this.at, this.at + n)
    this.at += n
    return v
  }
  cstring(): string {
    const zero = this.b.indexOf(0, this.at)
    if (zero === -1) throw new BodyError(`${this.what}: unterminated string`)
    const s = dec.decode(this.b.subarray(this.at, zero))
    this.at = zero + 1
    return s
  }
  done(): void {
    if (this.at !== this.b.length) throw new BodyError(`${this.what}: ${this.b.length - this.at} trailing bytes`)
  }
  private need(n: number): void {
    if (n < 0 || this.at + n > this.b.length) throw new BodyError(`${this.what}: body too short`)
  }
}

function decodeFields(f: Frame): Map<string, string> {
  const c = new Body(f.body, f.type === 'E' ? 'ErrorResponse' : 'NoticeResponse')
  const fields = new Map<string, string>()
  for (let code = c.byte(); code !== 0; code = c.byte()) fields.set(String.fromCharCode(code), c.cstring())
  c.done()
  // A missing S, M or C is not a protocol break: the driver reports it (severity/message '', code XX000 with the raw value in the message).
  return fields
}
function decodeRowDescription(f: Frame): RefField[] {
  const c = new Body(f.body, 'RowDescription')
  const n = c.int16()
  if (n < 0) throw new BodyError('RowDescription: negative field count')
  const fields: RefField[] = []
  for (let i = 0; i < n; i++) {
    const name = c.cstring()
    c.int32()
    c.int16()
    const oid = c.int32() >>> 0
    c.int16()
    c.int32()
    const format = c.int16()
    if (format !== 0 && format !== 1) throw new BodyError(`RowDescription: format code ${format}`)
    fields.push({ name, oid, format })
  }
  c.done()
  return fields
}
function decodeDataRow(f: Frame, columns: number): (string | null)[] {
  const c = new Body(f.body, 'DataRow')
  const n = c.int16()
  if (n !== columns) throw new BodyError(`DataRow with ${n} columns, RowDescription has ${columns}`)
  const values: (string | null)[] = []
  for (let i = 0; i < n; i++) {
    const len = c.int32()
    if (len < -1) throw new BodyError(`DataRow: column length ${len}`)
    values.push(len === -1 ? null : dec.decode(c.bytes(len)))
  }
  c.done()
  return values
}
function checkEmpty(f: Frame): void {
  if (f.body.length !== 0) throw new BodyError(`'${f.type}' with a ${f.body.length}-byte body`)
}
function checkStatus(f: Frame): void {
  if (f.body.length !== 1 || !'ITE'.includes(String.fromCharCode(f.body[0]!))) throw new BodyError('ReadyForQuery with a bad status')
}
function checkCommandComplete(f: Frame): void {
  const c = new Body(f.body, 'CommandComplete')
  c.cstring()
  c.done()
}
function checkCopyResponse(f: Frame): void {
  const c = new Body(f.body, 'CopyResponse')
  c.byte()
  const n = c.int16()
  if (n < 0) throw new BodyError('CopyResponse: negative column count')
  for (let i = 0; i < n; i++) c.int16()
  c.done()
}
function checkParameterStatus(f: Frame): void {
  const c = new Body(f.body, 'ParameterStatus')
  c.cstring()
  c.cstring()
  c.done()
}
function checkNotification(f: Frame): void {
  const c = new Body(f.body, 'NotificationResponse')
  c.int32()
  c.cstring()
  c.cstring()
  c.done()
}

type Next = { done: Outcome } | { frame: Frame }
/** Next non-asynchronous frame (NoticeResponse, ParameterStatus, NotificationResponse may come at any time), or the outcome it breaks with. */
function nextFrame(frames: Frames, async: string): Next {
  for (;;) {
    const f = frames.next()
    if ('end' in f) return { done: f.end === 'invalid' ? { kind: 'invalid', issue: 'framing', why: f.why } : { kind: 'incomplete', why: f.why } }
    try {
      if (f.type === 'N' && async.includes('N')) decodeFields(f)
      else if (f.type === 'S' && async.includes('S')) checkParameterStatus(f)
      else if (f.type === 'A' && async.includes('A')) checkNotification(f)
      else return { frame: f }
    } catch (error) {
      return { done: invalid(error) }
    }
  }
}

/** What connect() may do with the startup bytes (anything after the first ReadyForQuery is ignored here). */
export function referenceStartup(bytes: Uint8Array): Outcome {
  const frames = new Frames(bytes)
  let authenticated = false
  let keys = 0
  for (;;) {
    const step = nextFrame(frames, authenticated ? 'NS' : 'N')
    if ('done' in step) return step.done
    const f = step.frame
    try {
      if (f.type === 'E') return { kind: 'server-error', code: decodeFields(f).get('C')! }
      if (!authenticated) {
        if (f.type !== 'R') throw new Error(`'${printable(f.type)}' before AuthenticationOk`)
        const c = new Body(f.body, 'Authentication')
        const kind = c.int32()
        if (kind === 5) c.bytes(4)
        else if (kind !== 0 && kind !== 3) throw new Error(`authentication request ${kind}`)
        c.done()
        authenticated = kind === 0
        continue
      }
      if (f.type === 'K') {
        if (f.body.length !== 8) throw new BodyError(`BackendKeyData of ${f.body.length} bytes`)
        if (++keys > 1) throw new Error('repeated BackendKeyData')
        continue
      }
      if (f.type === 'Z') {
        checkStatus(f)
        return { kind: 'ok', fields: [], rows: [] }
      }
      throw new Error(`'${printable(f.type)}' during startup`)
    } catch (error) {
      return invalid(error)
    }
  }
}

/** A result in progress or done: its fields and rows. */
interface RefResult {
  fields: RefField[]
  rows: (string | null)[][]
}

/** One query's answer in the simple protocol (protocol 55.2.2): results, then ReadyForQuery. */
function simpleAnswer(frames: Frames): Outcome {
  type State = 'start' | 'between' | 'rows' | 'errored' | 'copy-in' | 'copy-out' | 'copy-done'
  let state = 'start' as State
  let current: RefResult = { fields: [], rows: [] }
  let last: RefResult | undefined
  let code = ''
  const complete = (f: Frame, result: RefResult) => {
    checkCommandComplete(f)
    last = result
    state = 'between'
  }
  for (;;) {
    const step = nextFrame(frames, 'NSA')
    if ('done' in step) return step.done
    const f = step.frame
    try {
      if (f.type === 'E' && state !== 'errored') {
        code = decodeFields(f).get('C')!
        state = 'errored'
        continue
      }
      if (f.type === 'Z') {
        checkStatus(f)
        if (state === 'errored') return { kind: 'server-error', code }
        if (state === 'between') return { kind: 'ok', ...last! }
        throw new Error(`ReadyForQuery in state ${state}`)
      }
      switch (state) {
        case 'start':
        case 'between':
          if (f.type === 'T') {
            current = { fields: decodeRowDescription(f), rows: [] }
            state = 'rows'
          } else if (f.type === 'C') complete(f, { fields: [], rows: [] })
          else if (f.type === 'I') {
            checkEmpty(f)
            last = { fields: [], rows: [] }
            state = 'between'
          } else if (f.type === 'G' || f.type === 'H') {
            checkCopyResponse(f)
            state = f.type === 'G' ? 'copy-in' : 'copy-out'
          } else throw new Error(`'${printable(f.type)}' where a result should start`)
          break
        case 'rows':
          if (f.type === 'D') current.rows.push(decodeDataRow(f, current.fields.length))
          else if (f.type === 'C') complete(f, current)
          else throw new Error(`'${printable(f.type)}' inside a result`)
          break
        case 'copy-out':
          if (f.type === 'c') {
            checkEmpty(f)
            state = 'copy-done'
          } else if (f.type !== 'd') throw new Error(`'${printable(f.type)}' in COPY OUT`)
          break
        case 'copy-done':
          if (f.type !== 'C') throw new Error(`'${printable(f.type)}' after CopyDone`)
          complete(f, { fields: [], rows: [] })
          break
        default:
          // 'errored' waits for ReadyForQuery; 'copy-in' for the error that answers the driver's CopyFail.
          throw new Error(`'${printable(f.type)}' in state ${state}`)
      }
    } catch (error) {
      return invalid(error)
    }
  }
}

/** One query's answer in the extended protocol: Parse, Bind, Describe portal, Execute, Sync (protocol 55.2.3). */
function extendedAnswer(frames: Frames): Outcome {
  type State = 'parse' | 'bind' | 'describe' | 'rows' | 'no-data' | 'copy-out' | 'copy-done' | 'executed' | 'errored'
  let state = 'parse' as State
  let fields: RefField[] = []
  const rows: (string | null)[][] = []
  let code = ''
  const expect = (f: Frame, type: string, next: State) => {
    if (f.type !== type) throw new Error(`'${printable(f.type)}' where '${type}' was due (state ${state})`)
    checkEmpty(f)
    state = next
  }
  const executed = (f: Frame) => {
    checkCommandComplete(f)
    state = 'executed'
  }
  for (;;) {
    const step = nextFrame(frames, 'NSA')
    if ('done' in step) return step.done
    const f = step.frame
    try {
      if (f.type === 'E' && state !== 'errored' && state !== 'executed') {
        code = decodeFields(f).get('C')!
        state = 'errored'
        continue
      }
      switch (state) {
        case 'parse':
          expect(f, '1', 'bind')
          break
        case 'bind':
          expect(f, '2', 'describe')
          break
        case 'describe':
          if (f.type === 'T') {
            fields = decodeRowDescription(f)
            state = 'rows'
          } else expect(f, 'n', 'no-data')
          break
        case 'rows':
          if (f.type === 'D') rows.push(decodeDataRow(f, fields.length))
          else if (f.type === 'C') executed(f)
          else throw new Error(`'${printable(f.type)}' inside a result`)
          break
        case 'no-data':
          if (f.type === 'C') executed(f)
          else if (f.type === 'I') expect(f, 'I', 'executed')
          else if (f.type === 'H') {
            checkCopyResponse(f)
            state = 'copy-out'
          } else throw new Error(`'${printable(f.type)}' after NoData`)
          break
        case 'copy-out':
          if (f.type === 'c') {
            checkEmpty(f)
            state = 'copy-done'
          } else if (f.type !== 'd') throw new Error(`'${printable(f.type)}' in COPY OUT`)
          break
        case 'copy-done':
          if (f.type !== 'C') throw new Error(`'${printable(f.type)}' after CopyDone`)
          executed(f)
          break
        case 'executed':
        case 'errored':
          if (f.type !== 'Z') throw new Error(`'${printable(f.type)}' where ReadyForQuery was due (state ${state})`)
          checkStatus(f)
          return state === 'errored' ? { kind: 'server-error', code } : { kind: 'ok', fields, rows }
      }
    } catch (error) {
      return invalid(error)
    }
  }
}

/** What each pipelined query may do with the answer bytes (one stream, answers in query order). */
export function referenceQueries(c: Pick<FuzzCase, 'queries' | 'responseBytes'>): Outcome[] {
  const frames = new Frames(c.responseBytes)
  const out: Outcome[] = []
  for (const q of c.queries) {
    const before = out[out.length - 1]
    if (before && (before.kind === 'invalid' || before.kind === 'incomplete')) out.push({ kind: 'invalid', issue: 'after-break', why: 'an earlier answer broke the stream' })
    else out.push(q.kind === 'simple' ? simpleAnswer(frames) : extendedAnswer(frames))
  }
  return out
}

// ---- describing bytes in reports ----

function printable(type: string): string {
  const code = type.charCodeAt(0)
  return code >= 0x21 && code <= 0x7e ? type : `\\x${code.toString(16).padStart(2, '0')}`
}

/** Message types of a byte stream, loosely framed: "T(26) D(11) C(13) Z(5)", with "!" where framing breaks. */
export function describeStream(bytes: Uint8Array): string {
  const parts: string[] = []
  let at = 0
  while (at < bytes.length && parts.length < 40) {
    if (bytes.length - at < 5) {
      parts.push(`+${bytes.length - at}B`)
      break
    }
    const length = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getInt32(0)
    const type = printable(String.fromCharCode(bytes[at]!))
    if (length < 4 || at + 1 + length > bytes.length) {
      parts.push(`${type}(len=${length}!)+${bytes.length - at - 5}B`)
      break
    }
    parts.push(`${type}(${length})`)
    at += 1 + length
  }
  return parts.join(' ')
}

/** Hex of a byte string, elided in the middle past `max` bytes. */
export function hex(bytes: Uint8Array, max = 160): string {
  const h = (b: Uint8Array) => Buffer.from(b).toString('hex')
  return bytes.length <= max ? h(bytes) : `${h(bytes.subarray(0, max / 2))}…(${bytes.length}B)…${h(bytes.subarray(bytes.length - max / 2))}`
}
