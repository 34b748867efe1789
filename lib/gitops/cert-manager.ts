import { stackLabels } from '../core/labels';
import { VERSIONS } from '../core/versions';
import { StackModel } from '../model/types';
import { KubeObject } from '../synth/kube-object';
import { helmApplication } from './helm-source';

/**
 * The chart values edgewatt sets on cert-manager (cert-manager v1.21.1 `deploy/charts/cert-manager/values.yaml`).
 * Everything else keeps the chart's defaults, which already run Pod Security `restricted` (`securityContext`
 * runAsNonRoot + RuntimeDefault seccomp, `containerSecurityContext` no privilege escalation, ALL capabilities
 * dropped, read-only root filesystem).
 */
export interface CertManagerValues {
  /**
   * The chart installs its CRDs (`crds.enabled`, default false; `installCRDs` is deprecated) and keeps them on
   * uninstall: `crds.keep` annotates them `helm.sh/resource-policy: keep`, which Argo CD honours as
   * `Delete=false` (argo-cd v3.5.1 `docs/user-guide/helm.md`, "Helm Hooks" table), so deleting the
   * Application does not delete every Certificate and Issuer with the CRDs.
   */
  readonly crds: { readonly enabled: true; readonly keep: boolean };
  /**
   * Leader election lease namespace (`global.leaderElection.namespace`, default kube-system; the chart's
   * `templates/rbac.yaml` puts its leader-election Role there): the release's own namespace, so the
   * Application writes into no namespace outside the stack's.
   */
  readonly global: { readonly leaderElection: { readonly namespace: string } };
}

/** Sync wave of cert-manager: with the platform namespaces (0), before the operators that need it (1). */
export const CERT_MANAGER_WAVE = 0;

/** Where cert-manager runs and how it is fetched, when the stack installs it: on the fleet's cluster. */
export function certManagerInstall(model: StackModel): { cluster: string; repoURL: string; version: string; namespace: string } | undefined {
  const c = model.spec.fleet?.certManager;
  if (!model.fleet || !c || !c.install) return undefined;
  return { cluster: model.fleet.cluster, repoURL: c.repoURL, version: c.version, namespace: c.namespace };
}

/** The cert-manager Application: the official chart, pinned, CRDs enabled, before the Flotta operator. */
export function certManagerApplication(model: StackModel): { cluster: string; app: KubeObject } | undefined {
  const i = certManagerInstall(model);
  if (!i) return undefined;
  const values: CertManagerValues = { crds: { enabled: true, keep: true }, global: { leaderElection: { namespace: i.namespace } } };
  const app = helmApplication<CertManagerValues>(
    {
      name: `${model.name}-${i.cluster}-cert-manager`,
      argocdNamespace: model.gitops!.argocdNamespace,
      project: model.name,
      labels: { ...stackLabels(model.name), 'edgewatt.io/cluster': i.cluster, 'edgewatt.io/component': 'operators' },
      destination: { server: model.clusters.find((c) => c.name === i.cluster)!.server, namespace: i.namespace },
      chart: { repoURL: i.repoURL, chart: VERSIONS.certManager.chart, targetRevision: i.version },
      releaseName: 'cert-manager',
      values,
      syncWave: CERT_MANAGER_WAVE,
      largestCrdJsonBytes: VERSIONS.certManager.largestCrdJsonBytes,
      createNamespace: {
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    },
    { repoURL: 'fleet.certManager.repoURL', chart: 'fleet.certManager', targetRevision: 'fleet.certManager.version', releaseName: 'fleet.certManager' },
  );
  return { cluster: i.cluster, app };
}
