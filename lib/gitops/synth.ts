import { StackModel } from '../model/types';
import { apiGroupOf, CLUSTER_SCOPED_KINDS, KubeObject, Manifest } from '../core/kube-object';
import { HEALTH_CHECK_PATCH_FILE, healthCheckPatch } from './health-check';
import { RESOURCE_EXCLUSIONS_PATCH_FILE } from '../core/argocd-exclusions';
import { resourceExclusionsPatch } from './resource-exclusions';
import { appProject, applicationSet, bootstrapProject, DeployFolder, folderApplication, rootApplication, upstreamApplications } from './argocd';

/** Cluster-scoped kinds the upstream operators install (CRDs, webhooks, RBAC, their namespace). */
const UPSTREAM_CLUSTER_KINDS = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: '', kind: 'Namespace' },
];

/** The folders of the output, each deployed by one Application: one per (cluster, component or shard). */
export function deployFolders(manifests: ReadonlyArray<Manifest>): DeployFolder[] {
  const seen = new Map<string, DeployFolder>();
  for (const m of manifests) if (m.objects.length > 0) seen.set(`${m.cluster}/${m.component}`, { cluster: m.cluster, folder: m.component });
  return [...seen.values()].sort((a, b) => (`${a.cluster}/${a.folder}` < `${b.cluster}/${b.folder}` ? -1 : 1));
}

/** The Argo CD objects: per cluster (dist/<cluster>/argocd/) and the bootstrap (argocd/). */
export interface GitopsObjects {
  readonly perCluster: ReadonlyArray<{ cluster: string; object: KubeObject }>;
  readonly bootstrap: ReadonlyArray<KubeObject>;
  /** Files of the bootstrap folder that are not objects to apply (the argocd-cm health check patch). @default - none */
  readonly bootstrapFiles?: ReadonlyArray<{ path: string; text: string }>;
}

/**
 * What Argo CD needs to take a new cluster from empty to running with one bootstrap apply: the AppProject
 * and a root Application per cluster (app-of-apps over dist/<cluster>/argocd/, which holds one Application
 * per folder and the upstream components), or, in applicationset mode, one ApplicationSet.
 */
export function gitopsObjects(model: StackModel, manifests: ReadonlyArray<Manifest>): GitopsObjects {
  if (!model.gitops) return { perCluster: [], bootstrap: [] };
  const folders = deployFolders(manifests);
  const upstream = upstreamApplications(model);
  const { kinds, slicesOn } = scanObjects(manifests);
  const exclusions = exclusionsPatchFile(model, slicesOn);
  if (upstream.length > 0) for (const k of UPSTREAM_CLUSTER_KINDS) kinds.set(`${k.group}/${k.kind}`, k);
  const project = appProject(model, [...kinds.values()]);
  if (model.gitops.mode === 'applicationset') {
    return { perCluster: [], bootstrap: [project, applicationSet(model), ...upstream.map((u) => u.app)], bootstrapFiles: exclusions };
  }
  const perCluster = [
    ...folders.map((f) => ({ cluster: f.cluster, object: folderApplication(model, f) })),
    ...upstream.map((u) => ({ cluster: u.cluster, object: u.app })),
  ];
  const clusters = [...new Set(perCluster.map((p) => p.cluster))].sort();
  const bootstrapFiles = [...(model.gitops.applicationHealthCheck ? [{ path: HEALTH_CHECK_PATCH_FILE, text: healthCheckPatch(model.name, model.gitops.argocdNamespace) }] : []), ...exclusions];
  return { perCluster, bootstrap: [project, bootstrapProject(model), ...clusters.map((c) => rootApplication(model, c))], bootstrapFiles };
}

/**
 * The cluster-scoped kinds of the manifests' objects (by `<group>/<kind>`), and the clusters whose folders hold
 * EndpointSlices (Services of IoMT things on fleet devices). A function of its own: the loop over every object is the
 * only hot part of gitopsObjects, and V8 then optimizes this small loop alone instead of all of gitopsObjects with
 * what it calls (61 and 144 ms of compiling in the second synth of two 10,000-device processes, and 99 ms again in the
 * fifth of one; session 36's `--trace-opt`, docs/performance-history.md).
 */
function scanObjects(manifests: ReadonlyArray<Manifest>): { kinds: Map<string, { group: string; kind: string }>; slicesOn: Set<string> } {
  const kinds = new Map<string, { group: string; kind: string }>();
  const slicesOn = new Set<string>();
  for (const m of manifests) {
    for (const o of m.objects) {
      if (o.kind === 'EndpointSlice') slicesOn.add(m.cluster);
      if (!CLUSTER_SCOPED_KINDS.has(o.kind)) continue;
      const group = apiGroupOf(o.apiVersion);
      kinds.set(`${group}/${o.kind}`, { group, kind: o.kind });
    }
  }
  return { kinds, slicesOn };
}

/**
 * The argocd-cm patch of `resource.exclusions` when clusters hold EndpointSlices, which Argo CD v3 excludes by
 * default (lib/core/argocd-exclusions.ts): without it, Argo CD would never apply them.
 */
function exclusionsPatchFile(model: StackModel, slicesOn: ReadonlySet<string>): Array<{ path: string; text: string }> {
  if (slicesOn.size === 0) return [];
  const servers = (inSet: boolean) => model.clusters.filter((c) => slicesOn.has(c.name) === inSet).map((c) => c.server);
  const syncOn = servers(true);
  const others = servers(false).filter((s) => !syncOn.includes(s));
  return [{ path: RESOURCE_EXCLUSIONS_PATCH_FILE, text: resourceExclusionsPatch(model.name, model.gitops!.argocdNamespace, syncOn, others) }];
}
