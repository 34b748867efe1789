import { Flow } from '../../core/flows';
import { mentionsClusterDns } from '../../core/object-digest';
import { Entry, Finding } from '../types';
import { ClusterObjects, objectName } from './objects';
import { jsonPointer } from '../pointer';
import { perSegment, Segments } from '../segments';

/*
 * Every path the output configures is a declared flow: a string of an object that names one of the output's own
 * Services by cluster DNS (`<svc>.<ns>.svc.cluster.local`, or `.svc.clusterset.local` across clusters) must be the
 * destination of a declared flow configured in that object (its `configured` object, or its source workload) by the
 * matching transport (in-cluster, mcs). Else the
 * path is in the output but nothing proves it (the Service's port, the NetworkPolicies both ways, the export): a
 * Grafana placed on an edge cluster was given the hub Prometheus's clusterset name, which nothing exported or
 * admitted, and the flow gate, which saw no flow, passed it.
 *
 * A name of a Service the output does not hold (an existing install's, a user's) is not checked: there is nothing to
 * prove it on; nor are Argo CD's objects (an Application's Helm values configure another install, in its namespace). Hosts are found anywhere in a string (URLs, `host:port`, Prometheus and Grafana configuration text).
 */

/** `<svc>.<ns>.svc.<cluster|clusterset>.local`, DNS labels as Kubernetes names them. */
const HOST = /(?<![-a-z0-9.])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc\.(cluster|clusterset)\.local(?![-a-z0-9])/g;

interface ServiceRef {
  readonly pointer: string;
  readonly service: string;
  readonly namespace: string;
  readonly clusterset: boolean;
}

const NONE: ReadonlyArray<ServiceRef> = Object.freeze([]);

/** What each object names, remembered per (frozen) object: a synth that reuses an object does not walk it again. */
const refsOf = new WeakMap<object, ReadonlyArray<ServiceRef>>();

function serviceRefs(o: object): ReadonlyArray<ServiceRef> {
  // A synthesized object was measured (its JSON text looked at once, lib/core/object-digest.ts): most name nothing.
  if (mentionsClusterDns(o) === false) return NONE;
  let refs = refsOf.get(o);
  if (refs === undefined) {
    const found: ServiceRef[] = [];
    walk(o, [], found);
    refs = found;
    if (Object.isFrozen(o)) refsOf.set(o, refs);
  }
  return refs;
}

/** Walks the strings of `v` (one path array for the whole walk; a pointer is built only for a string that names a Service). */
function walk(v: unknown, path: Array<string | number>, out: ServiceRef[]): void {
  if (typeof v === 'string') {
    if (!v.includes('.svc.cluster')) return;
    for (const m of v.matchAll(HOST)) out.push({ pointer: jsonPointer(path), service: m[1], namespace: m[2], clusterset: m[3] === 'clusterset' });
    return;
  }
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'object' && typeof x !== 'string') continue;
      path.push(i);
      walk(x, path, out);
      path.pop();
    }
    return;
  }
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x !== 'object' && typeof x !== 'string') continue;
    path.push(k);
    walk(x, path, out);
    path.pop();
  }
}

/**
 * The objects a flow's path is configured in, as `<cluster> <namespace> <Kind/name>`: the object its `configured` URL
 * sits in and its source workload, in the source's cluster and namespace (pods sources; devices and outside sources
 * are not cluster members, so no object of theirs names a Service).
 */
function configuringObjects(f: Flow): string[] {
  if (f.from.kind !== 'pods') return [];
  const where = `${f.from.cluster} ${f.from.namespace}`;
  return [...new Set([f.configured?.object, f.from.workload].filter((o): o is string => o !== undefined))].map((o) => `${where} ${o}`);
}

/**
 * Findings for the cluster-DNS names of the output's own Services that no declared flow configured in the naming object
 * reaches (`segments`: the entries as consecutive lists, lib/validate/segments.ts; @default one list, the entries).
 */
export function checkUndeclaredPaths(flows: ReadonlyArray<Flow>, entries: ReadonlyArray<Entry>, clusters: ReadonlyMap<string, ClusterObjects>, segments: Segments = [entries]): Finding[] {
  // Services of the output (the flow gate's index of each cluster): by `<ns>/<name>`, the clusters that hold one.
  const services = new Map<string, string[]>();
  for (const [cluster, objs] of clusters) {
    for (const e of objs.kind('Service')) {
      const key = `${e.object.metadata.namespace ?? 'default'}/${e.object.metadata.name}`;
      const list = services.get(key);
      if (list) list.push(cluster);
      else services.set(key, [cluster]);
    }
  }
  // `<object> <transport> <cluster>/<ns>/<svc>` of every declared path to a Service, by in-cluster DNS or MCS.
  const declared = new Set<string>();
  for (const f of flows) {
    if (f.to.kind !== 'service' || (f.transport !== 'in-cluster' && f.transport !== 'mcs')) continue;
    for (const o of configuringObjects(f)) declared.add(`${o} ${f.transport} ${f.to.cluster}/${f.to.namespace}/${f.to.service}`);
  }
  const findings: Finding[] = [];
  for (const list of segments) for (const { e, refs } of naming(list)) undeclaredFrom(e, refs, services, declared, findings);
  return findings;
}

/** The entries of a list that name a Service by cluster DNS, with what they name (kept with a synth's unchanged folder). */
const naming = perSegment((list): ReadonlyArray<{ readonly e: Entry; readonly refs: ReadonlyArray<ServiceRef> }> => {
  const out: Array<{ readonly e: Entry; readonly refs: ReadonlyArray<ServiceRef> }> = [];
  for (const e of list) {
    // Argo CD's objects configure other installs (a Helm source's values), not a path of their own namespace.
    if (e.object.apiVersion.startsWith('argoproj.io/')) continue;
    const refs = serviceRefs(e.object);
    if (refs.length > 0) out.push({ e, refs });
  }
  return out;
});

/**
 * checkUndeclaredPaths's findings for one object (`refs`: the Services it names, serviceRefs): each Service it names by cluster DNS that no declared flow reaches
 * from it, pushed to `findings`. A function of its own: checkUndeclaredPaths runs once a synth, and V8 compiled all of
 * it in each of a process's first four synths, by on-stack replacement in one, whole in the next, again after a
 * deoptimization (16-85 ms each time; session 36's `--trace-opt`, docs/performance-history.md); now the small function
 * is what V8 optimizes.
 */
function undeclaredFrom(e: Entry, refs: ReadonlyArray<ServiceRef>, services: ReadonlyMap<string, string[]>, declared: ReadonlySet<string>, findings: Finding[]): void {
  for (const r of refs) {
    const holders = services.get(`${r.namespace}/${r.service}`) ?? [];
    const targets = r.clusterset ? holders : holders.filter((c) => c === e.cluster);
    if (targets.length === 0) continue;
    const transport = r.clusterset ? 'mcs' : 'in-cluster';
    const object = `${e.cluster} ${e.object.metadata.namespace ?? 'default'} ${e.object.kind}/${e.object.metadata.name}`;
    if (targets.some((c) => declared.has(`${object} ${transport} ${c}/${r.namespace}/${r.service}`))) continue;
    const host = `${r.service}.${r.namespace}.svc.${r.clusterset ? 'clusterset' : 'cluster'}.local`;
    findings.push({
      file: e.file,
      pointer: r.pointer,
      message: `${objectName(e)} names ${host} (Service ${r.service} in namespace ${r.namespace}${r.clusterset ? ` of cluster ${targets.join(', ')}` : ''}), but no declared flow configured there reaches that Service ${r.clusterset ? 'by mcs' : 'in-cluster'}, so nothing proves the path (its port, the NetworkPolicies both ways${r.clusterset ? ', the ServiceExport' : ''}); fix: restore the synthesized value if the file was edited, else place the component where a declared path reaches (an edgewatt component that configures a path declares its flow, lib/core/flows.ts)`,
    });
  }
}
