// What the timed bench scripts share about rounds: the order subjects run in
// (run.mjs, floor.mjs, paired-rows.mjs), the pause before each sample
// (those and ab.mjs) and the median (all of them, memory.mjs too).

/**
 * The order of round `round`: a rotation, advanced every second round, and
 * reversed in odd rounds (ab, ba, ba, ab, ... for two). Over 2n rounds each
 * of n subjects sits at every position equally often and follows each of its
 * two neighbours (the default 3 or 5 rounds come near that, not exactly; one
 * subject runs twice in a row across each even-to-odd round): a plain rotation kept the cyclic
 * order, so one driver always ran right after the same other one and paid
 * for its garbage (see settle). Rotating by `round` and reversing odd rounds
 * kept each subject on positions of one parity when n is even.
 */
export function roundOrder(names, round) {
  const shift = Math.floor(round / 2)
  const rotated = names.map((_, i) => names[(i + shift) % names.length])
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
