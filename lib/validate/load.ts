import { GENERATED_PREFIX } from '../synth/serialize';
import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../core/kube-object';
import { walkRegularFiles } from '../synth/tree';
import { recoverTree } from '../synth/writer';
import { Entry, Finding } from './types';

/**
 * Reads every object in the YAML files below `dir` (multi-document files too). The cluster of an object is
 * the first folder under `dir` when files sit in folders (the dist/<cluster>/<component>/ layout), else ".".
 * Files that do not parse are findings, not exceptions. With `keep`, only files whose text matches it are
 * parsed (a cheap prefilter for callers that need a few kinds out of a large tree). A write that a crash
 * interrupted is recovered first (recoverTree); anything but folders and regular files is refused (SpecError).
 */
export function loadYamlTree(dir: string, label = dir, keep?: RegExp): { entries: Entry[]; findings: Finding[] } {
  const entries: Entry[] = [];
  const findings: Finding[] = [];
  recoverTree(dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return { entries, findings: [{ file: label, pointer: '', message: 'is not a folder of YAML files' }] };
  }
  const read = (rel: string, content: Buffer): void => {
    const file = `${label}/${rel}`;
    const cluster = rel.includes('/') ? rel.split('/')[0] : '.';
    const text = content.toString('utf8');
    if (keep && !keep.test(text)) return;
    const docs = parseAllDocuments(text, { uniqueKeys: true });
    for (const doc of docs) {
      if (!('toJS' in doc)) continue;
      if (doc.errors.length > 0) {
        findings.push({ file, pointer: '', message: `is not valid YAML: ${doc.errors[0].message.split('\n')[0]}` });
        continue;
      }
      const object = doc.toJS({ maxAliasCount: 1000 }) as KubeObject | null;
      if (object === null) continue;
      // A merge patch edgewatt generates (argocd/argocd-cm/: the Application health check) is not an object to apply.
      if (text.startsWith(GENERATED_PREFIX) && typeof object === 'object' && !Array.isArray(object) && object.apiVersion === undefined && object.kind === undefined) continue;
      if (typeof object !== 'object' || Array.isArray(object) || typeof object.metadata?.name !== 'string') {
        findings.push({ file, pointer: '', message: 'is not a Kubernetes object (apiVersion, kind and metadata.name are required)' });
        continue;
      }
      entries.push({ file, cluster, object });
    }
  };
  walkRegularFiles(dir, read, (rel) => /\.ya?ml$/.test(rel), label);
  return { entries, findings };
}
