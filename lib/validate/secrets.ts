import { containersOf, Json, podTemplate } from './pods';
import { Entry, Finding } from './types';

/** Names that say a value is a credential. */
const CREDENTIAL_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)s?$/i;

/** Values that are credentials whatever their name: PEM private keys, cloud keys, JWTs, kubeconfigs. */
const CREDENTIAL_VALUE: Array<[RegExp, string]> = [
  [/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/, 'a PEM private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'a JSON Web Token'],
  [/\b(client-key-data|client-certificate-data|token):\s*\S{16,}/, 'kubeconfig credentials'],
  [/^kind:\s*Config\s*$[\s\S]*^users:/m, 'a kubeconfig'],
  [/\b(ghp|gho|github_pat|glpat|xox[baprs])[-_][A-Za-z0-9_-]{16,}/, 'a GitHub, GitLab or Slack token'],
];

function credentialIn(value: string): string | undefined {
  return CREDENTIAL_VALUE.find(([re]) => re.test(value))?.[1];
}

const FIX = 'keep it in a Secret created outside Git (or a SealedSecret/ExternalSecret) and reference it';

/**
 * No secrets in Git: env values and ConfigMap entries that look like credentials (by name or content),
 * and kubeconfig-like content anywhere in a ConfigMap. Secret objects with data are the policy check's.
 */
export function checkSecrets(entries: ReadonlyArray<Entry>): Finding[] {
  const out: Finding[] = [];
  for (const e of entries) {
    const o = e.object as Json;
    if (o.kind === 'ConfigMap') {
      for (const [key, value] of Object.entries((o.data ?? {}) as Record<string, string>)) {
        const pointer = `/data/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const found = credentialIn(String(value));
        if (found) out.push({ file: e.file, pointer, message: `holds ${found}: ${FIX} (secret-in-git)` });
        else if (CREDENTIAL_NAME.test(key) && String(value).trim() !== '') out.push({ file: e.file, pointer, message: `is named like a credential and has a value: ${FIX} (secret-in-git)` });
      }
    }
    const t = podTemplate(e);
    if (!t) continue;
    for (const { c, pointer } of containersOf(t)) {
      (c.env ?? []).forEach((v: Json, i: number) => {
        if (typeof v.value !== 'string' || v.value === '') return;
        const found = credentialIn(v.value);
        if (found || CREDENTIAL_NAME.test(v.name)) {
          out.push({ file: e.file, pointer: `${pointer}/env/${i}/value`, message: `${found ? `holds ${found}` : `${v.name} is a credential given as a literal value`}: ${FIX} with valueFrom.secretKeyRef (secret-in-git)` });
        }
      });
    }
  }
  return out;
}
