import { SpecError } from '../core/errors';
import { stackLabels } from '../core/labels';
import { KubeObject } from '../core/kube-object';
import { StackModel } from '../model/types';
import { ARGOCD_API, clusterDestination, RESOURCES_FINALIZER, SYNC_WAVES } from '../gitops/argocd';
import { syncPolicy } from '../gitops/sync';

/** Helm's limit on release names (helm/helm v4.1.4 `pkg/chart/v2/util/validate_name.go`, maxReleaseNameLen). */
export const HELM_RELEASE_NAME_MAX = 53;

/**
 * The sync wave of a cluster chart's Application: after the upstream operators (cert-manager, Flotta, a managed
 * kube-prometheus-stack, wave 1) whose CRDs its custom resources use. The chart holds every component of the
 * cluster, so the per-component waves of the plain tree become one sync, which Argo CD orders by kind (Namespace,
 * NetworkPolicy, …, ServiceAccount, ConfigMap, PersistentVolumeClaim, RBAC, Service, then workloads: argo-cd
 * v3.5.1 `gitops-engine/pkg/sync/sync_tasks.go`, kindOrder); custom resources of upstream CRDs carry
 * SkipDryRunOnMissingResource as in the plain tree.
 */
export const CHART_SYNC_WAVE = SYNC_WAVES.operators + 1;

/** The name of a cluster chart's Application, which is also its Helm release name. */
export function chartApplicationName(model: StackModel, cluster: string): string {
  return `${model.name}-${cluster}-chart`;
}

/**
 * The Application deploying a cluster's chart from the GitOps repository. Argo CD treats a source with a `helm`
 * block as a Helm source (argo-cd v3.5.1 `pkg/apis/application/v1alpha1/types.go`, ApplicationSource.ExplicitType)
 * and renders it with `helm template <path> --name-template <release> --namespace <destination namespace>
 * --kube-version <cluster version> --include-crds` (v3.5.1 `util/helm/cmd.go`, template; the release name is
 * `helm.releaseName`, else the Application name, and the namespace `helm.namespace`, else the destination's —
 * `reposerver/repository/repository.go`, helmTemplate). edgewatt's objects carry their namespaces; the destination
 * namespace is the cluster's first (clusterDestination), which the AppProject lists: one without a namespace is
 * refused by a project that does not allow `*`. The release name is set to the Application name explicitly, so Argo CD's
 * tracking and Helm agree (v3.5.1 `docs/user-guide/helm.md`, "Helm Release Name"). The chart's values.yaml
 * applies as is (Helm reads it itself); users override values in Git (values.yaml of a fork) or with
 * `helm.valuesObject` on this Application.
 */
export function chartApplication(model: StackModel, cluster: string, chartPath: string): KubeObject {
  const g = model.gitops!;
  const name = chartApplicationName(model, cluster);
  if (name.length > HELM_RELEASE_NAME_MAX) {
    throw new SpecError([{ path: 'name', message: `gives the Helm release name "${name}" of ${name.length} characters for cluster ${cluster}; Helm allows ${HELM_RELEASE_NAME_MAX}: shorten the stack or cluster name` }]);
  }
  return {
    apiVersion: ARGOCD_API,
    kind: 'Application',
    metadata: {
      name,
      namespace: g.argocdNamespace,
      labels: { ...stackLabels(model.name), 'edgewatt.io/cluster': cluster, 'edgewatt.io/chart': `${model.name}-${cluster}` },
      annotations: { 'argocd.argoproj.io/sync-wave': String(CHART_SYNC_WAVE) },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: model.name,
      source: { repoURL: g.repoURL, targetRevision: g.targetRevision, path: `${g.path}/${chartPath}`, helm: { releaseName: name } },
      destination: clusterDestination(model.clusters.find((c) => c.name === cluster)!),
      syncPolicy: syncPolicy({ serverSideApply: true }),
    },
  };
}
