/**
 * TLS material for the test servers, made at test time with the `openssl`
 * command: a CA, a server certificate it signs (CN=localhost, SANs localhost
 * and 127.0.0.1–127.0.0.40), a wrong-name certificate (wrong.example) from the
 * same CA, a CA nobody trusts and a localhost certificate it signs, and a
 * client certificate (CN=pgfleet_cert) from the trusted CA. Keys are RSA 2048,
 * signatures SHA-256.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chownToPostgres, run } from './proc.js'
import { CERT_USER } from './users.js'

/** A certificate with its private key: file paths and PEM texts. */
export interface CertFiles {
  cert: string
  key: string
  certPem: string
  keyPem: string
}

/** Everything {@link makeCerts} produces. */
export interface TestCerts {
  dir: string
  /** The CA the servers' good certificate (and the client certificate) chain to. */
  ca: CertFiles
  /** CN=localhost; SANs DNS:localhost, IP:127.0.0.1 … IP:127.0.0.40; signed by `ca`. */
  server: CertFiles
  /** CN and SAN DNS:wrong.example, signed by `ca`. */
  wrongName: CertFiles
  /** A second CA that no server or client trusts. */
  untrustedCa: CertFiles
  /** Same names as `server`, but signed by `untrustedCa`. */
  untrusted: CertFiles
  /** CN=pgfleet_cert (the cert-auth role), clientAuth, signed by `ca`. Key is mode 600. */
  client: CertFiles
}

/** Highest 127.0.0.x in the server certificate's IP SANs (extra clusters use up to .30). */
export const SERVER_CERT_MAX_HOST = 40

const DAYS = '3650'

async function newKey(path: string): Promise<void> {
  await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path])
  await chmod(path, 0o600)
}

async function selfSignedCa(dir: string, name: string, cn: string): Promise<void> {
  await newKey(join(dir, `${name}.key`))
  await run('openssl', [
    'req', '-x509', '-new', '-sha256', '-days', DAYS,
    '-key', join(dir, `${name}.key`),
    '-out', join(dir, `${name}.crt`),
    '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ])
}

async function signedLeaf(
  dir: string,
  name: string,
  cn: string,
  ca: string,
  extensions: string[],
  serial: number,
): Promise<void> {
  const key = join(dir, `${name}.key`)
  const csr = join(dir, `${name}.csr`)
  const ext = join(dir, `${name}.ext`)
  await newKey(key)
  await run('openssl', ['req', '-new', '-sha256', '-key', key, '-out', csr, '-subj', `/CN=${cn}`])
  await writeFile(ext, ['basicConstraints=CA:FALSE', ...extensions].join('\n') + '\n')
  await run('openssl', [
    'x509', '-req', '-sha256', '-days', DAYS,
    '-in', csr,
    '-CA', join(dir, `${ca}.crt`),
    '-CAkey', join(dir, `${ca}.key`),
    '-set_serial', String(serial),
    '-extfile', ext,
    '-out', join(dir, `${name}.crt`),
  ])
}

async function load(dir: string, name: string): Promise<CertFiles> {
  const cert = join(dir, `${name}.crt`)
  const key = join(dir, `${name}.key`)
  return { cert, key, certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') }
}

/**
 * Makes all test certificates in `dir` (created if needed). Server keys end up
 * owned by `postgres` with mode 600 so the servers accept them.
 */
export async function makeCerts(dir: string): Promise<TestCerts> {
  await mkdir(dir, { recursive: true })
  await chmod(dir, 0o755)
  const ips = Array.from({ length: SERVER_CERT_MAX_HOST }, (_, i) => `IP:127.0.0.${i + 1}`)
  const serverExt = [
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=DNS:localhost,${ips.join(',')}`,
  ]
  await Promise.all([
    selfSignedCa(dir, 'ca', 'pgfleet test CA'),
    selfSignedCa(dir, 'untrusted-ca', 'pgfleet untrusted CA'),
  ])
  await Promise.all([
    signedLeaf(dir, 'server', 'localhost', 'ca', serverExt, 1001),
    signedLeaf(
      dir,
      'wrong-name',
      'wrong.example',
      'ca',
      [
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        'subjectAltName=DNS:wrong.example',
      ],
      1002,
    ),
    signedLeaf(dir, 'untrusted', 'localhost', 'untrusted-ca', serverExt, 2001),
    signedLeaf(
      dir,
      'client',
      CERT_USER,
      'ca',
      ['keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth'],
      1003,
    ),
  ])
  for (const name of ['server', 'wrong-name', 'untrusted']) await chownToPostgres(join(dir, `${name}.key`))
  const [ca, server, wrongName, untrustedCa, untrusted, client] = await Promise.all(
    ['ca', 'server', 'wrong-name', 'untrusted-ca', 'untrusted', 'client'].map((n) => load(dir, n)),
  )
  return { dir, ca: ca!, server: server!, wrongName: wrongName!, untrustedCa: untrustedCa!, untrusted: untrusted!, client: client! }
}
