/**
 * max_result_bytes (collector.ts) counts wire bytes, but a binary numeric of
 * ten bytes can print as ~150,000 characters: its weight and dscale stand for
 * runs of zeros (numeric_send). A decoder whose string outgrows its bytes by
 * much charges the excess here, so such values count against the cap as the
 * same value in text would, and the cap stops a row before it is built.
 */
export const inflation = {
  /** Characters the row being built may still add (Infinity: no cap, e.g. stream()). */
  left: Infinity,
  /** Characters charged since the collector last reset it. */
  charged: 0,
}

/** Thrown by chargeInflation past the cap; the collector turns it into PGFLEET_RESULT_TOO_LARGE. */
export class InflationLimit extends Error {}

/** Charge `chars` decoded beyond a value's wire bytes; throws InflationLimit past the cap. */
export function chargeInflation(chars: number): void {
  if ((inflation.left -= chars) < 0) throw new InflationLimit('decoded value exceeds max_result_bytes')
  inflation.charged += chars
}
