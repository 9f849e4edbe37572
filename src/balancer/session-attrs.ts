/**
 * target_session_attrs as in libpq 16 (fe-connect.c): which sessions a
 * connect accepts, checked after the session is up.
 */
import type { TargetSessionAttrs } from '../config/types.js'

/** What the factory learns from a live session to apply target_session_attrs. */
export interface SessionState {
  /** `transaction_read_only` is on (libpq's read-write / read-only test). */
  readOnly: boolean
  /** `pg_is_in_recovery()` / `in_hot_standby` (libpq's primary / standby test). */
  inRecovery: boolean
}

/** The requirement of one pass; prefer-standby runs a `standby` pass, then an `any` pass. */
export type SessionRequirement = Exclude<TargetSessionAttrs, 'prefer-standby'>

/** Passes over the hosts for `attrs` (libpq retries every host in `any` mode when prefer-standby finds no standby). */
export function sessionPasses(attrs: TargetSessionAttrs): SessionRequirement[] {
  return attrs === 'prefer-standby' ? ['standby', 'any'] : [attrs]
}

/** True when a session in `state` satisfies `want`. */
export function satisfies(want: SessionRequirement, state: SessionState): boolean {
  switch (want) {
    case 'any':
      return true
    case 'read-write':
      return !state.readOnly
    case 'read-only':
      return state.readOnly
    case 'primary':
      return !state.inRecovery
    case 'standby':
      return state.inRecovery
  }
}

/** Why a session was turned down, for error messages. */
export function describeMismatch(want: SessionRequirement, state: SessionState): string {
  switch (want) {
    case 'read-write':
    case 'read-only':
      return `session is ${state.readOnly ? 'read-only' : 'read-write'}, wanted ${want}`
    default:
      return `server is ${state.inRecovery ? 'a standby' : 'a primary'}, wanted ${want}`
  }
}
