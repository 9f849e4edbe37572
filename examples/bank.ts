/**
 * The bank-transfer app of the CockroachDB "Build a Python App with psycopg2"
 * tutorial, in pgfleet: create an accounts table, move funds between two
 * accounts in a serializable transaction, print the balances, clean up.
 *
 * The Python version wraps every transfer in its own retry loop (catch
 * SerializationFailure, roll back, sleep 2^n * 100 ms, try again, give up
 * after 3). In pgfleet that loop is `client.transaction`: 40001 and 40P01 are
 * retried with exponential backoff and full jitter, a bounded number of times,
 * and a COMMIT whose reply was lost is reported (TransactionOutcomeUnknownError),
 * never silently run twice.
 *
 * Run: npx tsx examples/bank.ts 'postgresql://<username>:<password>@<hostname>:<port>/bank?sslmode=require'
 *   (or set DATABASE_URL). For a cloud cluster, verify the server certificate:
 *   'postgresql://<username>:<password>@<hostname>:26257/bank?sslmode=verify-full&sslrootcert=<certs_dir>/ca.crt'
 */
import { connect, type Client, type Transaction } from '../src/index.js' // from 'pgfleet' in an application

type Log = (line: string) => void

async function createAccounts(db: Client): Promise<void> {
  await db.query('create table if not exists accounts (id int primary key, balance int not null)')
  // UPSERT in CockroachDB; PostgreSQL spells it ON CONFLICT.
  await db.query('insert into accounts (id, balance) values ($1, $2), ($3, $4) on conflict (id) do update set balance = excluded.balance', [1, 1000, 2, 250])
}

async function printBalances(db: Client, log: Log): Promise<void> {
  const { rows } = await db.query<[number, number]>('select id, balance from accounts order by id', [], { rowMode: 'array' })
  log(`Balances at ${new Date().toUTCString()}`)
  for (const row of rows) log(JSON.stringify(row.map(String)))
}

/** Check the balance, then move `amount`: read and writes in one serializable transaction. */
async function transferFunds(tx: Transaction, from: number, to: number, amount: number): Promise<void> {
  const { rows } = await tx.query<{ balance: number }>('select balance from accounts where id = $1', [from])
  const balance = rows[0]?.balance ?? 0
  if (balance < amount) throw new RangeError(`Insufficient funds in ${from}: have ${balance}, need ${amount}`)
  await tx.query('update accounts set balance = balance - $1 where id = $2', [amount, from])
  await tx.query('update accounts set balance = balance + $1 where id = $2', [amount, to])
}

/** Returns how many attempts the transfers needed in total (retries show up here). */
export async function main(url: string, log: Log = console.log): Promise<{ attempts: number }> {
  const db = await connect(url)
  let attempts = 0
  const transfer = (client: Client, from: number, to: number, amount: number) =>
    client.transaction(
      (tx) => {
        attempts++
        return transferFunds(tx, from, to, amount)
      },
      { isolation: 'serializable', retries: 10 },
    )
  try {
    await createAccounts(db)
    await printBalances(db, log)
    await transfer(db, 1, 2, 100)
    await printBalances(db, log)

    // Five sessions transfer at once: they conflict (40001) and the driver retries them.
    const sessions = await Promise.all(Array.from({ length: 5 }, () => connect(url)))
    try {
      await Promise.all(sessions.map((s) => transfer(s, 1, 2, 10)))
    } finally {
      await Promise.all(sessions.map((s) => s.close()))
    }
    await printBalances(db, log)
    await db.query('delete from accounts where id in ($1, $2)', [1, 2])
  } finally {
    await db.close()
  }
  return { attempts }
}

if (process.argv[1]?.endsWith('bank.ts')) {
  const url = process.argv[2] ?? process.env.DATABASE_URL
  if (!url) throw new Error('usage: bank.ts <connection string> (or DATABASE_URL)')
  await main(url)
}
