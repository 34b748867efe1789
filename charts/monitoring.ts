import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { prometheusEndpoint, serviceURL } from '../lib/core/endpoints';
import { stackLabels } from '../lib/core/labels';
import { ComponentMonitoring, renderRuleGroup, RuleGroup, ScrapeTarget } from '../lib/core/monitoring-contract';
import { Alertmanager, ALERTMANAGER_NAME } from '../lib/monitoring/alertmanager';
import { alertmanagerConfig, alertmanagerSecrets } from '../lib/monitoring/alertmanager-config';
import { KSM_NAME, KubeStateMetrics } from '../lib/monitoring/kube-state-metrics';
import { Prometheus } from '../lib/monitoring/prometheus';
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
    const ksm = new KubeStateMetrics(this, 'ksm', { namespace: mon.namespace, labels });
    const collected = collectMonitoring(ctx);
    const targets: ScrapeTarget[] = [...collected.targets, { ...ksm.scrapeTarget, cluster: cluster.name }];
    if (isHub) {
      targets.push({ job: ALERTMANAGER_NAME, cluster: cluster.name, namespace: mon.namespace, selector: { 'app.kubernetes.io/name': ALERTMANAGER_NAME, 'app.kubernetes.io/instance': ALERTMANAGER_NAME }, port: 'http', path: '/metrics', perNode: false });
    }
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
      metricsReaderURLs: targets.filter((t) => t.auth === 'serviceAccountToken').map((t) => t.path),
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

/** The monitoring component: the hub, and every other cluster that runs anything. */
export const monitoringComponent: ComponentDefinition = {
  name: 'monitoring',
  clusters: (model) => (model.monitoring ? model.clusters.filter((c) => c.name === model.monitoring!.cluster || c.namespaces.length > 0).map((c) => c.name) : []),
  build: (scope, id, ctx) => new MonitoringChart(scope, id, ctx),
};

export { KSM_NAME };
