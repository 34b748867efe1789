/**
 * Every image and upstream version edgewatt deploys, in one place. Nothing uses `:latest`. Each entry
 * names the upstream release its manifests and facts were read from.
 */
export const VERSIONS = {
  /** Kepler 0.7 line (eBPF, estimator, model server): upstream tag v0.7.12, image tag release-0.7.12. */
  keplerClassic: { image: 'quay.io/sustainable_computing_io/kepler', tag: 'release-0.7.12', upstream: 'v0.7.12' },
  /** Kepler 0.10+ rewrite (RAPL and /proc): upstream tag v0.11.4. */
  keplerCurrent: { image: 'quay.io/sustainable_computing_io/kepler', tag: 'v0.11.4', upstream: 'v0.11.4' },
  /** Kepler model server, as pinned by Kepler v0.7.12's own manifests. */
  keplerModelServer: { image: 'quay.io/sustainable_computing_io/kepler_model_server', tag: 'v0.7.11-2', upstream: 'v0.7.11-2' },
  /** From kube-prometheus jsonnet/kube-prometheus/versions.json (2026-08). */
  prometheus: { image: 'quay.io/prometheus/prometheus', tag: 'v3.13.2', upstream: 'v3.13.2' },
  alertmanager: { image: 'quay.io/prometheus/alertmanager', tag: 'v0.33.1', upstream: 'v0.33.1' },
  kubeStateMetrics: { image: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.19.1', upstream: 'v2.19.1' },
  /** Reloads Prometheus and Alertmanager when their mounted configuration changes. */
  configReloader: { image: 'quay.io/prometheus-operator/prometheus-config-reloader', tag: 'v0.93.1', upstream: 'v0.93.1' },
  /** From kube-prometheus versions.json (2026-08). */
  grafana: { image: 'docker.io/grafana/grafana', tag: '13.1.3', upstream: '13.1.3' },
  /**
   * kube-eventer (github AliyunContainerService/kube-eventer). Facts read at tag 1.2.14; the image tag is the one
   * that tag's deploy/deploy.yaml pins. It is built from commit ca03be0, whose metrics/, api/, sources/, manager/
   * and eventer.go equal tag 1.2.14's (git diff ca03be0 1.2.14 changes only common/kubernetes and the Dockerfile).
   */
  kubeEventer: { image: 'registry.aliyuncs.com/acs/kube-eventer', tag: 'v1.2.7-ca03be0-aliyun', upstream: '1.2.14' },
  /** The Flotta operator, installed from its upstream repository by an Argo CD Application (kustomize config/k8s). */
  flottaOperator: { repoURL: 'https://github.com/project-flotta/flotta-operator', tag: 'v0.2.0', upstream: 'v0.2.0', path: 'config/k8s', namespace: 'flotta' },
  /** The Prometheus Operator CRDs, for operator mode, from the prometheus-operator repository. */
  prometheusOperatorCrds: { repoURL: 'https://github.com/prometheus-operator/prometheus-operator', tag: 'v0.93.1', upstream: 'v0.93.1', path: 'example/prometheus-operator-crd' },
} as const;

/** A pinned image reference. */
export function imageRef(v: { readonly image: string; readonly tag: string }): string {
  return `${v.image}:${v.tag}`;
}
