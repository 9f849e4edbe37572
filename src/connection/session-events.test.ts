import { describe, expect, test } from 'vitest'
import { SessionEvents } from './session-events.js'

describe('SessionEvents', () => {
  test('subscribers get events until they unsubscribe', () => {
    const events = new SessionEvents()
    const got: string[] = []
    const off = events.on('notification', (n) => got.push(`a:${n.payload}`))
    events.on('notification', (n) => got.push(`b:${n.payload}`))
    events.emit('notification', { processId: 1, channel: 'c', payload: '1' })
    off()
    events.emit('notification', { processId: 1, channel: 'c', payload: '2' })
    expect(got).toEqual(['a:1', 'b:1', 'b:2'])
  })
  test("a throwing handler does not stop the others; its error goes to 'error' subscribers, whose throws are ignored", () => {
    const events = new SessionEvents()
    const errors: string[] = []
    const notices: string[] = []
    events.on('notice', () => {
      throw new Error('handler failed')
    })
    events.on('notice', (n) => notices.push(n.message))
    events.on('error', (e) => errors.push(e.message))
    events.on('error', () => {
      throw new Error('ignored')
    })
    events.emit('notice', { severity: 'NOTICE', code: '00000', message: 'hello' })
    expect(notices).toEqual(['hello'])
    expect(errors).toEqual(['handler failed'])
  })
})
