import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { prometheusEndpoint, serviceURL } from '../lib/core/endpoints';
import { stackLabels } from '../lib/core/labels';
import { ComponentMonitoring, renderRuleGroup, RuleGroup, ScrapeTarget } from '../lib/core/monitoring-contract';
import { Alertmanager, ALERTMANAGER_NAME } from '../lib/monitoring/alertmanager';
import { alertmanagerConfig, alertmanagerSecrets } from '../lib/monitoring/alertmanager-config';
import { KSM_NAME, ksmApiAccess, ksmScrapeTarget, KubeStateMetrics } from '../lib/monitoring/kube-state-metrics';
import { Prometheus, PROMETHEUS_NAME } from '../lib/monitoring/prometheus';
import { Flow, PodsSource } from '../lib/core/flows';
import { selectorLabels } from '../lib/core/labels';
import { PrometheusConfig, podScrapeConfig } from '../lib/monitoring/prometheus-config';
import { monitoringRuleGroups } from '../lib/monitoring/rules';
import { StackModel } from '../lib/model';
import { ChartContext, ComponentDefinition } from './component';

/** What every other component on `ctx.cluster` declares for monitoring. */
export function collectMonitoring(ctx: ChartContext): ComponentMonitoring {
  const targets: ScrapeTarget[] = [];
  const ruleGroups: RuleGroup[] = [];
  for (const def of ctx.registry) {
    if (!def.monitoring || !def.clusters(ctx.model).includes(ctx.cluster.name)) continue;
    const m = def.monitoring(ctx);
    targets.push(...m.targets);
    ruleGroups.push(...m.ruleGroups);
  }
  return { targets, ruleGroups };
}

/** Every rule group of the stack (the components' on every cluster, and the monitoring component's), unique by name. */
export function allRuleGroups(model: StackModel, registry: ReadonlyArray<ComponentDefinition>): RuleGroup[] {
  const byName = new Map<string, RuleGroup>();
  for (const cluster of model.clusters) {
    for (const g of collectMonitoring({ model, cluster, registry }).ruleGroups) if (!byName.has(g.name)) byName.set(g.name, g);
  }
  for (const g of monitoringRuleGroups(model)) byName.set(g.name, g);
  return [...byName.values()];
}

function ruleFiles(groups: ReadonlyArray<RuleGroup>): Record<string, string> {
  return Object.fromEntries(groups.map((g) => [`${g.name}.rules.yaml`, stringify({ groups: [renderRuleGroup(g)] }, { lineWidth: 0 })]));
}

/**
 * Per cluster, bundled mode: on the hub, Prometheus (server, remote-write receiver, every rule), Alertmanager
 * and kube-state-metrics; on other clusters, a Prometheus agent that remote-writes to the hub with its
 * `cluster` label, and kube-state-metrics. Operator mode: PrometheusRules for an existing Prometheus.
 */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model, cluster } = ctx;
    const mon = model.monitoring!;
    const labels = stackLabels(model.name);
    const isHub = mon.cluster === cluster.name;
    if (mon.mode === 'prometheus-operator') {
      for (const g of monitoringRuleGroups(model)) {
        new ApiObject(this, `rule-${g.name}`, {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'PrometheusRule',
          metadata: { name: g.name, namespace: mon.namespace, labels },
          spec: { groups: [renderRuleGroup(g)] },
        });
      }
      return;
    }
    new KubeStateMetrics(this, 'ksm', { namespace: mon.namespace, labels });
    const targets = monitoringTargets(ctx);
    const hubEndpoint = prometheusEndpoint(mon.namespace, mon.cluster);
    const others = model.clusters.some((c) => c.name !== mon.cluster && c.namespaces.length > 0);
    const config: PrometheusConfig = {
      global: { scrape_interval: mon.scrapeInterval, evaluation_interval: mon.scrapeInterval, external_labels: { cluster: cluster.name } },
      ...(isHub ? { rule_files: ['/etc/prometheus/rules/*.yaml'], alerting: { alertmanagers: [{ static_configs: [{ targets: [`${ALERTMANAGER_NAME}.${mon.namespace}.svc.cluster.local:9093`] }] }] } } : {}),
      scrape_configs: [
        ...(isHub ? [{ job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'], labels: { cluster: cluster.name } }] }] : []),
        ...[...targets].sort((a, b) => (a.job < b.job ? -1 : 1)).map((t) => podScrapeConfig(t, cluster.name, mon.selection)),
      ],
      ...(isHub ? {} : { remote_write: [{ name: 'hub', url: serviceURL(hubEndpoint, cluster.name, '/api/v1/write') }] }),
    };
    const discovery = [...new Set(targets.map((t) => t.namespace))];
    const readNodes = !!(mon.selection?.always && Object.keys(mon.selection.always).length > 0 && targets.some((t) => t.perNode));
    new Prometheus(this, 'prometheus', {
      namespace: mon.namespace,
      cluster: cluster.name,
      config,
      mode: isHub ? 'server' : 'agent',
      remoteWriteReceiver: isHub && (others || !!model.fleet),
      retention: mon.retention,
      storage: isHub ? mon.storage : undefined,
      ruleFiles: isHub ? ruleFiles(allRuleGroups(model, ctx.registry)) : undefined,
      discoveryNamespaces: discovery,
      readNodes,
      queryNamespaces: model.dashboards?.cluster === cluster.name ? [model.dashboards.namespace] : [],
      labels,
    });
    if (isHub) {
      new Alertmanager(this, 'alertmanager', {
        namespace: mon.namespace,
        cluster: cluster.name,
        config: alertmanagerConfig(mon),
        secrets: alertmanagerSecrets(mon),
        clientNamespaces: [mon.namespace, ...(model.dashboards?.cluster === cluster.name ? [model.dashboards.namespace] : [])],
        labels,
      });
    }
  }
}

/** Every target the cluster's bundled Prometheus scrapes: the components', kube-state-metrics, and Alertmanager on the hub. */
export function monitoringTargets(ctx: ChartContext): ScrapeTarget[] {
  const mon = ctx.model.monitoring!;
  const targets: ScrapeTarget[] = [...collectMonitoring(ctx).targets, { ...ksmScrapeTarget(mon.namespace), cluster: ctx.cluster.name }];
  if (mon.cluster === ctx.cluster.name) {
    targets.push({ job: ALERTMANAGER_NAME, cluster: ctx.cluster.name, namespace: mon.namespace, selector: selectorLabels(ALERTMANAGER_NAME, ALERTMANAGER_NAME), port: 'http', path: '/metrics', perNode: false });
  }
  return targets;
}

/** The Prometheus pods of a cluster, as a flow source. */
export function prometheusSource(namespace: string, cluster: string): PodsSource {
  return { kind: 'pods', cluster, namespace, podLabels: selectorLabels(PROMETHEUS_NAME, PROMETHEUS_NAME), workload: `StatefulSet/${PROMETHEUS_NAME}`, serviceAccount: PROMETHEUS_NAME };
}

/**
 * The bundled monitoring's flows on a cluster: a scrape from Prometheus to every target (pod to pod, found by
 * pod discovery, kept by the job's relabel rules), Prometheus's discovery and kube-state-metrics's reads on the
 * API server, and on the hub, Prometheus → Alertmanager.
 */
export function monitoringFlows(ctx: ChartContext): Flow[] {
  const mon = ctx.model.monitoring;
  if (!mon || mon.mode !== 'bundled') return [];
  const cluster = ctx.cluster.name;
  const prom = prometheusSource(mon.namespace, cluster);
  const targets = monitoringTargets(ctx);
  const flows: Flow[] = targets.map((t) => ({
    id: `scrape:${cluster}/${mon.namespace}/prometheus->${cluster}/${t.namespace}/${t.job}`,
    purpose: 'scrape',
    from: prom,
    to: { kind: 'pods', cluster, namespace: t.namespace, podLabels: t.selector, port: t.port, workload: t.job },
    transport: 'in-cluster',
    scrape: { job: t.job, discovers: ['pods'] },
    path: 'monitoring',
  }));
  const discovery = [...new Set(targets.map((t) => t.namespace))].sort();
  flows.push({
    id: `api-server:${cluster}/${mon.namespace}/prometheus->${cluster}/api-server`,
    purpose: 'api-server',
    from: prom,
    to: { kind: 'api-server', cluster, access: discovery.map((namespace) => ({ verbs: ['list', 'watch'], resource: 'pods', namespace })) },
    transport: 'in-cluster',
    path: 'monitoring',
  });
  flows.push({
    id: `api-server:${cluster}/${mon.namespace}/${KSM_NAME}->${cluster}/api-server`,
    purpose: 'api-server',
    from: { kind: 'pods', cluster, namespace: mon.namespace, podLabels: selectorLabels(KSM_NAME, KSM_NAME), workload: `Deployment/${KSM_NAME}`, serviceAccount: KSM_NAME },
    to: { kind: 'api-server', cluster, access: ksmApiAccess() },
    transport: 'in-cluster',
    path: 'monitoring',
  });
  if (mon.cluster === cluster) {
    flows.push({
      id: `alerting:${cluster}/${mon.namespace}/prometheus->${cluster}/${mon.namespace}/${ALERTMANAGER_NAME}`,
      purpose: 'alerting',
      from: prom,
      to: { kind: 'service', cluster, namespace: mon.namespace, service: ALERTMANAGER_NAME, port: 9093 },
      transport: 'in-cluster',
      configured: { url: `http://${ALERTMANAGER_NAME}.${mon.namespace}.svc.cluster.local:9093`, object: `ConfigMap/${PROMETHEUS_NAME}-config`, at: 'data:prometheus.yml#/alerting/alertmanagers/0/static_configs/0/targets/0' },
      path: 'monitoring',
    });
  }
  return flows;
}

/** The monitoring component: the hub, and every other cluster that runs anything. */
export const monitoringComponent: ComponentDefinition = {
  name: 'monitoring',
  clusters: (model) => (model.monitoring ? model.clusters.filter((c) => c.name === model.monitoring!.cluster || c.namespaces.length > 0).map((c) => c.name) : []),
  build: (scope, id, ctx) => new MonitoringChart(scope, id, ctx),
  flows: monitoringFlows,
};

export { KSM_NAME };
