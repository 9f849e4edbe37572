/**
 * Roles that exist on every test server (main nodes, standby, TLS servers,
 * extra clusters), and how pg_hba.conf lets each of them in. Every password
 * role has the same password, {@link PASSWORD}.
 */

/** The one password of every password-authenticated role. */
export const PASSWORD = 'pgfleet-secret'

/** Database on every server, owned by TRUST_USER; every role may connect and create in it. */
export const DATABASE = 'pgfleet'

/** Superuser, `trust` from 127.0.0.0/8 and the Unix socket (admin queries, replication). */
export const SUPERUSER = 'postgres'
/** `host ... trust`: no password asked. Owner of DATABASE. */
export const TRUST_USER = 'pgfleet_trust'
/** `host ... md5`; its password is stored as an MD5 hash. */
export const MD5_USER = 'pgfleet_md5'
/** `host ... scram-sha-256`. */
export const SCRAM_USER = 'pgfleet_scram'
/** `host ... password` (cleartext password message; stored as SCRAM). */
export const PASSWORD_USER = 'pgfleet_password'
/** `hostssl ... cert clientcert=verify-full`: needs the client certificate (CN=pgfleet_cert). */
export const CERT_USER = 'pgfleet_cert'
/** `hostssl ... scram-sha-256` only: refused without TLS. */
export const SSLONLY_USER = 'pgfleet_sslonly'
/** `hostnossl ... scram-sha-256` only: refused over TLS. */
export const NOSSL_USER = 'pgfleet_nossl'

/**
 * `host ... scram-sha-256`, for password-file tests: its password starts as
 * {@link PASSWORD}, and those tests give it a different one on each node.
 * No other test uses it.
 */
export const PASSFILE_USER = 'pgfleet_passfile'

/** SCRAM role a test creates itself (not in the template), e.g. with its own scram_iterations (PostgreSQL 16+). */
export const ITER_USER = 'pgfleet_iter'

/** All roles by the method that admits them. */
export const USERS = {
  superuser: SUPERUSER,
  trust: TRUST_USER,
  md5: MD5_USER,
  scram: SCRAM_USER,
  password: PASSWORD_USER,
  cert: CERT_USER,
  sslOnly: SSLONLY_USER,
  noSsl: NOSSL_USER,
  passfile: PASSFILE_USER,
} as const

/** pg_hba.conf lines every server gets (first match wins). */
export function hbaLines(ssl: boolean): string[] {
  const net = '127.0.0.0/8'
  const lines = [
    `local all ${SUPERUSER} trust`,
    `local replication ${SUPERUSER} trust`,
    `host replication ${SUPERUSER} ${net} trust`,
    `host all ${SUPERUSER} ${net} trust`,
    `host all ${TRUST_USER} ${net} trust`,
    `host all ${MD5_USER} ${net} md5`,
    `host all ${SCRAM_USER} ${net} scram-sha-256`,
    `host all ${PASSFILE_USER} ${net} scram-sha-256`,
    `host all ${ITER_USER} ${net} scram-sha-256`,
    `host all ${PASSWORD_USER} ${net} password`,
    `hostnossl all ${NOSSL_USER} ${net} scram-sha-256`,
  ]
  // hostssl lines only make sense (and only load quietly) with ssl = on.
  if (ssl) {
    lines.push(
      `hostssl all ${CERT_USER} ${net} cert clientcert=verify-full`,
      `hostssl all ${SSLONLY_USER} ${net} scram-sha-256`,
    )
  }
  return lines
}

/**
 * SQL run once on the template cluster (as the superuser, database postgres):
 * the roles, their passwords and DATABASE. The password is a fixed constant, so
 * building the SQL text here is safe.
 */
export function rolesSql(): string {
  const pw = `'${PASSWORD}'`
  return `
set password_encryption = 'scram-sha-256';
create role ${TRUST_USER} login password ${pw};
create role ${SCRAM_USER} login password ${pw};
create role ${PASSWORD_USER} login password ${pw};
create role ${CERT_USER} login password ${pw};
create role ${SSLONLY_USER} login password ${pw};
create role ${NOSSL_USER} login password ${pw};
create role ${PASSFILE_USER} login password ${pw};
set password_encryption = 'md5';
create role ${MD5_USER} login password ${pw};
reset password_encryption;
create database ${DATABASE} owner ${TRUST_USER};
grant all on database ${DATABASE} to public;
`
}

/** SQL run in DATABASE after it exists: everyone may create in schema public (PG 15 revoked that). */
export const databaseGrantsSql = `grant usage, create on schema public to public;`
