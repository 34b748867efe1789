/**
 * Facts about the two common layouts of an existing Prometheus Operator install, read from their sources at
 * pinned versions. edgewatt's PodMonitors, PrometheusRules and RBAC are shaped from these so that the install's
 * Prometheus selects and can scrape them.
 *
 * - kube-prometheus-stack (github prometheus-community/helm-charts, tag kube-prometheus-stack-88.5.3):
 *   charts/kube-prometheus-stack/templates/prometheus/prometheus.yaml renders `podMonitorSelector`,
 *   `serviceMonitorSelector` and `ruleSelector` as `matchLabels: { release: <Release.Name> }` while values.yaml
 *   keeps `prometheus.prometheusSpec.{podMonitor,serviceMonitor,rule}SelectorNilUsesHelmValues: true` and the
 *   selector itself `{}` (the defaults); every `*NamespaceSelector` defaults to `{}` (all namespaces).
 *   templates/_helpers.tpl: `kube-prometheus-stack.fullname` is the release name when it contains the chart
 *   name, else `<release>-kube-prometheus-stack`, truncated to 26 characters and trimmed of a trailing '-';
 *   the Prometheus ServiceAccount (`kube-prometheus-stack.prometheus.serviceAccountName`) and Service
 *   (templates/prometheus/service.yaml) are both `<fullname>-prometheus`, port 9090.
 *   templates/prometheus/clusterrole.yaml grants get/list/watch on pods, services, endpoints cluster-wide
 *   when `global.rbac.create` (default true).
 * - kube-prometheus (github prometheus-operator/kube-prometheus, tag v0.18.0):
 *   jsonnet/kube-prometheus/components/prometheus.libsonnet sets every monitor and rule selector and namespace
 *   selector to `{}` (all objects in all namespaces) — `ruleSelector: {}` by default — but grants its
 *   ServiceAccount `prometheus-k8s` (namespace `monitoring`: example.jsonnet sets `values.common.namespace`, and
 *   the released manifests/prometheus-prometheus.yaml carry it) a Role
 *   only in `namespaces:: ['default', 'kube-system', <namespace>]` (`roleSpecificNamespaces`: services, pods,
 *   endpoints or endpointslices, ingresses get/list/watch): a namespace outside that list is selected but
 *   never scraped unless the ServiceAccount gets a Role there. The Service is `prometheus-k8s`, port 9090.
 */

/** The layouts of an existing Prometheus Operator install edgewatt knows. */
export const OPERATOR_LAYOUTS = ['kube-prometheus-stack', 'kube-prometheus'] as const;
export type OperatorLayout = (typeof OPERATOR_LAYOUTS)[number];

/** The chart name of kube-prometheus-stack, part of its `fullname` helper. */
const KPS_CHART = 'kube-prometheus-stack';

/** kube-prometheus-stack's `fullname` helper (templates/_helpers.tpl at 88.5.3) for a release name. */
export function kubePrometheusStackFullname(release: string): string {
  const full = release.includes(KPS_CHART) ? release : `${release}-${KPS_CHART}`;
  return full.slice(0, 26).replace(/-+$/, '');
}

/** The Prometheus of a layout as installed by default: its ServiceAccount and Service names. */
export function operatorDefaults(layout: OperatorLayout, release: string): { readonly serviceAccount: string; readonly service: string } {
  if (layout === 'kube-prometheus') return { serviceAccount: 'prometheus-k8s', service: 'prometheus-k8s' };
  const name = `${kubePrometheusStackFullname(release)}-prometheus`;
  return { serviceAccount: name, service: name };
}

/**
 * The labels a PodMonitor, ServiceMonitor or PrometheusRule must carry for the layout's Prometheus to select
 * it with its default selectors: `release: <release>` for kube-prometheus-stack, none for kube-prometheus.
 */
export function operatorSelectorLabels(layout: OperatorLayout, release: string): Record<string, string> {
  return layout === 'kube-prometheus-stack' ? { release } : {};
}

/** The Prometheus Service's port in both layouts. */
export const OPERATOR_PROMETHEUS_PORT = 9090;
