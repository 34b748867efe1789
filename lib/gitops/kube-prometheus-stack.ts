import { VERSIONS } from '../core/versions';
import { StackModel } from '../model/types';

/** Where and how an upstream Application is deployed (the caller wraps it into an Application). */
export interface HelmAppSource {
  /** Argo CD `spec.source`. */
  readonly source: Record<string, unknown>;
  /** Namespace the chart is installed into. */
  readonly namespace: string;
  /** Labels Argo CD puts on the namespace it creates (`syncPolicy.managedNamespaceMetadata`). */
  readonly namespaceLabels: Readonly<Record<string, string>>;
}

/**
 * Why the managed install's namespace is privileged: kube-prometheus-stack's node-exporter subchart
 * (prometheus-node-exporter 4.56.1, values.yaml) runs with `hostNetwork: true`, `hostPID: true` and a hostPath
 * mount of `/` (`hostRootFsMount.enabled: true`), which Pod Security `restricted` and `baseline` refuse.
 */
export const KUBE_PROMETHEUS_STACK_NAMESPACE_REASON = 'kube-prometheus-stack runs node-exporter with hostNetwork, hostPID and a hostPath mount of the root filesystem';

/**
 * The Helm source of the managed kube-prometheus-stack on `cluster` (`monitoring.operator.install`): chart
 * 88.5.3, the contract's release name — so the chart's default selectors (`release: <name>`, see
 * lib/core/operator-layouts.ts) select edgewatt's PodMonitors and PrometheusRules — and values for the stack:
 * the `cluster` external label everywhere; on the hub, the remote-write receiver when devices or other clusters
 * write (`prometheus.prometheusSpec.enableRemoteWriteReceiver`, values.yaml at 88.5.3); on the other clusters,
 * remote write to the declared receiver (`prometheus.prometheusSpec.remoteWrite`). Plain data; the chart's
 * CRDs exceed the client-side apply annotation limit, so the Application syncs server-side.
 */
export function kubePrometheusStackSource(model: StackModel, cluster: string): HelmAppSource | undefined {
  const m = model.monitoring;
  const op = m?.operator;
  if (!m || !op?.install) return undefined;
  const v = VERSIONS.kubePrometheusStack;
  const isHub = cluster === m.cluster;
  const edges = model.clusters.some((c) => c.name !== m.cluster && c.namespaces.length > 0);
  const devices = !!model.fleet && (model.fleet.devices.length > 0 || model.fleet.deviceSets.length > 0);
  const prometheusSpec: Record<string, unknown> = { externalLabels: { cluster } };
  if (isHub && (devices || edges)) prometheusSpec.enableRemoteWriteReceiver = true;
  if (!isHub && op.receiverURL) prometheusSpec.remoteWrite = [{ url: op.receiverURL, name: 'hub' }];
  return {
    source: {
      repoURL: v.repoURL,
      chart: v.chart,
      targetRevision: v.version,
      helm: { releaseName: op.release, valuesObject: { prometheus: { prometheusSpec } } },
    },
    namespace: op.namespace,
    namespaceLabels: {
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/audit': 'privileged',
      'pod-security.kubernetes.io/warn': 'privileged',
    },
  };
}
