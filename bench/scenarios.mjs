// What the bench measures. Row scenarios fetch `rows` rows of one type (or a
// mixed 8-column row) with one query and count rows per second; round-trip
// scenarios count queries (or transactions, connects) per second.
const ROWS = Number(process.env.BENCH_ROWS ?? 50_000)

/** Column expressions over g (1..n), one per row type. */
const ROW_TYPES = {
  int4: 'g::int4',
  int8: '(g::int8 * 1000003)',
  float8: '(g::float8 / 7)',
  numeric: '(g::numeric / 7)::numeric(12, 4)',
  bool: '(g % 2 = 0)',
  text: 'md5(g::text)',
  uuid: 'md5(g::text)::uuid',
  timestamptz: "(timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second')",
  date: "(date '2000-01-01' + g % 10000)",
  jsonb: "jsonb_build_object('id', g, 'name', 'row ' || g)",
  bytea: "decode(md5(g::text), 'hex')",
  'int4[]': 'array[g, g + 1, g + 2]::int4[]',
}

const MIXED =
  "g::int4 as a, (g::int8 * 1000003) as b, (g::float8 / 7) as c, md5(g::text) as d, (g % 2 = 0) as e, " +
  "(timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second') as f, (date '2000-01-01' + g % 10000) as h, md5(g::text)::uuid as i"

/**
 * One table holds every row type's values (scripts/bench.sh or run.mjs creates
 * it once), so a row scenario costs the server a scan, not the expressions.
 */
export const ROW_TABLE = 'pgfleet_bench_rows'
export const ROW_TABLE_SQL =
  `create table if not exists ${ROW_TABLE} as select ` +
  Object.entries(ROW_TYPES).map(([type, expr]) => `${expr} as "${type}"`).join(', ') +
  `, ${MIXED.replace(/ as (\w)\b/g, ' as m_$1')} from generate_series(1, ${ROWS}) g`

/**
 * Fetches per timed sample (BENCH_ROW_REPEAT): one fetch of 20k rows takes a
 * few milliseconds, where one preemption by another process (or the CPU-time
 * clock's tick) moves the sample by tens of percent; ~200k rows per sample.
 */
const REPEAT = Number(process.env.BENCH_ROW_REPEAT ?? Math.max(1, Math.round(200_000 / ROWS)))

function rowScenario(name, columns, array) {
  const sql = `select ${columns} from ${ROW_TABLE} limit $1`
  return {
    name: `rows ${name}${array ? ' [array]' : ''}`,
    group: 'rows',
    unit: 'rows/s',
    ops: ROWS * REPEAT,
    run: async (s) => {
      for (let i = 0; i < REPEAT; i++) {
        const rows = await s.rows(sql, ROWS, array)
        if (rows.length !== ROWS) throw new Error(`expected ${ROWS} rows, got ${rows.length}`)
      }
    },
  }
}

const rowScenarios = []
for (const array of [false, true]) {
  for (const [type, expr] of Object.entries(ROW_TYPES)) rowScenarios.push(rowScenario(type, `"${type}" as v`, array))
  rowScenarios.push(rowScenario('mixed 8 columns', 'm_a, m_b, m_c, m_d, m_e, m_f, m_h, m_i', array))
}

const SEQUENTIAL = 2000

/** Round trips on one open session, except connect and pool, which open their own. */
const roundTrips = [
  { name: 'select 1 (sequential)', unit: 'queries/s', ops: SEQUENTIAL, run: async (s) => { for (let i = 0; i < SEQUENTIAL; i++) await s.simple() } },
  { name: 'select $1::int (sequential)', unit: 'queries/s', ops: SEQUENTIAL, run: async (s) => { for (let i = 0; i < SEQUENTIAL; i++) await s.param(i) } },
  { name: '5,000 pipelined select $1::int', unit: 'queries/s', ops: 5000, run: (s) => s.pipeline(5000) },
  { name: 'transaction of 3 statements', unit: 'tx/s', ops: 500, run: async (s) => { for (let i = 0; i < 500; i++) await s.transaction(i) } },
  { name: 'connect + query + close', unit: 'connects/s', ops: 100, own: 'connect', run: async (d) => { for (let i = 0; i < 100; i++) await d.connectQueryClose() } },
  {
    name: 'pool of 10, 50 concurrent callers',
    unit: 'queries/s',
    ops: 5000,
    own: 'pool',
    run: async (pool) => {
      let next = 0
      const caller = async () => { while (next < 5000) await pool.param(next++) }
      await Promise.all(Array.from({ length: 50 }, caller))
    },
  },
].map((s) => ({ group: 'round trips', ...s }))

export const scenarios = [...roundTrips, ...rowScenarios]

/** The row table, sized for BENCH_ROWS (rebuilt when its size differs): for bench/run.mjs and bench/paired-rows.mjs. */
export async function ensureRowTable() {
  const { target, pgfleetEntry } = await import('./drivers.mjs')
  const { connect } = await import(pgfleetEntry)
  const db = await connect({ ...target, sslmode: 'disable' })
  const rows = Number(process.env.BENCH_ROWS ?? 50_000)
  const count = await db.query(`select count(*)::int as n from ${ROW_TABLE}`, []).catch(() => null)
  if (count?.rows[0].n !== rows) {
    await db.query(`drop table if exists ${ROW_TABLE}`)
    await db.query(ROW_TABLE_SQL)
    await db.query(`vacuum analyze ${ROW_TABLE}`)
  }
  await db.close()
}
