import { DNS1123_LABEL, DNS1123_SUBDOMAIN, labelValueProblem, qualifiedNameProblem } from '../core/k8s-rules';
import { memoByString } from '../core/memo';
import { Json } from './pods';
import { Entry, Finding } from './types';
import { escapePointerKey } from './pointer';

/** Kinds whose names must be DNS labels (they become DNS names or label values), not just subdomains. */
const DNS_LABEL_KINDS = new Set(['Namespace', 'Service']);

/** Label and annotation keys repeat across objects: their verdicts, memoized. */
const keyProblem = memoByString(qualifiedNameProblem);

function checkMeta(meta: Json | undefined, at: string, kind: string | undefined, add: (pointer: string, message: string) => void): void {
  if (!meta || typeof meta !== 'object') return;
  const labels = (meta.labels ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(labels)) {
    const kp = keyProblem(k);
    if (kp) add(`${at}/labels/${escapePointerKey(k)}`, `label key ${kp}`);
    const vp = labelValueProblem(labels[k]);
    if (vp) add(`${at}/labels/${escapePointerKey(k)}`, `label value ${vp}: shorten the stack name that it is made of`);
  }
  for (const k of Object.keys((meta.annotations ?? {}) as Record<string, unknown>)) {
    const kp = keyProblem(k);
    if (kp) add(`${at}/annotations/${escapePointerKey(k)}`, `annotation key ${kp}`);
  }
  if (kind !== undefined && typeof meta.name === 'string') {
    const n = meta.name;
    const label = DNS_LABEL_KINDS.has(kind);
    if (label ? n.length > 63 || !DNS1123_LABEL.test(n) : n.length > 253 || !DNS1123_SUBDOMAIN.test(n)) {
      add(`${at}/name`, `a ${kind} name must be a DNS ${label ? 'label (at most 63 characters' : 'subdomain (at most 253 characters'} of lower-case letters, digits and "-"${label ? '' : ' or "."'}): shorten the stack names it is made of`);
    }
  }
}

/**
 * The naming gate: label keys and values, annotation keys and object names of every object, and of the
 * pod and claim templates and label selectors inside it, against the rules the API server applies.
 */
export function checkNames(entries: ReadonlyArray<Entry>): Finding[] {
  const out: Finding[] = [];
  for (const e of entries) {
    const add = (pointer: string, message: string): void => void out.push({ file: e.file, pointer, message: `${message} (k8s-names)` });
    const o = e.object as Json;
    checkMeta(o.metadata, '/metadata', o.kind, add);
    // An ApplicationSet's template holds generator placeholders ({{path[1]}}); its Applications are checked when rendered.
    if (o.kind === 'ApplicationSet') continue;
    // The pointer of the node being walked is built only where a finding or nested metadata needs it.
    const path: string[] = ['/spec'];
    const at = (): string => path.join('/');
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          path.push(String(i));
          walk(v[i]);
          path.pop();
        }
        return;
      }
      if (!v || typeof v !== 'object') return;
      const o = v as Json;
      for (const k of Object.keys(o)) {
        const x = o[k];
        path.push(escapePointerKey(k));
        if (k === 'metadata') checkMeta(x as Json, at(), undefined, add);
        else if (k === 'matchLabels' && x && typeof x === 'object') {
          for (const lk of Object.keys(x as Json)) {
            const problem = keyProblem(lk) ?? labelValueProblem((x as Json)[lk]);
            if (problem) add(`${at()}/${escapePointerKey(lk)}`, `selector label ${problem}`);
          }
        } else walk(x);
        path.pop();
      }
    };
    walk(o.spec);
  }
  return out;
}
