import { findCredentials } from '../core/credentials';
import { Json } from './pods';
import { Entry, Finding } from './types';
import { jsonPointer } from './pointer';

const FIX = 'keep it in a Secret created outside Git (or a SealedSecret/ExternalSecret) and reference it';

/** Where a container's env value sits: `.../containers/<i>/env/<j>/value` (any pod template, any kind). */
const ENV_VALUE = /\/(initContainers|containers)\/\d+\/env\/\d+\/value$/;

/**
 * No secrets in Git: every string of every object written — core objects, custom resources (EdgeWorkloads,
 * PrometheusRules, ...) and Argo CD objects alike — is checked by value (PEM private keys, AWS, GitHub,
 * GitLab and Slack tokens, JWTs, kubeconfigs, URLs with user:password@) and by name (a credential-like name
 * with a literal value, or a credential hint with a random-looking value). Secret objects' data and
 * stringData are the policy check's (`secret-data`); their metadata is scanned here.
 */
export function checkSecrets(entries: ReadonlyArray<Entry>): Finding[] {
  const out: Finding[] = [];
  for (const e of entries) {
    const o = e.object as Json;
    const isSecret = o.kind === 'Secret';
    const hits = findCredentials(o, (p) => p.length === 1 && ((isSecret && (p[0] === 'data' || p[0] === 'stringData')) || p[0] === 'apiVersion' || p[0] === 'kind'));
    for (const h of hits) {
      const pointer = jsonPointer(h.path);
      const how = ENV_VALUE.test(pointer) ? `${FIX} with valueFrom.secretKeyRef` : FIX;
      const what = h.path[0] === 'data' && o.kind === 'ConfigMap' && h.name !== undefined ? 'is named like a credential and has a value' : h.what;
      out.push({ file: e.file, pointer, message: `${what}: ${how} (secret-in-git)` });
    }
  }
  return out;
}
