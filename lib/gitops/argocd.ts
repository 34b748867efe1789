import { FLOTTA_REGISTRATION_NAMESPACE } from '../fleet/registration';
import { VERSIONS } from '../core/versions';
import { stackLabels } from '../core/labels';
import { StackModel } from '../model/types';
import { KubeObject } from '../core/kube-object';
import { certManagerApplication, certManagerInstall } from './cert-manager';
import { flottaOperatorSource } from './flotta-operator';
import { RESOURCES_FINALIZER, syncPolicy as policy } from './sync';
import { KUBE_PROMETHEUS_STACK_NAMESPACE_REASON, kubePrometheusStackSource } from './kube-prometheus-stack';

/** Argo CD's API version for Application, ApplicationSet and AppProject. */
export const ARGOCD_API = 'argoproj.io/v1alpha1';
export { RESOURCES_FINALIZER };

/**
 * Sync waves: namespaces (and cert-manager, see cert-manager.ts) first, then operators and CRDs, then what
 * needs them. A wave waits for the previous one's Applications to be Healthy only with the Application health
 * check of the bootstrap (health-check.ts).
 */
export const SYNC_WAVES: Record<string, number> = { platform: 0, operators: 1, energy: 2, monitoring: 2, events: 2, fleet: 3, iomt: 4, dashboards: 5 };

/** A folder of the output that an Application deploys: `<cluster>/<folder>`, `folder` being a component or a shard. */
export interface DeployFolder {
  readonly cluster: string;
  readonly folder: string;
}

/** The component a folder holds (`fleet-003` → `fleet`). */
export function componentOf(folder: string): string {
  return folder.replace(/-\d{3}$/, '');
}

function syncPolicy(serverSideApply: boolean) {
  return policy({ serverSideApply });
}

/** The name of a folder's Application. */
export function applicationName(model: StackModel, f: DeployFolder): string {
  return `${model.name}-${f.cluster}-${f.folder}`;
}

/**
 * The destination namespace of a folder's Application: the folder's component's own namespace on the cluster, else
 * the cluster's first namespace by name. Argo CD refuses an Application whose destination namespace no
 * destination of its AppProject matches, and an empty namespace matches only `*` (argo-cd v3.5.1
 * `pkg/apis/application/v1alpha1/app_project_types.go` isDestinationMatched: `globMatch(item.Namespace,
 * dst.Namespace)`; `util/argo/argo.go` ValidatePermissions), which the project never lists: its destinations are
 * the stack's namespaces (appProject). Every object edgewatt writes names its namespace, so this one is only
 * what Argo CD shows and checks.
 */
export function destinationNamespace(cluster: StackModel['clusters'][number], component?: string): string | undefined {
  const names = (list: typeof cluster.namespaces) => list.map((n) => n.name).sort();
  // Not a namespace kept only so that Multi-Cluster Services import a Service there: it holds nothing.
  const holding = cluster.namespaces.filter((n) => !n.imports);
  return names(holding.filter((n) => n.component === component))[0] ?? names(holding)[0] ?? names(cluster.namespaces)[0];
}

/** An Application's destination on `cluster`: its server and destinationNamespace (of `component`, when given). */
export function clusterDestination(cluster: StackModel['clusters'][number], component?: string): { server: string; namespace?: string } {
  const namespace = destinationNamespace(cluster, component);
  return { server: cluster.server, ...(namespace !== undefined ? { namespace } : {}) };
}

/** One Application deploying a folder of the output to its cluster. */
export function folderApplication(model: StackModel, f: DeployFolder): KubeObject {
  const g = model.gitops!;
  const cluster = model.clusters.find((c) => c.name === f.cluster)!;
  return {
    apiVersion: ARGOCD_API,
    kind: 'Application',
    metadata: {
      name: applicationName(model, f),
      namespace: g.argocdNamespace,
      labels: { ...stackLabels(model.name), 'edgewatt.io/cluster': f.cluster, 'edgewatt.io/component': componentOf(f.folder) },
      annotations: { 'argocd.argoproj.io/sync-wave': String(SYNC_WAVES[componentOf(f.folder)] ?? 5) },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: model.name,
      source: { repoURL: g.repoURL, targetRevision: g.targetRevision, path: `${g.path}/${f.cluster}/${f.folder}`, directory: { recurse: false } },
      destination: clusterDestination(cluster, componentOf(f.folder)),
      syncPolicy: syncPolicy(true),
    },
  };
}

/** Components the stack needs but does not generate, installed from their upstream releases, pinned. */
export function upstreamApplications(model: StackModel): Array<{ cluster: string; app: KubeObject }> {
  const out: Array<{ cluster: string; app: KubeObject }> = [];
  const g = model.gitops!;
  const app = (cluster: string, name: string, source: Record<string, unknown>, namespace: string): KubeObject => ({
    apiVersion: ARGOCD_API,
    kind: 'Application',
    metadata: {
      name: `${model.name}-${cluster}-${name}`,
      namespace: g.argocdNamespace,
      labels: { ...stackLabels(model.name), 'edgewatt.io/cluster': cluster, 'edgewatt.io/component': 'operators' },
      annotations: { 'argocd.argoproj.io/sync-wave': String(SYNC_WAVES.operators) },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: model.name,
      source,
      destination: { server: model.clusters.find((c) => c.name === cluster)!.server, namespace },
      syncPolicy: policy({ serverSideApply: true, createNamespace: true }),
    },
  });
  if (model.fleet) {
    const certManager = certManagerApplication(model);
    if (certManager) out.push(certManager);
    out.push({ cluster: model.fleet.cluster, app: app(model.fleet.cluster, 'flotta-operator', flottaOperatorSource(model.fleet.edgeAPI?.host), VERSIONS.flottaOperator.namespace) });
  }
  // prometheus-operator mode: the existing install owns the Prometheus Operator and its CRDs; edgewatt adds no
  // CRDs Application (it would take ownership of CRDs the install manages). With monitoring.operator.install, a
  // kube-prometheus-stack Helm Application per cluster that runs monitoring, in the operators wave.
  for (const c of model.clusters.filter((x) => x.namespaces.length > 0)) {
    const kps = kubePrometheusStackSource(model, c.name);
    if (!kps) continue;
    const a = app(c.name, 'kube-prometheus-stack', kps.source, kps.namespace);
    const spec = a.spec as { syncPolicy: Record<string, unknown> };
    spec.syncPolicy = { ...spec.syncPolicy, managedNamespaceMetadata: { labels: { ...kps.namespaceLabels }, annotations: { 'edgewatt.io/pod-security-exception': KUBE_PROMETHEUS_STACK_NAMESPACE_REASON } } };
    out.push({ cluster: c.name, app: a });
  }
  return out;
}

/** Source repositories the project allows: the GitOps repository and the upstream releases. */
function sourceRepos(model: StackModel): string[] {
  return [...new Set([model.gitops!.repoURL, ...upstreamApplications(model).map((u) => (u.app.spec as { source: { repoURL: string } }).source.repoURL)])].sort();
}

/**
 * The AppProject: sources are the GitOps repository and the pinned upstreams; destinations are the stack's
 * clusters and namespaces only (never Argo CD's own: the root Applications are in bootstrapProject); cluster-scoped
 * kinds are those the stack emits; a read-only and a sync role.
 */
export function appProject(model: StackModel, clusterKinds: ReadonlyArray<{ group: string; kind: string }>): KubeObject {
  const g = model.gitops!;
  const destinations = model.clusters.flatMap((c) => {
    const namespaces = new Set(c.namespaces.map((n) => n.name));
    if (model.fleet?.cluster === c.name) {
      namespaces.add(VERSIONS.flottaOperator.namespace);
      // Pre-approved EdgeDeviceSignedRequests live where the Flotta edge API reads them (lib/fleet/registration.ts).
      if (model.fleet.devices.length > 0) namespaces.add(FLOTTA_REGISTRATION_NAMESPACE);
    }
    if (certManagerInstall(model)?.cluster === c.name) namespaces.add(certManagerInstall(model)!.namespace);
    // The managed kube-prometheus-stack puts the Services (and Endpoints) of its control-plane exporters into
    // kube-system (templates/exporters/{core-dns,kube-dns,kube-etcd,kube-controller-manager,…}/service.yaml, 88.5.3).
    if (kubePrometheusStackSource(model, c.name)) namespaces.add('kube-system');
    return [...namespaces].sort().map((namespace) => ({ server: c.server, namespace }));
  });
  return {
    apiVersion: ARGOCD_API,
    kind: 'AppProject',
    metadata: { name: model.name, namespace: g.argocdNamespace, labels: stackLabels(model.name), finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      description: `edgewatt stack ${model.name}`,
      sourceRepos: sourceRepos(model),
      // Not Argo CD's own namespace: a project that may deploy there is admin over Argo CD (any of its Applications could
      // write a cluster Secret, argocd-cm or an Application of another project; argo-cd v3.5.1
      // docs/operator-manual/declarative-setup.md, "Projects"). The root Applications have a project of their own.
      destinations,
      clusterResourceWhitelist: [...clusterKinds].sort((a, b) => (`${a.group}/${a.kind}` < `${b.group}/${b.kind}` ? -1 : 1)),
      roles: [
        { name: 'read-only', description: 'See the stack\'s applications', policies: [`p, proj:${model.name}:read-only, applications, get, ${model.name}/*, allow`] },
        {
          name: 'sync',
          description: 'See and sync the stack\'s applications',
          policies: [`p, proj:${model.name}:sync, applications, get, ${model.name}/*, allow`, `p, proj:${model.name}:sync, applications, sync, ${model.name}/*, allow`],
        },
      ],
    },
  };
}

/** The name of the root Applications' AppProject (bootstrapProject). */
export function bootstrapProjectName(model: StackModel): string {
  return `${model.name}-bootstrap`;
}

/**
 * The AppProject of the root Applications (app-of-apps): the GitOps repository only, Argo CD's namespace on its own
 * cluster only, and only Applications there (namespaceResourceWhitelist; no cluster-scoped kind). Argo CD checks each
 * object's own namespace and kind against the project (argo-cd v3.5.1 pkg/apis/application/v1alpha1/
 * app_project_types.go IsResourcePermitted; a project without namespaceResourceWhitelist permits every namespaced
 * kind), so a folder of `<path>/<cluster>/argocd` holding anything but Applications fails its sync.
 */
export function bootstrapProject(model: StackModel): KubeObject {
  const g = model.gitops!;
  return {
    apiVersion: ARGOCD_API,
    kind: 'AppProject',
    metadata: { name: bootstrapProjectName(model), namespace: g.argocdNamespace, labels: stackLabels(model.name), finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      description: `edgewatt stack ${model.name}: the root Applications (app-of-apps), which deploy only Applications into ${g.argocdNamespace}`,
      sourceRepos: [g.repoURL],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: g.argocdNamespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'Application' }],
    },
  };
}

/** The root app-of-apps of a cluster: it syncs `<path>/<cluster>/argocd` into Argo CD's namespace. */
export function rootApplication(model: StackModel, cluster: string): KubeObject {
  const g = model.gitops!;
  return {
    apiVersion: ARGOCD_API,
    kind: 'Application',
    metadata: { name: `${model.name}-${cluster}`, namespace: g.argocdNamespace, labels: { ...stackLabels(model.name), 'edgewatt.io/cluster': cluster }, finalizers: [RESOURCES_FINALIZER] },
    spec: {
      project: bootstrapProjectName(model),
      source: { repoURL: g.repoURL, targetRevision: g.targetRevision, path: `${g.path}/${cluster}/argocd`, directory: { recurse: false } },
      destination: { server: 'https://kubernetes.default.svc', namespace: g.argocdNamespace },
      syncPolicy: syncPolicy(false),
    },
  };
}

/**
 * A Go template (sprig's dict and get) giving each cluster's destinationNamespace from the path segment `segment`.
 * ApplicationSet Go templates get sprig's GenericFuncMap without env, expandenv and getHostByName (argo-cd
 * `applicationset/utils/utils.go`, read in a v2 copy; not checked at v3.5.1).
 */
function clusterNamespaces(model: StackModel, segment: number): string {
  const pairs = model.clusters.flatMap((c) => {
    const ns = destinationNamespace(c);
    return ns === undefined ? [] : [JSON.stringify(c.name), JSON.stringify(ns)];
  });
  return `{{ get (dict ${pairs.join(' ')}) (index .path.segments ${segment}) }}`;
}

/**
 * ApplicationSet mode: one ApplicationSet whose git directory generator makes an Application per
 * `<path>/<cluster>/<folder>`; clusters must be registered in Argo CD under their stack names. Sync waves do
 * not order Applications made by one ApplicationSet.
 */
export function applicationSet(model: StackModel): KubeObject {
  const g = model.gitops!;
  return {
    apiVersion: ARGOCD_API,
    kind: 'ApplicationSet',
    metadata: { name: model.name, namespace: g.argocdNamespace, labels: stackLabels(model.name) },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: g.repoURL, revision: g.targetRevision, directories: [{ path: `${g.path}/*/*` }, { path: `${g.path}/*/argocd`, exclude: true }] } }],
      template: {
        metadata: {
          name: `${model.name}-{{index .path.segments ${g.path.split('/').length}}}-{{.path.basename}}`,
          // The stack's labels let `edgewatt status` find the generated Applications, as in app-of-apps mode.
          labels: { ...stackLabels(model.name), 'edgewatt.io/cluster': `{{index .path.segments ${g.path.split('/').length}}}` },
          finalizers: [RESOURCES_FINALIZER],
        },
        spec: {
          project: model.name,
          source: { repoURL: g.repoURL, targetRevision: g.targetRevision, path: '{{.path.path}}' },
          // The cluster's first namespace (destinationNamespace), which its AppProject destinations list: an Application
          // without a destination namespace is refused by a project that does not allow `*`.
          destination: { name: `{{index .path.segments ${g.path.split('/').length}}}`, namespace: clusterNamespaces(model, g.path.split('/').length) },
          syncPolicy: syncPolicy(true),
        },
      },
    },
  };
}
