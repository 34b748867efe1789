import { Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { prometheusEndpoint, serviceURL } from '../lib/core/endpoints';
import { queryEndpoint } from '../lib/model/monitoring';
import { stackLabels } from '../lib/core/labels';
import { ComponentMonitoring } from '../lib/core/monitoring-contract';
import { Grafana, GRAFANA_NAME, stackDashboards } from '../lib/dashboards';
import { ChartContext, ComponentDefinition } from './component';
import { scraperPeer } from './peers';
import { Flow } from '../lib/core/flows';
import { selectorLabels } from '../lib/core/labels';
import { ALERTMANAGER_NAME } from '../lib/monitoring/alertmanager';

/**
 * Dashboards on their cluster: each dashboard in its own ConfigMap; in bundled mode also Grafana with the
 * provisioned datasources; in sidecar mode only the ConfigMaps, labelled grafana_dashboard: "1".
 */
export class DashboardsChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model } = ctx;
    const d = model.dashboards!;
    const labels = stackLabels(model.name);
    const docs = stackDashboards(model);
    const names: string[] = [];
    const hash = createHash('sha256');
    for (const doc of docs) {
      const name = `dashboard-${doc.name}`;
      const text = `${JSON.stringify(doc.json, null, 2)}\n`;
      hash.update(text);
      names.push(name);
      new k8s.KubeConfigMap(this, name, {
        metadata: { name, namespace: d.namespace, labels: { ...labels, ...(d.mode === 'sidecar' ? { grafana_dashboard: '1' } : {}) } },
        data: { [`${doc.name}.json`]: text },
      });
    }
    if (d.mode !== 'bundled') return;
    const m = model.monitoring;
    new Grafana(this, 'grafana', {
      namespace: d.namespace,
      prometheusURL: m ? serviceURL(queryEndpoint(m), d.cluster) : 'http://prometheus.monitoring.svc.cluster.local:9090',
      alertmanagerURL: m && m.mode === 'bundled' ? serviceURL({ name: 'alertmanager', namespace: m.namespace, port: 9093, cluster: m.cluster }, d.cluster) : undefined,
      adminSecret: d.adminSecret,
      dashboardConfigMaps: names,
      dashboardsChecksum: hash.digest('hex'),
      anonymousViewer: d.anonymousViewer,
      scraper: scraperPeer(model),
      ingressControllerNamespace: d.ingressControllerNamespace,
      labels,
    });
  }
}

/** Grafana's own metrics, in bundled mode. */
function dashboardsMonitoring(ctx: ChartContext): ComponentMonitoring {
  const d = ctx.model.dashboards!;
  if (d.mode !== 'bundled' || d.cluster !== ctx.cluster.name) return { targets: [], ruleGroups: [] };
  return {
    targets: [{ job: GRAFANA_NAME, cluster: ctx.cluster.name, namespace: d.namespace, selector: { 'app.kubernetes.io/name': GRAFANA_NAME, 'app.kubernetes.io/instance': GRAFANA_NAME }, port: 'http', path: '/metrics', perNode: false }],
    ruleGroups: [],
  };
}

/**
 * Grafana's datasources as flows (bundled Grafana and bundled monitoring on the same cluster): Grafana → Prometheus and,
 * with the bundled Alertmanager, Grafana → Alertmanager, at the URLs of the provisioned datasources file.
 */
export function dashboardsFlows(ctx: ChartContext): Flow[] {
  const d = ctx.model.dashboards!;
  const m = ctx.model.monitoring;
  const cluster = ctx.cluster.name;
  // With the Prometheus Operator, Prometheus is not in the output, so there is nothing to prove the flow on.
  if (d.mode !== 'bundled' || d.cluster !== cluster || !m || m.mode !== 'bundled' || m.cluster !== cluster) return [];
  const from = { kind: 'pods' as const, cluster, namespace: d.namespace, podLabels: selectorLabels(GRAFANA_NAME, GRAFANA_NAME), workload: `Deployment/${GRAFANA_NAME}` };
  // The provisioned datasources, in their file's order: Prometheus, then Alertmanager.
  const targets = [prometheusEndpoint(m.namespace, m.cluster), { name: ALERTMANAGER_NAME, namespace: m.namespace, port: 9093, cluster: m.cluster }];
  return targets.map((t, i): Flow => ({
    id: `datasource:${cluster}/${d.namespace}/${GRAFANA_NAME}->${cluster}/${t.namespace}/${t.name}`,
    purpose: 'datasource',
    from,
    to: { kind: 'service', cluster, namespace: t.namespace, service: t.name, port: t.port },
    transport: 'in-cluster',
    configured: { url: serviceURL(t, cluster), object: `ConfigMap/${GRAFANA_NAME}-provisioning`, at: `data:datasources.yaml#/datasources/${i}/url` },
    path: 'dashboards',
  }));
}

/** The dashboards component: on the dashboards cluster. */
export const dashboardsComponent: ComponentDefinition = {
  name: 'dashboards',
  clusters: (model) => (model.dashboards ? [model.dashboards.cluster] : []),
  build: (scope, id, ctx) => new DashboardsChart(scope, id, ctx),
  monitoring: dashboardsMonitoring,
  flows: dashboardsFlows,
};
