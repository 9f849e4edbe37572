/**
 * The cursor, COPY and listen building blocks against a recording host: which
 * frontend messages each writes in answer to which backend messages.
 */
import { describe, expect, it } from 'vitest'
import { PgError } from '../errors.js'
import type { BackendMessage } from '../protocol/messages.js'
import { dataRow, decodeFrontendMessages, type FrontendMessage } from '../protocol/testing/index.js'
import { TypeRegistry } from '../types/registry.js'
import { CopyFromOperation } from './copy.js'
import { CursorOperation } from './cursor.js'
import { bindParams } from './extended-query.js'
import { quoteIdentifier } from './listen.js'
import type { OperationHost } from './operation.js'

class RecordingHost implements OperationHost {
  written: Uint8Array[] = []
  paused = 0
  cancels = 0
  maxResultBytes = 0
  cancelRunning(): void {
    this.cancels++
  }
  write(bytes: Uint8Array): void {
    this.written.push(bytes)
  }
  pause(): void {
    this.paused++
  }
  resume(): void {}
  drain(): Promise<void> {
    return Promise.resolve()
  }
  /** Decoded messages written since the last call. */
  take(): FrontendMessage[] {
    const out = this.written.flatMap((b) => decodeFrontendMessages(b))
    this.written = []
    return out
  }
}

const INT4 = 23
const field = { name: 'x', tableOid: 0, columnAttr: 0, dataTypeOid: INT4, dataTypeSize: 4, typeModifier: -1, format: 0 as const }
const row = (n: number): BackendMessage => dataRow([new TextEncoder().encode(String(n))])
const errorFields = { severity: 'ERROR', code: '22012', message: 'division by zero' }
const types = (messages: FrontendMessage[]) => messages.map((m) => m.type)

describe('CursorOperation', () => {
  function open() {
    const registry = new TypeRegistry()
    const outcome: { done?: boolean; error?: Error } = {}
    const op = new CursorOperation(registry, 'select x', bindParams(registry, []), 'object', () => (outcome.done = true), (e) => (outcome.error = e))
    return { op, outcome, host: new RecordingHost() }
  }

  it('sends Parse/Bind/Describe/Execute(n)/Flush, one Execute per read, Sync once exhausted', async () => {
    const { op, outcome, host } = open()
    const first = op.read(2)
    op.send(host)
    expect(types(host.take())).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Flush'])
    for (const m of [{ type: 'ParseComplete' }, { type: 'BindComplete' }, { type: 'RowDescription', fields: [field] }, row(1), row(2), { type: 'PortalSuspended' }] as BackendMessage[])
      expect(op.handle(m)).toBe(false)
    expect(await first).toEqual([{ x: 1 }, { x: 2 }])
    const second = op.read(5)
    expect(host.take()).toEqual([{ type: 'Execute', portal: '', maxRows: 5 }, { type: 'Flush' }])
    op.handle(row(3))
    op.handle({ type: 'CommandComplete', tag: 'SELECT 1' })
    expect(await second).toEqual([{ x: 3 }])
    expect(types(host.take())).toEqual(['Sync'])
    expect(await op.read(1)).toEqual([])
    expect(op.handle({ type: 'ReadyForQuery', status: 'I' })).toBe(true)
    expect(outcome).toEqual({ done: true })
  })

  it('an error rejects the pending read and sends Sync (the server skips to it)', async () => {
    const { op, outcome, host } = open()
    const read = op.read(10)
    op.send(host)
    host.take()
    op.handle({ type: 'ErrorResponse', fields: errorFields })
    await expect(read).rejects.toBeInstanceOf(PgError)
    expect(types(host.take())).toEqual(['Sync'])
    await expect(op.read(1)).rejects.toMatchObject({ code: '22012' })
    op.handle({ type: 'ReadyForQuery', status: 'I' })
    expect(outcome.error).toBeInstanceOf(PgError)
  })

  it('a parser that throws rejects the reads and sends Sync; the portal then ends normally (the session is fine)', async () => {
    const registry = new TypeRegistry().register({ oid: INT4, parse: () => { throw new RangeError('no ints today') } })
    const outcome: { done?: boolean; error?: Error } = {}
    const op = new CursorOperation(registry, 'select x', bindParams(registry, []), 'object', () => (outcome.done = true), (e) => (outcome.error = e))
    const host = new RecordingHost()
    const read = op.read(10)
    op.send(host)
    host.take()
    for (const m of [{ type: 'ParseComplete' }, { type: 'BindComplete' }, { type: 'RowDescription', fields: [field] }, row(1), row(2), { type: 'PortalSuspended' }] as BackendMessage[])
      op.handle(m)
    await expect(read).rejects.toThrow('no ints today')
    expect(types(host.take())).toEqual(['Sync'])
    await expect(op.read(1)).rejects.toThrow('no ints today')
    expect(op.handle({ type: 'ReadyForQuery', status: 'I' })).toBe(true)
    expect(outcome).toEqual({ done: true })
  })

  it('close before the operation reaches the wire sends only Sync', () => {
    const { op, host } = open()
    op.close()
    op.send(host)
    expect(types(host.take())).toEqual(['Sync'])
  })

  it('rejects a non-positive read count', async () => {
    const { op } = open()
    await expect(op.read(0)).rejects.toThrow(RangeError)
  })
})

describe('CopyFromOperation', () => {
  async function run(source: Parameters<typeof makeOp>[0], serverReplies: (messages: FrontendMessage[]) => BackendMessage[]) {
    const host = new RecordingHost()
    const { op, result } = makeOp(source)
    op.send(host)
    expect(host.take()).toEqual([{ type: 'Query', sql: 'copy t from stdin' }])
    op.handle({ type: 'CopyInResponse', format: 0, columnFormats: [0] }, host)
    let sent: FrontendMessage[] = []
    for (let i = 0; i < 100 && !sent.some((m) => m.type === 'CopyDone' || m.type === 'CopyFail'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 1))
      sent = sent.concat(host.take())
    }
    for (const reply of serverReplies(sent)) op.handle(reply, host)
    return { sent, result: await result.catch((e: unknown) => e) }
  }
  function makeOp(source: ConstructorParameters<typeof CopyFromOperation>[1]) {
    let op!: CopyFromOperation
    const result = new Promise((resolve, reject) => (op = new CopyFromOperation('copy t from stdin', source, resolve, reject)))
    return { op, result }
  }

  it('coalesces small chunks into CopyData, ends with CopyDone, resolves with the row count', async () => {
    const { sent, result } = await run(['1\n', new TextEncoder().encode('2\n'), '3\n'], () => [
      { type: 'CommandComplete', tag: 'COPY 3' },
      { type: 'ReadyForQuery', status: 'I' },
    ])
    expect(types(sent)).toEqual(['CopyData', 'CopyDone'])
    expect(new TextDecoder().decode((sent[0] as { data: Uint8Array }).data)).toBe('1\n2\n3\n')
    expect(result).toEqual({ rowCount: 3 })
  })

  it('a whole string is one chunk, not an iterable of characters', async () => {
    const { sent } = await run('a\nb\n', () => [{ type: 'CommandComplete', tag: 'COPY 2' }, { type: 'ReadyForQuery', status: 'I' }])
    expect(new TextDecoder().decode((sent[0] as { data: Uint8Array }).data)).toBe('a\nb\n')
  })

  it('a throwing source sends CopyFail with its message; the server error rejects with the cause', async () => {
    async function* source() {
      yield 'x\n'
      throw new Error('source broke')
    }
    const { sent, result } = await run(source(), (messages) => {
      const fail = messages.find((m) => m.type === 'CopyFail') as { message: string }
      return [
        { type: 'ErrorResponse', fields: { severity: 'ERROR', code: '57014', message: `COPY from stdin failed: ${fail.message}` } },
        { type: 'ReadyForQuery', status: 'I' },
      ]
    })
    expect(sent.at(-1)).toEqual({ type: 'CopyFail', message: 'source broke' })
    expect(result).toBeInstanceOf(PgError)
    expect((result as PgError).message).toBe('COPY from stdin failed: source broke')
    expect(((result as PgError).cause as Error).message).toBe('source broke')
  })
})

describe('quoteIdentifier', () => {
  it('doubles quotes and keeps case; refuses empty names and NUL', () => {
    expect(quoteIdentifier('Jobs')).toBe('"Jobs"')
    expect(quoteIdentifier('a"b; drop')).toBe('"a""b; drop"')
    expect(() => quoteIdentifier('')).toThrow(TypeError)
    expect(() => quoteIdentifier('a\0b')).toThrow(TypeError)
  })
})
