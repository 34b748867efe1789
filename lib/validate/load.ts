import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '../core/kube-object';
import { Entry, Finding } from './types';

/**
 * Reads every object in the YAML files below `dir` (multi-document files too). The cluster of an object is
 * the first folder under `dir` when files sit in folders (the dist/<cluster>/<component>/ layout), else ".".
 * Files that do not parse are findings, not exceptions. With `keep`, only files whose text matches it are
 * parsed (a cheap prefilter for callers that need a few kinds out of a large tree).
 */
export function loadYamlTree(dir: string, label = dir, keep?: RegExp): { entries: Entry[]; findings: Finding[] } {
  const entries: Entry[] = [];
  const findings: Finding[] = [];
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return { entries, findings: [{ file: label, pointer: '', message: 'is not a folder of YAML files' }] };
  }
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (/\.ya?ml$/.test(e.name)) read(child);
    }
  };
  const read = (rel: string): void => {
    const file = `${label}/${rel}`;
    const cluster = rel.includes('/') ? rel.split('/')[0] : '.';
    const text = fs.readFileSync(path.join(dir, rel), 'utf8');
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
      if (typeof object !== 'object' || Array.isArray(object) || typeof object.metadata?.name !== 'string') {
        findings.push({ file, pointer: '', message: 'is not a Kubernetes object (apiVersion, kind and metadata.name are required)' });
        continue;
      }
      entries.push({ file, cluster, object });
    }
  };
  walk('');
  return { entries, findings };
}
