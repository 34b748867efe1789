import { StackModel } from '../model/types';
import { CLUSTER_SCOPED_KINDS, KubeObject } from '../synth/kube-object';
import { PlacedObject } from '../synth/layout';
import { appProject, applicationSet, DeployFolder, folderApplication, rootApplication, upstreamApplications } from './argocd';

/** Cluster-scoped kinds the upstream operators install (CRDs, webhooks, RBAC, their namespace). */
const UPSTREAM_CLUSTER_KINDS = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: '', kind: 'Namespace' },
];

/** The folders of the output, each deployed by one Application. */
export function deployFolders(placed: ReadonlyArray<PlacedObject>): DeployFolder[] {
  const seen = new Map<string, DeployFolder>();
  for (const p of placed) {
    const [cluster, folder] = p.path.split('/');
    seen.set(`${cluster}/${folder}`, { cluster, folder });
  }
  return [...seen.values()];
}

/** The Argo CD objects: per cluster (dist/<cluster>/argocd/) and the bootstrap (argocd/). */
export interface GitopsObjects {
  readonly perCluster: ReadonlyArray<{ cluster: string; object: KubeObject }>;
  readonly bootstrap: ReadonlyArray<KubeObject>;
}

/**
 * What Argo CD needs to take a new cluster from empty to running with one bootstrap apply: the AppProject
 * and a root Application per cluster (app-of-apps over dist/<cluster>/argocd/, which holds one Application
 * per folder and the upstream components), or, in applicationset mode, one ApplicationSet.
 */
export function gitopsObjects(model: StackModel, placed: ReadonlyArray<PlacedObject>): GitopsObjects {
  if (!model.gitops) return { perCluster: [], bootstrap: [] };
  const folders = deployFolders(placed);
  const upstream = upstreamApplications(model);
  const kinds = new Map<string, { group: string; kind: string }>();
  for (const p of placed) {
    if (!CLUSTER_SCOPED_KINDS.has(p.object.kind)) continue;
    const group = p.object.apiVersion.includes('/') ? p.object.apiVersion.split('/')[0] : '';
    kinds.set(`${group}/${p.object.kind}`, { group, kind: p.object.kind });
  }
  if (upstream.length > 0) for (const k of UPSTREAM_CLUSTER_KINDS) kinds.set(`${k.group}/${k.kind}`, k);
  const project = appProject(model, [...kinds.values()]);
  if (model.gitops.mode === 'applicationset') {
    return { perCluster: [], bootstrap: [project, applicationSet(model), ...upstream.map((u) => u.app)] };
  }
  const perCluster = [
    ...folders.map((f) => ({ cluster: f.cluster, object: folderApplication(model, f) })),
    ...upstream.map((u) => ({ cluster: u.cluster, object: u.app })),
  ];
  const clusters = [...new Set(perCluster.map((p) => p.cluster))].sort();
  return { perCluster, bootstrap: [project, ...clusters.map((c) => rootApplication(model, c))] };
}
