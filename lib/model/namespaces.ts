import { ProblemList } from '../core/errors';
import { addNew, KUBERNETES_NAMESPACES } from '../core/names';
import { VERSIONS } from '../core/versions';
import { StackSpec } from '../spec/stack';
import { ComponentName, NamespaceModel } from './types';

/** Why the power exporter's namespace is privileged; shown in the policy report. */
export const KEPLER_EXCEPTION_REASON =
  'Kepler reads hardware energy counters (RAPL, hwmon) and per-process CPU time through eBPF: it needs a privileged container, hostPID and read-only host mounts of /proc, /sys and kernel modules';

/** A use with `imports` is needed only to exist (importFor): dropped where another use declares the namespace. */
interface Use extends NamespaceModel {
  readonly cluster: string;
  readonly path: string;
}

/** Kubernetes' own namespaces: edgewatt labels and (through Argo CD) prunes the namespaces it creates, so never these. */
export { KUBERNETES_NAMESPACES };

/**
 * Collects the namespaces each component uses per cluster and reports conflicting uses: a privileged namespace
 * shared, a namespace edgewatt would create that is reserved (see reserve), and an IoMT pipeline's namespace shared
 * with another component (its Services, Deployments and NetworkPolicies are named after its things).
 */
export class NamespacePlan {
  private readonly uses: Use[] = [];
  /** Reserved namespace names, each with whose it is, on one cluster (`cluster/name`) or on every one (`/name`). */
  private readonly reserved = new Map<string, string>();

  /** Records that `component` uses `name` on `cluster`, declared at field `path`. */
  public use(cluster: string, name: string, component: ComponentName, path: string, exceptionReason?: string): void {
    this.uses.push({
      cluster,
      name,
      component,
      path,
      podSecurity: exceptionReason ? 'privileged' : 'restricted',
      exceptionReason,
    });
  }

  /**
   * Records that `name` must exist on `cluster` without `component` putting anything there: Multi-Cluster Services
   * import a Service only into clusters where its namespace exists (kubernetes/enhancements
   * keps/sig-multicluster/1645-multi-cluster-services-api/README.md, "Importing Services": "A multi-cluster service
   * will be imported only by clusters in which the service's namespace exists"; creating it is left to others), so
   * a consumer's cluster needs the exported Service's namespace for its `…svc.clusterset.local` name to resolve.
   * Another use of the namespace on that cluster (its own component's, the power exporter's privileged one, an
   * external install's) wins, and a reserved name is taken to exist (Kubernetes' own; an operator's, which its
   * Application creates) or is reported at the use that declares it; else it is created `restricted`, holding
   * nothing, with `service` named in its annotation.
   */
  public importFor(cluster: string, name: string, component: ComponentName, path: string, service: string): void {
    this.uses.push({ cluster, name, component, path, podSecurity: 'restricted', imports: [service] });
  }

  /** Records that `component` puts objects into `name` on `cluster`, a namespace managed outside the stack. */
  public useExternal(cluster: string, name: string, component: ComponentName, path: string): void {
    this.uses.push({ cluster, name, component, path, podSecurity: 'restricted', external: true });
  }

  /**
   * Reserves `name` for `owner` (in words, e.g. "Argo CD's namespace (gitops.argocdNamespace)") on `cluster`, or on
   * every cluster when it is undefined: a namespace edgewatt would create (not one it only puts objects into, see
   * useExternal) with that name is a problem at its field.
   */
  public reserve(cluster: string | undefined, name: string, owner: string): void {
    const key = `${cluster ?? ''}/${name}`;
    if (!this.reserved.has(key)) this.reserved.set(key, owner);
  }

  /** The clusters some component uses so far, sorted. */
  public clusters(): string[] {
    return [...new Set(this.uses.map((u) => u.cluster))].sort();
  }

  /** The namespaces of each cluster, sorted; a privileged namespace shared with anything else is a problem. */
  public resolve(problems: ProblemList): Map<string, NamespaceModel[]> {
    const byKey = new Map<string, Use[]>();
    for (const u of this.uses) {
      // A namespace needed only to exist, under a reserved name: it exists already (Kubernetes', or created with its
      // operator's Application), or a use that declares it reports the name; never created, never a problem here.
      if (u.imports && (this.reserved.has(`${u.cluster}/${u.name}`) || this.reserved.has(`/${u.name}`))) continue;
      const key = `${u.cluster}/${u.name}`;
      const list = byKey.get(key);
      if (list) list.push(u);
      else byKey.set(key, [u]);
    }
    const out = new Map<string, NamespaceModel[]>();
    const reported = new Set<string>();
    for (const [, all] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const declared = all.filter((u) => !u.imports);
      const uses = declared.length > 0 ? declared : all;
      const privileged = uses.find((u) => u.exceptionReason);
      const others = uses.filter((u) => u !== privileged);
      if (privileged && others.length > 0) {
        problems.add(
          privileged.path,
          `namespace "${privileged.name}" on cluster "${privileged.cluster}" is privileged for the power exporter and must hold nothing else, but ${others[0].path} uses it too: choose another namespace`,
        );
      }
      for (const u of uses) {
        if (u.external) continue;
        const here = this.reserved.get(`${u.cluster}/${u.name}`);
        const owner = here ?? this.reserved.get(`/${u.name}`);
        if (owner === undefined) continue;
        // A field used on every cluster (the power exporter's namespace) is named once for a name reserved everywhere.
        if (here === undefined && !addNew(reported, `${u.path}\0${u.name}`)) continue;
        const where = here !== undefined ? ` on cluster "${u.cluster}"` : '';
        problems.add(u.path, `namespace "${u.name}"${where} is ${owner}; edgewatt creates, labels (Pod Security) and prunes the namespaces it declares: choose another namespace`);
      }
      const pipeline = privileged === undefined ? uses.find((u) => u.component === 'iomt') : undefined;
      const other = pipeline && uses.find((u) => u.component !== 'iomt');
      if (pipeline && other) {
        problems.add(
          pipeline.path,
          `namespace "${pipeline.name}" on cluster "${pipeline.cluster}" is also the ${other.component} component's (${other.path}): a pipeline's Services, Deployments and NetworkPolicies are named after its things and would mix with that component's objects; choose another namespace (@default iomt-<pipeline name>)`,
        );
      }
      const external = uses.find((u) => u.external);
      if (privileged && external) {
        problems.add(
          privileged.path,
          `namespace "${privileged.name}" on cluster "${privileged.cluster}" is the existing Prometheus install's (${external.path}), which edgewatt does not label privileged for the power exporter: choose another namespace`,
        );
      }
      const first = privileged ?? external ?? uses[0];
      const ns: NamespaceModel = {
        name: first.name,
        component: first.component,
        podSecurity: first.podSecurity,
        ...(first.exceptionReason ? { exceptionReason: first.exceptionReason } : {}),
        ...(external ? { external: true } : {}),
        ...(declared.length === 0 ? { imports: [...new Set(all.flatMap((u) => u.imports ?? []))].sort() } : {}),
      };
      const list = out.get(first.cluster);
      if (list) list.push(ns);
      else out.set(first.cluster, [ns]);
    }
    return out;
  }
}

/**
 * Namespaces no component may declare: Kubernetes' own, Argo CD's, and on the fleet's cluster the Flotta operator's
 * and cert-manager's (Argo CD creates them for their Applications, `CreateNamespace=true`, or an install has them).
 */
export function reserveNamespaces(spec: StackSpec, ns: NamespacePlan, fleetCluster: string | undefined): void {
  for (const n of KUBERNETES_NAMESPACES) ns.reserve(undefined, n, "one of Kubernetes' own namespaces");
  if (spec.gitops) ns.reserve(undefined, spec.gitops.argocdNamespace, "Argo CD's namespace (gitops.argocdNamespace)");
  if (spec.fleet && fleetCluster !== undefined) {
    ns.reserve(fleetCluster, VERSIONS.flottaOperator.namespace, "the Flotta operator's namespace");
    ns.reserve(fleetCluster, spec.fleet.certManager.namespace, "cert-manager's namespace (fleet.certManager.namespace)");
  }
}
