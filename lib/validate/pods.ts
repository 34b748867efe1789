import { KubeObject, POD_SPEC_PATHS } from '../core/kube-object';
import { Entry } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

/** Kinds whose pods run until stopped, so they need liveness and readiness probes. */
export const LONG_RUNNING = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** A workload's pod template, found in an entry. */
export interface PodTemplate {
  readonly entry: Entry;
  /** JSON pointer of the pod spec. */
  readonly pointer: string;
  readonly spec: Json;
  /** Labels of the pods (template metadata, or the Pod's own). */
  readonly labels: Record<string, string>;
  readonly namespace: string;
}

function get(o: Json, path: ReadonlyArray<string>): Json {
  let v = o;
  for (const k of path) v = v?.[k];
  return v;
}

/** The pod template of a workload object, or undefined for other kinds. */
export function podTemplate(entry: Entry): PodTemplate | undefined {
  const path = POD_SPEC_PATHS[entry.object.kind];
  if (!path) return undefined;
  const spec = get(entry.object, path);
  if (!spec || typeof spec !== 'object') return undefined;
  const meta = entry.object.kind === 'Pod' ? entry.object.metadata : get(entry.object, [...path.slice(0, -1), 'metadata']);
  return {
    entry,
    pointer: `/${path.join('/')}`,
    spec,
    labels: (meta?.labels as Record<string, string>) ?? {},
    namespace: namespaceOf(entry.object),
  };
}

/** The namespace of an object (`default` when it names none). */
export function namespaceOf(o: KubeObject): string {
  return o.metadata?.namespace ?? 'default';
}

/** Each container of a pod spec (init containers too), with its pointer. */
export function containersOf(t: PodTemplate): Array<{ c: Json; pointer: string; init: boolean }> {
  const out: Array<{ c: Json; pointer: string; init: boolean }> = [];
  for (const [key, init] of [['initContainers', true], ['containers', false]] as const) {
    (t.spec[key] ?? []).forEach((c: Json, i: number) => out.push({ c, pointer: `${t.pointer}/${key}/${i}`, init }));
  }
  return out;
}

/** A label selector (matchLabels and matchExpressions) against a label set. */
export function selectorMatches(selector: Json, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const ml = (selector.matchLabels ?? (selector.matchExpressions ? {} : selector)) as Record<string, string>;
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of (selector.matchExpressions ?? []) as Json[]) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    const ok = { In: inValues, NotIn: !inValues, Exists: has, DoesNotExist: !has }[e.operator as string];
    if (!ok) return false;
  }
  return true;
}
