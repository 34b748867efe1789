import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { renderRuleGroup, RuleGroup, ScrapeTarget } from '../core/monitoring-contract';
import { operatorSelectorLabels } from '../core/operator-layouts';
import { OperatorModel } from '../model/types';
import { SelectionPolicy } from './hashmod';
import { RelabelConfig, selectionRelabels } from './prometheus-config';

/** Props of OperatorMonitoring. */
export interface OperatorMonitoringProps {
  /** The existing install the objects are for. */
  readonly operator: OperatorModel;
  readonly cluster: string;
  /** Every scrape target of every component on the cluster: each becomes a PodMonitor in its namespace. */
  readonly targets: ReadonlyArray<ScrapeTarget>;
  /** Rule groups evaluated on the cluster: each becomes a PrometheusRule in `ruleNamespace`. */
  readonly ruleGroups: ReadonlyArray<RuleGroup>;
  readonly ruleNamespace: string;
  /** The selective monitoring policy, applied to per-node targets as in bundled mode. @default - every target */
  readonly selection?: SelectionPolicy;
  /**
   * The pods of other namespaces that query the install's Prometheus (Grafana), as NetworkPolicy peers. With
   * kube-prometheus, whose own NetworkPolicy admits only its own namespace's Grafana, an extra NetworkPolicy admits
   * them. @default - none
   */
  readonly queryClients?: ReadonlyArray<k8s.NetworkPolicyPeer>;
  /** Labels added to every object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The pod labels of kube-prometheus's Prometheus (manifests/prometheus-prometheus.yaml `podMetadata.labels`,
 * v0.18.0), which its NetworkPolicy prometheus-k8s selects; that policy admits port 9090 only from pods named
 * prometheus, prometheus-adapter and grafana in its own namespace (manifests/prometheus-networkPolicy.yaml).
 */
const KUBE_PROMETHEUS_POD_LABELS = { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'k8s' };

/** Name of the Role (and RoleBinding) that lets the install's Prometheus discover pods in a namespace. */
export const OPERATOR_DISCOVERY_ROLE = 'edgewatt-prometheus-discovery';

/** A prometheus.yml relabel rule as the Prometheus Operator's RelabelConfig (camelCase fields). */
function operatorRelabel(r: RelabelConfig): Record<string, unknown> {
  return {
    ...(r.source_labels ? { sourceLabels: [...r.source_labels] } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.modulus !== undefined ? { modulus: r.modulus } : {}),
    ...(r.target_label !== undefined ? { targetLabel: r.target_label } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    ...(r.action !== undefined ? { action: r.action } : {}),
  };
}

/**
 * prometheus-operator mode, the one place that turns the components' monitoring declarations into objects an
 * existing install selects and can scrape: a PodMonitor per ScrapeTarget (in the target's namespace, labelled
 * with the layout's selector labels, `job` and `cluster` set as in bundled mode), a PrometheusRule per rule
 * group, and in every scraped namespace a Role + RoleBinding granting the install's Prometheus ServiceAccount
 * pod discovery (kube-prometheus grants it only in default, kube-system and its own namespace).
 */
export class OperatorMonitoring extends Construct {
  constructor(scope: Construct, id: string, props: OperatorMonitoringProps) {
    super(scope, id);
    const op = props.operator;
    const labels = { ...props.labels, ...operatorSelectorLabels(op.layout, op.release) };
    // With the managed install, the CRDs arrive with another Application (the operators wave): Argo CD must not
    // fail the dry run of these custom resources before they exist (argoproj/argo-cd docs/user-guide/sync-options.md, "Skip Dry Run for new custom resources types").
    const annotations = op.install ? { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' } : undefined;
    for (const t of [...props.targets].sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0))) {
      const perNodeAlways = t.perNode && !!props.selection?.always && Object.keys(props.selection.always).length > 0;
      new ApiObject(this, `podmonitor-${t.namespace}-${t.job}`, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: { name: t.job, namespace: t.namespace, labels, ...(annotations ? { annotations } : {}) },
        spec: {
          selector: { matchLabels: { ...t.selector } },
          ...(perNodeAlways ? { attachMetadata: { node: true } } : {}),
          ...(t.fallbackProtocol ? { fallbackScrapeProtocol: t.fallbackProtocol } : {}),
          podMetricsEndpoints: [
            {
              port: t.port,
              path: t.path,
              ...(t.honorLabels ? { honorLabels: true } : {}),
              relabelings: [
                ...(t.perNode && props.selection ? selectionRelabels(props.selection) : []),
                { source_labels: ['__meta_kubernetes_pod_node_name'], target_label: 'node', action: 'replace' as const },
                { target_label: 'job', replacement: t.job, action: 'replace' as const },
                { target_label: 'cluster', replacement: props.cluster, action: 'replace' as const },
              ].map(operatorRelabel),
            },
          ],
        },
      });
    }
    for (const ns of [...new Set(props.targets.map((t) => t.namespace))].sort()) {
      const meta = { name: OPERATOR_DISCOVERY_ROLE, namespace: ns, labels: { ...props.labels } };
      // PodMonitors discover with role `pod`: list/watch pods in the monitor's namespace, nothing else.
      new k8s.KubeRole(this, `role-${ns}`, { metadata: meta, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
      new k8s.KubeRoleBinding(this, `binding-${ns}`, {
        metadata: meta,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: OPERATOR_DISCOVERY_ROLE },
        subjects: [{ kind: 'ServiceAccount', name: op.serviceAccount, namespace: op.namespace }],
      });
    }
    if (props.targets.some((t) => t.perNode) && props.selection?.always && Object.keys(props.selection.always).length > 0) {
      // `attachMetadata.node` makes Prometheus list and watch Nodes (the PodMonitor CRD's own description, ../shared/crds/prometheus-operator);
      // kube-prometheus's ClusterRole prometheus-k8s grants only nodes/metrics get.
      const name = `edgewatt-prometheus-nodes-${op.namespace}`;
      const meta = { name, labels: { ...props.labels } };
      new k8s.KubeClusterRole(this, 'nodes', { metadata: meta, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }] });
      new k8s.KubeClusterRoleBinding(this, 'nodes-binding', {
        metadata: meta,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name: op.serviceAccount, namespace: op.namespace }],
      });
    }
    const clients = props.queryClients ?? [];
    if (op.layout === 'kube-prometheus' && clients.length > 0) {
      // NetworkPolicies add up: this one only widens kube-prometheus's own policy by the stack's query clients.
      // (kube-prometheus-stack ships no NetworkPolicy by default, values.yaml prometheus.networkPolicy.enabled:
      // false; adding one there would isolate its Prometheus, so none is emitted for that layout.)
      new k8s.KubeNetworkPolicy(this, 'query-clients', {
        metadata: { name: 'edgewatt-prometheus-clients', namespace: op.namespace, labels: { ...props.labels } },
        spec: {
          podSelector: { matchLabels: { ...KUBE_PROMETHEUS_POD_LABELS } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [...clients], ports: [{ port: k8s.IntOrString.fromNumber(9090), protocol: 'TCP' }] }],
        },
      });
    }
    const seen = new Set<string>();
    for (const g of props.ruleGroups) {
      if (seen.has(g.name)) continue;
      seen.add(g.name);
      new ApiObject(this, `rule-${g.name}`, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: g.name, namespace: props.ruleNamespace, labels, ...(annotations ? { annotations } : {}) },
        spec: { groups: [renderRuleGroup(g)] },
      });
    }
  }
}
