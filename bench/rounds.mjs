// What the timed bench scripts (run.mjs, floor.mjs, ab.mjs, memory.mjs) share
// about rounds: the order subjects run in, the pause before each sample, the median.

/**
 * The order of round `round`: rotated by one each round and reversed every
 * other round. A plain rotation keeps the cyclic order, so one driver always
 * ran right after the same other one and paid for its garbage (see settle);
 * reversing gives each subject a different predecessor from round to round.
 */
export function roundOrder(names, round) {
  const rotated = names.map((_, i) => names[(i + round) % names.length])
  return round % 2 ? rotated.reverse() : rotated
}

/**
 * The pause before each timed sample (BENCH_SETTLE_MS, 100). The subjects
 * share one heap and, pinned, one CPU: V8's concurrent marking and sweeping
 * and its pending GC tasks, started by one driver's garbage, ran inside the
 * next driver's sample. An A/A run (BENCH_BASELINE = a copy of the same
 * build, 4 drivers, rows, 5 rounds, no pause) gave pgfleet / its copy
 * 0.85-0.95 (geometric mean over the object row cells); 0.975-0.99 with 100 ms.
 */
export const settleMs = Number(process.env.BENCH_SETTLE_MS ?? 100)
export const settle = () => new Promise((resolve) => setTimeout(resolve, settleMs))

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
