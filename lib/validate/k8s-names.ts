import { DNS1123_LABEL, DNS1123_SUBDOMAIN, labelValueProblem, qualifiedNameProblem } from '../core/k8s-rules';
import { Json } from './pods';
import { Entry, Finding } from './types';

/** Kinds whose names must be DNS labels (they become DNS names or label values), not just subdomains. */
const DNS_LABEL_KINDS = new Set(['Namespace', 'Service']);

function checkMeta(meta: Json | undefined, at: string, kind: string | undefined, add: (pointer: string, message: string) => void): void {
  if (!meta || typeof meta !== 'object') return;
  const esc = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
  for (const [k, v] of Object.entries((meta.labels ?? {}) as Record<string, unknown>)) {
    const kp = qualifiedNameProblem(k);
    if (kp) add(`${at}/labels/${esc(k)}`, `label key ${kp}`);
    const vp = labelValueProblem(v);
    if (vp) add(`${at}/labels/${esc(k)}`, `label value ${vp}: shorten the stack name that it is made of`);
  }
  for (const k of Object.keys((meta.annotations ?? {}) as Record<string, unknown>)) {
    const kp = qualifiedNameProblem(k);
    if (kp) add(`${at}/annotations/${esc(k)}`, `annotation key ${kp}`);
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
    const walk = (v: unknown, at: string): void => {
      if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${at}/${i}`));
      if (!v || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v as Json)) {
        const p = `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (k === 'metadata' && at !== '') checkMeta(x as Json, p, undefined, add);
        else if (k === 'matchLabels' && x && typeof x === 'object') {
          for (const [lk, lv] of Object.entries(x as Json)) {
            const problem = qualifiedNameProblem(lk) ?? labelValueProblem(lv);
            if (problem) add(`${p}/${lk.replace(/~/g, '~0').replace(/\//g, '~1')}`, `selector label ${problem}`);
          }
        } else walk(x, p);
      }
    };
    walk(o.spec, '/spec');
  }
  return out;
}
