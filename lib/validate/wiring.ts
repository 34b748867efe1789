import { KUBERNETES_NAMESPACES } from '../core/names';
import { EXTERNAL_REFS_ANNOTATION, NAMESPACE_FROM_ANNOTATION } from '../core/policy';
import { namespaceCreatedBy } from './created-namespaces';
import { containersOf, Json, namespaceOf, podTemplate, PodTemplate, selectorMatches } from './pods';
import { ObjectKeyMap } from './object-keys';
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

/** What checkWiring's one pass over every object collects (indexEntry). */
interface WiringIndex {
  /** Findings of the pass itself (an object defined twice). */
  readonly out: Finding[];
  /** cluster, kind, namespace ('' when none), name -> file */
  readonly seen: ObjectKeyMap<string>;
  /** cluster/namespace -> pod templates */
  readonly templates: Map<string, PodTemplate[]>;
  /** cluster, kind (a RefKind), namespace (default when none), name */
  readonly exists: ObjectKeyMap<true>;
  /** cluster/namespace/service */
  readonly slices: Set<string>;
  /** cluster -> namespaces its tree creates */
  readonly created: Map<string, Set<string>>;
  /** Services, NetworkPolicies and pod templates: looked at again once every cluster's objects are known. */
  readonly later: Array<{ readonly i: number; readonly t: PodTemplate | undefined }>;
  readonly namespaced: NamespaceIndex;
}

/**
 * checkWiring's pass over one object (entry `i`). A function of its own: checkWiring runs once a synth, so V8
 * optimizes its loop by on-stack replacement and then checkWiring whole again in the next synth; this small function
 * is optimized once, and checkWiring's own compiling stays small (session 36, docs/performance-history.md).
 */
function indexEntry(e: Entry, i: number, x: WiringIndex): void {
  // The parts of objectKey's `kind/namespace/name` (and of the `kind/namespace/name` the references name), as text.
  const cluster = `${e.cluster}`;
  const kind = `${e.object.kind}`;
  const name = `${e.object.metadata.name}`;
  const namespace = e.object.metadata.namespace;
  const other = x.seen.setIfAbsent(cluster, kind, `${namespace ?? ''}`, name, e.file);
  if (other !== undefined) x.out.push({ file: e.file, pointer: '/metadata/name', message: `${e.object.kind} "${e.object.metadata.name}" is also defined in ${other}` });
  // Only what a reference can name is looked up (at 100,000 devices, the registration requests are not).
  if (REF_KINDS.has(kind)) x.exists.set(cluster, kind, `${namespaceOf(e.object)}`, name, true);
  const t = podTemplate(e);
  if (t) {
    const key = `${e.cluster}/${t.namespace}`;
    const list = x.templates.get(key);
    if (list) list.push(t);
    else x.templates.set(key, [t]);
  }
  if (t || kind === 'Service' || kind === 'NetworkPolicy') x.later.push({ i, t });
  if (kind === 'EndpointSlice' || kind === 'Endpoints') {
    const svc = kind === 'Endpoints' ? e.object.metadata.name : e.object.metadata.labels?.['kubernetes.io/service-name'];
    if (svc) x.slices.add(`${e.cluster}/${namespaceOf(e.object)}/${svc}`);
  }
  addCreatedNamespace(e, x.created);
  if (namespace && !SYSTEM_NAMESPACES.has(namespace)) x.namespaced.add(e.cluster, namespace, i);
}

/**
 * Wiring: no two objects share kind, namespace and name in a cluster; every Service selects a pod template
 * and targets a port it declares (a Service without a selector needs an EndpointSlice); every object a pod
 * refers to exists or is declared external; every NetworkPolicy selects a pod (unless its namespace is declared external); in a cluster whose tree creates
 * Namespaces, every namespaced object's namespace is one of them (or one every cluster has).
 */
export function checkWiring(entries: ReadonlyArray<Entry>): Finding[] {
  const index: WiringIndex = {
    out: [],
    seen: new ObjectKeyMap<string>(),
    templates: new Map<string, PodTemplate[]>(),
    exists: new ObjectKeyMap<true>(),
    slices: new Set<string>(),
    created: new Map<string, Set<string>>(),
    later: [],
    namespaced: new NamespaceIndex(),
  };
  // One pass reads every object; what needs the whole cluster known first is kept as indexes, so only those objects
  // are read again (at 100,000 devices a second pass over every object cost about half the gate: each object is
  // read from memory anew).
  for (let i = 0; i < entries.length; i++) indexEntry(entries[i], i, index);
  const { out, templates, exists, slices, created, later, namespaced } = index;
  // The namespace findings come before the reference findings, each in the objects' order.
  const namespaceFindings: Finding[] = [];
  for (const i of namespaced.outside(created)) {
    const nf = namespaceFinding(entries[i], created);
    if (nf) namespaceFindings.push(nf);
  }
  const refFindings: Finding[] = [];
  for (const { i, t } of later) {
    const e = entries[i];
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
    if (!t) continue;
    const claims = new Set<string>((o.spec?.volumeClaimTemplates ?? []).map((c: Json) => c.metadata?.name));
    const external = externalRefs(e);
    for (const ref of podRefs(t, claims)) {
      if (exists.has(`${e.cluster}`, `${ref.kind}`, `${ns}`, `${ref.name}`) || external.has(`${ref.kind}/${ref.name}`)) continue;
      refFindings.push({ file: e.file, pointer: ref.pointer, message: `${ref.kind} "${ref.name}" is not in the output nor declared external (${EXTERNAL_REFS_ANNOTATION}: ${ref.kind}/${ref.name})` });
    }
  }
  out.push(...namespaceFindings, ...refFindings);
  return out;
}

/**
 * The indexes of the objects in each cluster and namespace (system namespaces left out), so the objects whose
 * namespace their cluster's tree does not create are found without reading every object again. Consecutive objects
 * mostly share both (a folder's), so the last list is kept at hand.
 */
class NamespaceIndex {
  private readonly byCluster = new Map<string, Map<string, number[]>>();
  private lastCluster: string | undefined;
  private lastNamespace: string | undefined;
  private last: number[] = [];

  public add(cluster: string, namespace: string, i: number): void {
    if (cluster !== this.lastCluster || namespace !== this.lastNamespace) {
      let namespaces = this.byCluster.get(cluster);
      if (!namespaces) this.byCluster.set(cluster, (namespaces = new Map()));
      let list = namespaces.get(namespace);
      if (!list) namespaces.set(namespace, (list = []));
      this.last = list;
      this.lastCluster = cluster;
      this.lastNamespace = namespace;
    }
    this.last.push(i);
  }

  /**
   * The indexes, ascending, of the objects in a cluster whose tree creates namespaces (`created`) but not theirs:
   * the only ones namespaceFinding can find something in.
   */
  public outside(created: ReadonlyMap<string, ReadonlySet<string>>): number[] {
    const out: number[] = [];
    for (const [cluster, namespaces] of this.byCluster) {
      const mine = created.get(cluster);
      if (!mine) continue;
      for (const [namespace, list] of namespaces) {
        if (!mine.has(namespace)) for (const i of list) out.push(i);
      }
    }
    return out.sort((a, b) => a - b);
  }
}

/** Namespaces every cluster has (Kubernetes' own). */
const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(KUBERNETES_NAMESPACES);

/**
 * Objects whose namespace the tree never creates: Argo CD cannot sync them ("namespaces not found"). Checked
 * for clusters whose tree creates Namespaces; Argo CD objects (they live in Argo CD's own cluster) are left out,
 * and so are objects that declare their namespace external (`edgewatt.io/external-refs: Namespace/<name>`,
 * e.g. the existing Prometheus install's namespace in prometheus-operator mode).
 */
function addCreatedNamespace(e: Entry, created: Map<string, Set<string>>): void {
  // A Namespace object, or an Application (in the cluster's argocd folder) whose namespace Argo CD creates.
  const name = namespaceCreatedBy(e);
  if (!name) return;
  // An Application in the bootstrap (applicationset mode) names its target cluster by label.
  const cluster = (e.object.kind === 'Application' ? e.object.metadata.labels?.['edgewatt.io/cluster'] : undefined) ?? e.cluster;
  const set = created.get(cluster) ?? new Set<string>();
  set.add(name);
  created.set(cluster, set);
}

/** The finding of an object whose namespace its cluster's tree does not create (`created`: all of them). */
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
