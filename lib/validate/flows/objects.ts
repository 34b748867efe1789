import { digestBase64 } from '../../core/hash';
import { objectDigest } from '../../core/object-digest';
import { perSegment } from '../segments';
import { Entry } from '../types';

/** A pod template of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job), with where it is written. */
export interface PodTemplate {
  readonly entry: Entry;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly containers: ReadonlyArray<Container>;
}

/** The parts of a container the gate reads. */
export interface Container {
  readonly name: string;
  readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort: number; readonly protocol?: string }>;
  readonly env?: ReadonlyArray<{ readonly name: string; readonly value?: string }>;
  readonly args?: ReadonlyArray<string>;
  readonly command?: ReadonlyArray<string>;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/**
 * What a cluster's lookups are asked for, while recordReads runs: each ClusterObjects asked, with a token per part it
 * gave (`kind <kind>` for the objects of a kind, and for the lookups by name and the namespaces built from them;
 * `pods` for the pod templates, whose order mixes the workload kinds).
 */
let recording: Map<ClusterObjects, Set<string>> | undefined;

/** The token of the pod templates (ClusterObjects.pods). */
const PODS = 'pods';
/** The token of the namespaces the cluster's objects are in (ClusterObjects.holdsObjectsIn). */
const IN_USE = 'namespaces in use';
const kindToken = (kind: string): string => `kind ${kind}`;

/**
 * Runs `f` (one flow's checks), recording what it asks of every cluster (see `recording`): the parts of each cluster
 * its verdict can depend on, since the checks see the objects only through these lookups.
 */
export function recordReads<T>(f: () => T): { readonly value: T; readonly reads: ReadonlyMap<ClusterObjects, ReadonlySet<string>> } {
  const outer = recording;
  const reads = (recording = new Map());
  try {
    return { value: f(), reads };
  } finally {
    recording = outer;
  }
}

/** Whether two lists hold, one for one, the same object under the same file name. */
export function sameEntries(a: ReadonlyArray<Entry>, b: ReadonlyArray<Entry>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].object !== b[i].object || a[i].file !== b[i].file) return false;
  return true;
}

/** The objects of one cluster, indexed by kind, with the lookups the flow checks need. */
export class ClusterObjects {
  private readonly byKind = new Map<string, Entry[]>();
  /**
   * kind → name → the objects of that kind and name, in entry order (a lookup, not a scan of the kind). Built
   * for a kind when it is first looked up: the flows look up a few kinds, and a fleet's 100,000 device objects
   * are never indexed by name.
   */
  private readonly byName = new Map<string, Map<string, Entry[]>>();
  /** Pod templates of the cluster's workloads, in entry order. */
  private readonly templates: PodTemplate[] = [];
  /** Namespace name → its labels, with the automatic `kubernetes.io/metadata.name`. */
  private readonly namespaces = new Map<string, Record<string, string>>();
  /** The namespaces some object of the cluster is in. */
  private readonly inUse = new Set<string>();
  /** partDigest by token. */
  private readonly digests = new Map<string, string>();

  constructor(public readonly cluster: string, entries: ReadonlyArray<Entry>) {
    for (const e of entries) {
      const kind = e.object.kind;
      const ns = e.object.metadata?.namespace;
      if (ns !== undefined) this.inUse.add(ns);
      const list = this.byKind.get(kind);
      if (list) list.push(e);
      else this.byKind.set(kind, [e]);
      if (e.object.kind === 'Namespace') {
        this.namespaces.set(e.object.metadata.name, { ...(e.object.metadata.labels ?? {}), 'kubernetes.io/metadata.name': e.object.metadata.name });
      }
      if (WORKLOAD_KINDS.has(e.object.kind)) {
        const spec = (e.object as { spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: { serviceAccountName?: string; containers?: Container[] } } } }).spec;
        const t = spec?.template;
        if (!t) continue;
        this.templates.push({
          entry: e,
          namespace: e.object.metadata.namespace ?? 'default',
          labels: t.metadata?.labels ?? {},
          serviceAccount: t.spec?.serviceAccountName ?? 'default',
          containers: t.spec?.containers ?? [],
        });
      }
    }
  }

  /**
   * The objects of cluster `cluster` given as consecutive lists (lib/validate/segments.ts): each list indexed once
   * (listIndex, kept with a synth's unchanged folder) and the indexes joined in order, which gives what one index of
   * every entry gives. At 100,000 devices the hub's ~101,000 objects were indexed again in every re-synth (~80 ms).
   */
  static of(cluster: string, lists: ReadonlyArray<ReadonlyArray<Entry>>): ClusterObjects {
    if (lists.length === 1) return new ClusterObjects(cluster, lists[0]);
    const all = new ClusterObjects(cluster, []);
    for (const list of lists) {
      const part = listIndex(list);
      for (const [kind, es] of part.byKind) {
        const mine = all.byKind.get(kind);
        if (mine) for (let i = 0; i < es.length; i++) mine.push(es[i]);
        else all.byKind.set(kind, es.slice());
      }
      for (const t of part.templates) all.templates.push(t);
      for (const [name, labels] of part.namespaces) all.namespaces.set(name, labels);
      for (const ns of part.inUse) all.inUse.add(ns);
    }
    return all;
  }

  /** Pod templates of the cluster's workloads, in entry order. */
  get pods(): ReadonlyArray<PodTemplate> {
    this.note(PODS);
    return this.templates;
  }

  /** Every object of `kind`. */
  kind(kind: string): ReadonlyArray<Entry> {
    this.note(kindToken(kind));
    return this.byKind.get(kind) ?? [];
  }

  /**
   * Whether `other` gives the same for a part `token` of this cluster that recordReads recorded: the same objects under
   * the same files, in the same order (frozen objects, so the same content).
   */
  sameAs(other: ClusterObjects, token: string): boolean {
    if (token === PODS) return sameEntries(this.templates.map((t) => t.entry), other.templates.map((t) => t.entry));
    if (token === IN_USE) return this.inUse.size === other.inUse.size && [...this.inUse].every((n) => other.inUse.has(n));
    const kind = token.slice(kindToken('').length);
    return sameEntries(this.byKind.get(kind) ?? [], other.byKind.get(kind) ?? []);
  }

  /**
   * A digest of part `token` (as recordReads records it) of this cluster: of the files and the content digests
   * (objectDigest) of its objects in order, or of the namespaces in use; two clusters give one digest for a part when
   * sameAs would find it the same with their objects' content in place of their identity (lib/validate/flows/store.ts).
   */
  partDigest(token: string): string {
    let d = this.digests.get(token);
    if (d !== undefined) return d;
    // As JSON, so that no two different lists give one text (a name with a line break in it, a number for a string).
    const listed = (es: ReadonlyArray<Entry>) => JSON.stringify(es.map((e) => [e.file, objectDigest(e.object)]));
    let text: string;
    if (token === PODS) text = `pods\n${listed(this.templates.map((t) => t.entry))}`;
    else if (token === IN_USE) text = `in use\n${JSON.stringify([...this.inUse].sort())}`;
    else text = `${token}\n${listed(this.byKind.get(token.slice(kindToken('').length)) ?? [])}`;
    d = digestBase64('sha256', text);
    this.digests.set(token, d);
    return d;
  }

  private note(token: string): void {
    if (recording === undefined) return;
    let tokens = recording.get(this);
    if (!tokens) recording.set(this, (tokens = new Set()));
    tokens.add(token);
  }

  /** Every object of `kind` named `name`, in entry order. */
  named(kind: string, name: string): ReadonlyArray<Entry> {
    this.note(kindToken(kind)); // every time: the index below is built at the first lookup only
    let names = this.byName.get(kind);
    if (!names) {
      names = new Map();
      for (const e of this.kind(kind)) {
        // Keyed as the name reads in a string (`${name}`), as a `${kind}\0${name}` text key would be.
        const n = `${e.object.metadata?.name}`;
        const same = names.get(n);
        if (same) same.push(e);
        else names.set(n, [e]);
      }
      this.byName.set(kind, names);
    }
    return names.get(`${name}`) ?? [];
  }

  /** The object of `kind` named `name` in `namespace` (undefined namespace: cluster-scoped or any). */
  find(kind: string, name: string, namespace?: string): Entry | undefined {
    return this.named(kind, name).find((e) => e.object.metadata.name === name && (namespace === undefined || (e.object.metadata.namespace ?? 'default') === namespace));
  }

  /** Whether some object of the cluster is in namespace `name` (so the namespace exists wherever those objects apply). */
  holdsObjectsIn(name: string): boolean {
    this.note(IN_USE);
    return this.inUse.has(name);
  }

  /**
   * Labels of a namespace: those of its Namespace object, or, when the tree does not create it, only the
   * automatic `kubernetes.io/metadata.name` the API server sets on every namespace.
   */
  namespaceLabels(name: string): Record<string, string> {
    this.note(kindToken('Namespace'));
    return this.namespaces.get(name) ?? { 'kubernetes.io/metadata.name': name };
  }
}

/** One list's index (its cluster's name is not read from it), kept with a synth's unchanged folder. */
const listIndex = perSegment((list) => new ClusterObjects('', list));

/** The cluster all of a list's entries are of, if they are of one (kept with a synth's unchanged folder). */
const clusterOfList = perSegment((list): string | undefined => (list.length > 0 && list.every((e) => e.cluster === list[0].cluster) ? list[0].cluster : undefined));

/**
 * The entries of each cluster as consecutive lists, in order: a list whose entries are all of one cluster as it is
 * (a synth's folder, which is), any other split by cluster.
 */
export function listsByCluster(segments: ReadonlyArray<ReadonlyArray<Entry>>): Map<string, Array<ReadonlyArray<Entry>>> {
  const out = new Map<string, Array<ReadonlyArray<Entry>>>();
  const add = (cluster: string, list: ReadonlyArray<Entry>) => {
    const lists = out.get(cluster);
    if (lists) lists.push(list);
    else out.set(cluster, [list]);
  };
  for (const list of segments) {
    if (list.length === 0) continue;
    const one = clusterOfList(list);
    if (one !== undefined) add(one, list);
    else for (const [cluster, part] of groupByCluster(list)) add(cluster, part);
  }
  return out;
}

/** The entries of each cluster (the first folder under the output root), in entry order. */
export function groupByCluster(entries: ReadonlyArray<Entry>): Map<string, Entry[]> {
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    const list = groups.get(e.cluster);
    if (list) list.push(e);
    else groups.set(e.cluster, [e]);
  }
  return groups;
}

/** The entries grouped by cluster, each cluster's objects indexed. */
export function byCluster(entries: ReadonlyArray<Entry>): Map<string, ClusterObjects> {
  return new Map([...groupByCluster(entries)].map(([c, list]) => [c, new ClusterObjects(c, list)]));
}

/** `Kind/name` of an entry's object, for messages. */
export function objectName(e: Entry): string {
  return `${e.object.kind}/${e.object.metadata.name}`;
}
