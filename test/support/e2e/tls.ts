import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { binary } from './processes';

/** A self-signed serving certificate for fake https targets (kube-rbac-proxy in front of an exporter). */
export interface TestCert {
  readonly cert: string;
  readonly key: string;
}

/**
 * Makes a self-signed P-256 certificate valid for 127.0.0.1, localhost and `names` (the `server_name`s the
 * scrape configs ask for), with Debian's openssl (`req -x509 -addext subjectAltName`, OpenSSL ≥ 1.1.1).
 */
export function selfSignedCert(dir: string, names: ReadonlyArray<string>): TestCert {
  const keyFile = path.join(dir, 'tls.key');
  const certFile = path.join(dir, 'tls.crt');
  const san = ['IP:127.0.0.1', 'DNS:localhost', ...names.map((n) => `DNS:${n}`)].join(',');
  const r = spawnSync(binary('openssl'), ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=edgewatt-e2e', '-addext', `subjectAltName=${san}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl could not make a test certificate: ${r.stderr}`);
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}
