import { KUBERNETES_NAMESPACES } from '../core/names';
import { EXTERNAL_REFS_ANNOTATION, NAMESPACE_FROM_ANNOTATION } from '../core/policy';
import { namespaceCreatedBy } from './created-namespaces';
import { containersOf, Json, namespaceOf, podTemplate, PodTemplate, selectorMatches } from './pods';
import { ObjectKeyMap } from './object-keys';
import { duplicateObjects } from './duplicate-objects';
import { perSegment, Segments } from './segments';
import { Entry, Finding } from './types';

/** The kinds a pod refers to by name (podRefs). */
type RefKind = 'ServiceAccount' | 'Secret' | 'ConfigMap' | 'PersistentVolumeClaim';

/** Every RefKind (the Record makes the list whole): only objects of these kinds can be what a reference needs. */
const REF_KINDS: ReadonlySet<string> = new Set(Object.keys({ ServiceAccount: true, Secret: true, ConfigMap: true, PersistentVolumeClaim: true } satisfies Record<RefKind, true>));

interface Ref {
  readonly kind: RefKind;
  readonly name: string;
  readonly pointer: string;
}

/** The ConfigMaps, Secrets, ServiceAccount and PVCs a pod refers to (optional references left out). */
export function podRefs(t: PodTemplate, claimTemplates: ReadonlySet<string>): Ref[] {
  const p = t.pointer;
  const refs: Ref[] = [];
  const sa = t.spec.serviceAccountName;
  if (sa && sa !== 'default') refs.push({ kind: 'ServiceAccount', name: sa, pointer: `${p}/serviceAccountName` });
  (t.spec.imagePullSecrets ?? []).forEach((s: Json, i: number) => refs.push({ kind: 'Secret', name: s.name, pointer: `${p}/imagePullSecrets/${i}` }));
  (t.spec.volumes ?? []).forEach((v: Json, i: number) => {
    const vp = `${p}/volumes/${i}`;
    if (v.configMap && !v.configMap.optional) refs.push({ kind: 'ConfigMap', name: v.configMap.name, pointer: `${vp}/configMap/name` });
    if (v.secret && !v.secret.optional) refs.push({ kind: 'Secret', name: v.secret.secretName, pointer: `${vp}/secret/secretName` });
    if (v.persistentVolumeClaim && !claimTemplates.has(v.persistentVolumeClaim.claimName)) {
      refs.push({ kind: 'PersistentVolumeClaim', name: v.persistentVolumeClaim.claimName, pointer: `${vp}/persistentVolumeClaim/claimName` });
    }
    (v.projected?.sources ?? []).forEach((s: Json, j: number) => {
      if (s.configMap && !s.configMap.optional) refs.push({ kind: 'ConfigMap', name: s.configMap.name, pointer: `${vp}/projected/sources/${j}/configMap/name` });
      if (s.secret && !s.secret.optional) refs.push({ kind: 'Secret', name: s.secret.name, pointer: `${vp}/projected/sources/${j}/secret/name` });
    });
  });
  for (const { c, pointer } of containersOf(t)) {
    (c.envFrom ?? []).forEach((e: Json, i: number) => {
      if (e.configMapRef && !e.configMapRef.optional) refs.push({ kind: 'ConfigMap', name: e.configMapRef.name, pointer: `${pointer}/envFrom/${i}/configMapRef/name` });
      if (e.secretRef && !e.secretRef.optional) refs.push({ kind: 'Secret', name: e.secretRef.name, pointer: `${pointer}/envFrom/${i}/secretRef/name` });
    });
    (c.env ?? []).forEach((e: Json, i: number) => {
      const cm = e.valueFrom?.configMapKeyRef;
      const s = e.valueFrom?.secretKeyRef;
      if (cm && !cm.optional) refs.push({ kind: 'ConfigMap', name: cm.name, pointer: `${pointer}/env/${i}/valueFrom/configMapKeyRef/name` });
      if (s && !s.optional) refs.push({ kind: 'Secret', name: s.name, pointer: `${pointer}/env/${i}/valueFrom/secretKeyRef/name` });
    });
  }
  return refs;
}

const NO_REFS: ReadonlySet<string> = new Set();

function externalRefs(entry: Entry): ReadonlySet<string> {
  const a = entry.object.metadata.annotations?.[EXTERNAL_REFS_ANNOTATION];
  if (a === undefined || a === null || a === '') return NO_REFS; // what splitting '' gives
  return new Set(a.split(',').map((s) => s.trim()).filter(Boolean));
}

function portMatches(target: unknown, templates: ReadonlyArray<PodTemplate>): boolean {
  return templates.some((t) =>
    containersOf(t).some(({ c }) => (c.ports ?? []).some((p: Json) => p.containerPort === target || (typeof target === 'string' && p.name === target))),
  );
}

/** What checkWiring's pass over one list of entries collects (wiringFacts); `i` is an index in the list. */
interface WiringFacts {
  /** The objects a reference can name (RefKind): cluster, kind, namespace (default when none), name. */
  readonly exists: Array<readonly [string, string, string, string]>;
  /** Pod templates, each with its `cluster/namespace`. */
  readonly templates: Array<readonly [string, PodTemplate]>;
  /** Services, NetworkPolicies and pod templates: looked at again once every cluster's objects are known. */
  readonly later: Array<{ readonly i: number; readonly t: PodTemplate | undefined }>;
  /** `cluster/namespace/service` of each EndpointSlice and Endpoints. */
  readonly slices: string[];
  /** The namespaces the list creates: cluster, namespace. */
  readonly created: Array<readonly [string, string]>;
  /** The objects in each cluster and namespace (system namespaces left out): cluster, namespace, their indexes. */
  readonly namespaced: Array<{ readonly cluster: string; readonly namespace: string; readonly at: number[] }>;
}

/**
 * checkWiring's pass over one object (entry `i` of its list). A function of its own: the pass runs once a synth, so V8
 * optimizes its loop by on-stack replacement and then the caller whole again in the next synth; this small function
 * is optimized once, and the caller's own compiling stays small (session 36, docs/performance-history.md).
 */
function factsOf(e: Entry, i: number, x: WiringFacts): void {
  const kind = `${e.object.kind}`;
  const namespace = e.object.metadata.namespace;
  // Only what a reference can name is looked up (at 100,000 devices, the registration requests are not).
  if (REF_KINDS.has(kind)) x.exists.push([`${e.cluster}`, kind, `${namespaceOf(e.object)}`, `${e.object.metadata.name}`]);
  const t = podTemplate(e);
  if (t) x.templates.push([`${e.cluster}/${t.namespace}`, t]);
  if (t || kind === 'Service' || kind === 'NetworkPolicy') x.later.push({ i, t });
  if (kind === 'EndpointSlice' || kind === 'Endpoints') {
    const svc = kind === 'Endpoints' ? e.object.metadata.name : e.object.metadata.labels?.['kubernetes.io/service-name'];
    if (svc) x.slices.push(`${e.cluster}/${namespaceOf(e.object)}/${svc}`);
  }
  const created = createdNamespace(e);
  if (created) x.created.push(created);
  if (namespace && !SYSTEM_NAMESPACES.has(namespace)) {
    // Consecutive objects mostly share both (a folder's): the last group is at hand.
    const last = x.namespaced[x.namespaced.length - 1];
    if (last !== undefined && last.cluster === e.cluster && last.namespace === namespace) last.at.push(i);
    else x.namespaced.push({ cluster: e.cluster, namespace, at: [i] });
  }
}

/** One list's facts: kept with a synth's unchanged folder (perSegment), so its objects are not read again. */
const wiringFacts = perSegment((entries): WiringFacts => {
  const x: WiringFacts = { exists: [], templates: [], later: [], slices: [], created: [], namespaced: [] };
  for (let i = 0; i < entries.length; i++) factsOf(entries[i], i, x);
  return x;
});

/**
 * Wiring: no two objects share kind, namespace and name in a cluster; every Service selects a pod template
 * and targets a port it declares (a Service without a selector needs an EndpointSlice); every object a pod
 * refers to exists or is declared external; every NetworkPolicy selects a pod (unless its namespace is declared external); in a cluster whose tree creates
 * Namespaces, every namespaced object's namespace is one of them (or one every cluster has).
 */
export function checkWiring(entries: ReadonlyArray<Entry>): Finding[] {
  return checkWiringIn([entries]);
}

/**
 * checkWiring of entries given as consecutive lists (lib/validate/segments.ts). Each list is read once (wiringFacts, and
 * its keys by duplicateObjects); what needs every cluster known first is kept as indexes, so only those objects are
 * read again (at 100,000 devices a second pass over every object cost about half the gate).
 */
export function checkWiringIn(segments: Segments): Finding[] {
  const out = duplicateObjects(segments);
  const facts = segments.map(wiringFacts);
  const exists = new ObjectKeyMap<true>();
  const templates = new Map<string, PodTemplate[]>();
  const slices = new Set<string>();
  const created = new Map<string, Set<string>>();
  for (const f of facts) {
    for (const [cluster, kind, namespace, name] of f.exists) exists.set(cluster, kind, namespace, name, true);
    for (const [key, t] of f.templates) {
      const list = templates.get(key);
      if (list) list.push(t);
      else templates.set(key, [t]);
    }
    for (const key of f.slices) slices.add(key);
    for (const [cluster, name] of f.created) {
      const set = created.get(cluster) ?? new Set<string>();
      set.add(name);
      created.set(cluster, set);
    }
  }
  // The namespace findings come before the reference findings, each in the objects' order.
  const namespaceFindings: Finding[] = [];
  segments.forEach((list, s) => {
    // The objects of a cluster whose tree creates namespaces, but not theirs: the only ones namespaceFinding can find something in.
    const outside: number[] = [];
    for (const { cluster, namespace, at } of facts[s].namespaced) if (created.get(cluster)?.has(namespace) === false) outside.push(...at);
    for (const i of outside.sort((a, b) => a - b)) {
      const nf = namespaceFinding(list[i], created);
      if (nf) namespaceFindings.push(nf);
    }
  });
  const refFindings: Finding[] = [];
  segments.forEach((list, s) => {
    for (const { i, t } of facts[s].later) refFindings.push(...referenceFindings(list[i], t, templates, exists, slices));
  });
  out.push(...namespaceFindings, ...refFindings);
  return out;
}

/** The findings of a Service, a NetworkPolicy or a pod template (`t`) once every cluster's objects are known. */
function referenceFindings(e: Entry, t: PodTemplate | undefined, templates: ReadonlyMap<string, ReadonlyArray<PodTemplate>>, exists: ObjectKeyMap<true>, slices: ReadonlySet<string>): Finding[] {
  const refFindings: Finding[] = [];
  const o = e.object as Json;
  const ns = namespaceOf(e.object);
  const local = o.kind === 'Service' || o.kind === 'NetworkPolicy' ? templates.get(`${e.cluster}/${ns}`) ?? [] : [];
  // A Service in front of an upstream component's pods (its namespace comes from that component's Application)
  // selects pods the tree does not hold; the flow gate checks its path by the upstream facts instead.
  if (o.kind === 'Service' && o.spec?.type !== 'ExternalName' && !o.metadata.annotations?.[NAMESPACE_FROM_ANNOTATION]) {
    const selector = o.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) {
      if (!slices.has(`${e.cluster}/${ns}/${o.metadata.name}`)) {
        refFindings.push({ file: e.file, pointer: '/spec/selector', message: 'a Service without a selector needs an EndpointSlice labelled kubernetes.io/service-name with its name' });
      }
    } else {
      const selected = local.filter((t) => selectorMatches({ matchLabels: selector }, t.labels));
      if (selected.length === 0) refFindings.push({ file: e.file, pointer: '/spec/selector', message: `selects no pod template in namespace "${ns}"` });
      else {
        (o.spec.ports ?? []).forEach((p: Json, i: number) => {
          const target = p.targetPort ?? p.port;
          if (!portMatches(target, selected)) refFindings.push({ file: e.file, pointer: `/spec/ports/${i}/targetPort`, message: `targets port ${JSON.stringify(target)}, which no selected container declares` });
        });
      }
    }
  }
  // A NetworkPolicy in a namespace declared external selects pods the tree does not hold (the install's).
  if (o.kind === 'NetworkPolicy' && !externalRefs(e).has(`Namespace/${ns}`)) {
    if (!local.some((t) => selectorMatches(o.spec?.podSelector ?? {}, t.labels))) {
      refFindings.push({ file: e.file, pointer: '/spec/podSelector', message: `selects no pod in namespace "${ns}"` });
    }
  }
  if (!t) return refFindings;
  const claims = new Set<string>((o.spec?.volumeClaimTemplates ?? []).map((c: Json) => c.metadata?.name));
  const external = externalRefs(e);
  for (const ref of podRefs(t, claims)) {
    if (exists.has(`${e.cluster}`, `${ref.kind}`, `${ns}`, `${ref.name}`) || external.has(`${ref.kind}/${ref.name}`)) continue;
    refFindings.push({ file: e.file, pointer: ref.pointer, message: `${ref.kind} "${ref.name}" is not in the output nor declared external (${EXTERNAL_REFS_ANNOTATION}: ${ref.kind}/${ref.name})` });
  }
  return refFindings;
}

/** Namespaces every cluster has (Kubernetes' own). */
const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(KUBERNETES_NAMESPACES);

/** The namespace an object creates, and on which cluster (for namespaceFinding). */
function createdNamespace(e: Entry): readonly [cluster: string, namespace: string] | undefined {
  // A Namespace object, or an Application (in the cluster's argocd folder) whose namespace Argo CD creates.
  const name = namespaceCreatedBy(e);
  if (!name) return undefined;
  // An Application in the bootstrap (applicationset mode) names its target cluster by label.
  const cluster = (e.object.kind === 'Application' ? e.object.metadata.labels?.['edgewatt.io/cluster'] : undefined) ?? e.cluster;
  return [cluster, name];
}

/**
 * The finding of an object whose namespace its cluster's tree does not create (`created`: all of them): Argo CD cannot
 * sync it ("namespaces not found"). Checked for clusters whose tree creates Namespaces; Argo CD objects (they live in
 * Argo CD's own cluster) are left out, and so are objects that declare their namespace external
 * (`edgewatt.io/external-refs: Namespace/<name>`, e.g. the existing Prometheus install's namespace in
 * prometheus-operator mode).
 */
function namespaceFinding(e: Entry, created: ReadonlyMap<string, ReadonlySet<string>>): Finding | undefined {
  const ns = e.object.metadata.namespace;
  const mine = created.get(e.cluster);
  if (!ns || !mine || mine.has(ns) || SYSTEM_NAMESPACES.has(ns) || e.object.apiVersion.startsWith('argoproj.io/') || externalRefs(e).has(`Namespace/${ns}`)) return undefined;
  if (e.object.metadata.annotations?.[NAMESPACE_FROM_ANNOTATION]) return undefined;
  return {
    file: e.file,
    pointer: '/metadata/namespace',
    message: `namespace "${ns}" is not created on cluster "${e.cluster}" (no Namespace object in its tree), so Argo CD cannot sync this object there: create it, or declare it external (${EXTERNAL_REFS_ANNOTATION}: Namespace/${ns})`,
  };
}
