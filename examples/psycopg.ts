/**
 * The psycopg2 and psycopg 3 snippets of the YugabyteDB driver docs, in pgfleet.
 *
 *   psycopg2.connect("dbname=yugabyte host=localhost port=5433 user=yugabyte password=yugabyte")
 *   → connect('dbname=yugabyte host=localhost port=5433 user=yugabyte password=yugabyte')
 *   psycopg2.connect(dbname='yugabyte', host='localhost', port='5433', user='yugabyte', password='yugabyte')
 *   → connect({ database: 'yugabyte', host: 'localhost', port: 5433, user: 'yugabyte', password: 'yugabyte' })
 *   With the smart driver's balancing: add load_balance=true (and topology_keys=cloud.region.zone).
 *   TLS: "host=<hostname> port=5433 dbname=yugabyte user=<username> password=<password>
 *         sslmode=verify-full sslrootcert=/Users/my-user/Downloads/root.crt" works as is.
 *
 * psycopg needs a cursor (psycopg2) or conn.execute (psycopg 3) and a fetch;
 * in pgfleet `query` returns the rows.
 *
 * Run: npx tsx examples/psycopg.ts 'postgresql://yugabyte:yugabyte@localhost:5433/yugabyte' (or DATABASE_URL)
 */
import { connect } from '../src/index.js' // from 'pgfleet' in an application

type Log = (line: string) => void

export async function main(url: string, log: Log = console.log): Promise<void> {
  const conn = await connect(url)
  try {
    // cur.execute('CREATE TABLE IF NOT EXISTS employee (id int PRIMARY KEY, name varchar, age int, language varchar)')
    await conn.query('CREATE TABLE IF NOT EXISTS employee (id int PRIMARY KEY, name varchar, age int, language varchar)')
    await conn.query('DELETE FROM employee WHERE id = 1')

    // cur.execute("INSERT INTO employee VALUES (1, 'John', 35, 'Java')") — values bound, not spliced:
    await conn.query('INSERT INTO employee VALUES ($1, $2, $3, $4)', [1, 'John', 35, 'Java'])
    // The same with a tagged template (every ${} is a parameter):
    const language = 'Java'
    const { rowCount } = await conn.sql`UPDATE employee SET language = ${language} WHERE id = ${1}`
    log(`Updated ${rowCount} row`)

    // cur.execute('SELECT * from employee'); rows = cur.fetchall()
    // psycopg 3: for record in conn.execute('SELECT * from employee'): ...
    const { rows } = await conn.query<[number, string, number, string]>('SELECT * from employee', [], { rowMode: 'array' })
    for (const row of rows) log(`Query returned: ${row[0]}, ${row[1]}, ${row[2]}`)

    // psycopg 3: print(psycopg.connect(DSN).execute("SELECT now()").fetchone()[0])
    const now = (await conn.query<{ now: Date }>('SELECT now()')).rows[0]!.now
    log(`now() is a ${now.constructor.name}: ${now.toISOString()}`)

    await conn.query('DROP TABLE employee')
  } finally {
    await conn.close()
  }
}

if (process.argv[1]?.endsWith('psycopg.ts')) {
  const url = process.argv[2] ?? process.env.DATABASE_URL
  if (!url) throw new Error('usage: psycopg.ts <connection string> (or DATABASE_URL)')
  await main(url)
}
