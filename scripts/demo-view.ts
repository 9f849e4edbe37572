/**
 * The demo's live view of a pool: one bar per node, one block per session
 * (busy ones solid, idle ones light), the server's own count beside it, the
 * node's state, and the last few events. `frame()` is a pure function of a
 * snapshot; `LiveView` redraws it in place on a terminal, or, when stdout is
 * not a TTY (a pipe, a CI log), prints one plain line per period instead.
 */
import type { PoolNodeStats, PoolStats } from '../src/index.js'

export interface Snapshot {
  /** Seconds since the scene started. */
  t: number
  nodes: ReadonlyArray<PoolNodeStats & { label: string; down: boolean; server: number | undefined }>
  pool: PoolStats
  queries: number
  failed: number
  events: ReadonlyArray<{ t: number; text: string }>
}

const ESC = '\x1b['
const paint = (on: boolean, code: string, text: string) => (on ? `${ESC}${code}m${text}${ESC}0m` : text)

/** The frame as lines (no trailing newline); `color` adds ANSI colours. */
export function frame(s: Snapshot, color: boolean, width = 12): string[] {
  const lines: string[] = []
  const head = `t=${s.t.toFixed(1).padStart(5)} s   pool ${s.pool.total}/${s.pool.total + s.pool.pending} open, ${s.pool.active} busy, ${s.pool.waiting} waiting   queries ${s.queries}, failed ${s.failed}   moved ${s.pool.rebalanced}`
  lines.push(paint(color, '1', head))
  for (const n of s.nodes) {
    const busy = '█'.repeat(Math.min(n.active, width))
    const idle = '▒'.repeat(Math.min(n.total - n.active, width - busy.length))
    const pad = ' '.repeat(Math.max(0, width - busy.length - idle.length))
    const bar = paint(color, n.down ? '31' : '32', busy) + paint(color, '2;32', idle) + pad
    const state = n.down ? paint(color, '31', 'down') : n.failed ? paint(color, '33', 'up, failed mark (TTL)') : 'up'
    const server = n.server === undefined ? '   –' : String(n.server).padStart(4)
    lines.push(`  ${n.label.padEnd(16)} ${bar} ${String(n.total).padStart(2)}  server ${server}   ${state}`)
  }
  const recent = s.events.slice(-4)
  for (const e of recent) lines.push(paint(color, '2', `  ${e.t.toFixed(1).padStart(5)} s  ${e.text}`))
  for (let i = recent.length; i < 4; i++) lines.push('')
  return lines
}

/** One plain line per snapshot (non-TTY output). */
export function plainLine(s: Snapshot): string {
  const nodes = s.nodes
    .map((n) => `${n.label} ${'#'.repeat(n.total)}${'.'.repeat(Math.max(0, 6 - n.total))} ${n.total}/${n.server ?? '-'}${n.down ? ' down' : n.failed ? ' failed' : ''}`)
    .join(' | ')
  return `t=${s.t.toFixed(1).padStart(5)}s  ${nodes} | moved ${s.pool.rebalanced}, queries ${s.queries}, failed ${s.failed}`
}

/** Draws snapshots: in place on a TTY (every call), else a plain line at most every `plainEveryMs`. */
export class LiveView {
  private drawn = 0
  private lastPlain = -Infinity
  private printedEvents = 0
  private legend = false
  readonly tty: boolean
  private readonly color: boolean

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly plainEveryMs = 1000,
  ) {
    this.tty = out.isTTY === true
    this.color = this.tty && process.env.NO_COLOR === undefined
  }

  draw(s: Snapshot, force = false): void {
    if (!this.legend) {
      this.legend = true
      this.out.write(
        this.tty
          ? '   one block per session of the pool: █ checked out, ▒ idle; server = pg_stat_activity on the node\n'
          : '   per node: one # per session of the pool, then pool/server (pg_stat_activity) counts; ** marks an event\n',
      )
    }
    if (this.tty) {
      const lines = frame(s, this.color)
      const up = this.drawn > 0 ? `${ESC}${this.drawn}F` : ''
      this.out.write(up + lines.map((l) => `${ESC}2K${l}`).join('\n') + '\n')
      this.drawn = lines.length
      return
    }
    // Events as they happen, bars once per period.
    for (const e of s.events.slice(this.printedEvents)) this.out.write(`t=${e.t.toFixed(1).padStart(5)}s  ** ${e.text}\n`)
    this.printedEvents = s.events.length
    const now = s.t * 1000
    if (force || now - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = now
      this.out.write(plainLine(s) + '\n')
    }
  }

  /** Leave the last frame on screen; later output starts below it. */
  done(): void {
    this.drawn = 0
  }
}
