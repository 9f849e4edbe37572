/**
 * An operation is one request/response exchange on a connection: it writes its
 * messages when it reaches the wire, then receives every backend message until
 * its ReadyForQuery. Operations are queued FIFO; the server answers in order,
 * so pipelining is just writing the next one before the previous finished.
 */
import type { BackendMessage } from '../protocol/messages.js'

export interface OperationHost {
  /** Queue bytes for the socket (flushed together at the end of the tick). */
  write(bytes: Uint8Array): void
  /** Stop / resume reading from the socket (row backpressure). */
  pause(): void
  resume(): void
  /** Send what is queued and resolve once the socket can take more (write backpressure, COPY FROM). */
  drain(): Promise<void>
  /** Ask the server to cancel the running operation, when no other one could be hit instead (a result grew past max_result_bytes). */
  cancelRunning(): void
  /** Largest total of row bytes a buffered result may hold (0 = no cap). */
  readonly maxResultBytes: number
}

export interface Operation {
  /**
   * While this operation is in flight no later operation is written
   * (COPY, cursor batches: the server must not read other messages meanwhile).
   */
  readonly exclusive: boolean
  /** Write this operation's messages. */
  send(host: OperationHost): void
  /** Handle one message; return true once the operation is finished (after its ReadyForQuery). */
  handle(message: BackendMessage, host: OperationHost): boolean
  /** The connection ended before the operation finished (or its deadline passed while it was queued). */
  fail(error: Error): void
  /**
   * Its deadline passed while on the wire (a cancel is on its way): a
   * streaming operation stops handing rows to its consumer, reads the rest
   * (a paused socket would hide the cancel's answer) and then rejects with
   * `reason`, since its consumer did not get every row.
   */
  expired?(reason: Error): void
}
