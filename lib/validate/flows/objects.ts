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

/** The objects of one cluster, indexed by kind, with the lookups the flow checks need. */
export class ClusterObjects {
  private readonly byKind = new Map<string, Entry[]>();
  /**
   * kind → name → the objects of that kind and name, in entry order (a lookup, not a scan of the kind). Built
   * for a kind when it is first looked up: the flows look up a few kinds, and a fleet's 100,000 device objects
   * are never indexed by name.
   */
  private readonly byName = new Map<string, Map<string, Entry[]>>();
  /** Pod templates of the cluster's workloads. */
  public readonly pods: PodTemplate[] = [];
  /** Namespace name → its labels, with the automatic `kubernetes.io/metadata.name`. */
  private readonly namespaces = new Map<string, Record<string, string>>();

  constructor(public readonly cluster: string, entries: ReadonlyArray<Entry>) {
    for (const e of entries) {
      const kind = e.object.kind;
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
        this.pods.push({
          entry: e,
          namespace: e.object.metadata.namespace ?? 'default',
          labels: t.metadata?.labels ?? {},
          serviceAccount: t.spec?.serviceAccountName ?? 'default',
          containers: t.spec?.containers ?? [],
        });
      }
    }
  }

  /** Every object of `kind`. */
  kind(kind: string): ReadonlyArray<Entry> {
    return this.byKind.get(kind) ?? [];
  }

  /** Every object of `kind` named `name`, in entry order. */
  named(kind: string, name: string): ReadonlyArray<Entry> {
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

  /**
   * Labels of a namespace: those of its Namespace object, or, when the tree does not create it, only the
   * automatic `kubernetes.io/metadata.name` the API server sets on every namespace.
   */
  namespaceLabels(name: string): Record<string, string> {
    return this.namespaces.get(name) ?? { 'kubernetes.io/metadata.name': name };
  }
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
