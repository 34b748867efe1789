import { Chart } from 'cdk8s';
import { apiServerDestination } from './api-server';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { exposedURL } from '../lib/core/exposure';
import { stackLabels } from '../lib/core/labels';
import { ComponentMonitoring, renderRuleGroup, RuleGroup, ScrapeTarget } from '../lib/core/monitoring-contract';
import { Alertmanager, ALERTMANAGER_NAME } from '../lib/monitoring/alertmanager';
import { alertmanagerConfig, alertmanagerSecrets } from '../lib/monitoring/alertmanager-config';
import { KSM_NAME, ksmApiAccess, ksmScrapeTarget, KubeStateMetrics } from '../lib/monitoring/kube-state-metrics';
import { Prometheus, PROMETHEUS_NAME } from '../lib/monitoring/prometheus';
import { Flow, PodsSource } from '../lib/core/flows';
import { selectorLabels } from '../lib/core/labels';
import { DEVICE_GATEWAY, deviceGatewayUpstream, hubAdmits, RECEIVER_GATEWAY, receiverEndpoint } from '../lib/monitoring/hub-paths';
import { RemoteWriteGateway } from '../lib/monitoring/remote-write-gateway';
import { PrometheusConfig, podScrapeConfig } from '../lib/monitoring/prometheus-config';
import { monitoringRuleGroups } from '../lib/monitoring/rules';
import { OperatorMonitoring } from '../lib/monitoring/operator-objects';
import { StackModel } from '../lib/model';
import { transportFlows } from '../lib/monitoring/transport-flows';
import { ChartContext, ComponentDefinition } from './component';
import { declareGrafanaNamespace, grafanaPeer, modelServerPeer, scraperPeer } from './peers';
import { memoByModel } from '../lib/core/model-memo';

/**
 * The clusters a component is on (ComponentDefinition.clusters), once per model (lib/core/model-memo.ts): every
 * cluster's monitoring asks for every component's.
 */
function componentClusters(def: ComponentDefinition, model: StackModel): ReadonlySet<string> {
  return memoByModel(def, model, (m) => new Set(def.clusters(m)));
}

/** What every other component on `ctx.cluster` declares for monitoring. */
export function collectMonitoring(ctx: ChartContext): ComponentMonitoring {
  const targets: ScrapeTarget[] = [];
  const ruleGroups: RuleGroup[] = [];
  for (const def of ctx.registry) {
    if (!def.monitoring || !componentClusters(def, ctx.model).has(ctx.cluster.name)) continue;
    const m = def.monitoring(ctx);
    targets.push(...m.targets);
    ruleGroups.push(...m.ruleGroups);
  }
  return { targets, ruleGroups };
}

/**
 * Every rule group of the stack (the components' on every cluster, and the monitoring component's), unique by
 * name. Computed once per model and registry (lib/core/model-memo.ts; a resolved model is not changed): a synth
 * asks three times (rule files, Alertmanager routes, runbooks), each a pass over every cluster's components, and
 * over the whole fleet for the device power rules.
 */
export function allRuleGroups(model: StackModel, registry: ReadonlyArray<ComponentDefinition>): RuleGroup[] {
  return [...memoByModel(registry, model, (m) => collectRuleGroups(m, registry))];
}

function collectRuleGroups(model: StackModel, registry: ReadonlyArray<ComponentDefinition>): RuleGroup[] {
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
 * `cluster` label, and kube-state-metrics. Operator mode, on every cluster: a PodMonitor for every scrape
 * target the components declare there, PrometheusRules, and discovery RBAC for the existing install's Prometheus.
 */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model, cluster } = ctx;
    const mon = model.monitoring!;
    const labels = stackLabels(model.name);
    const isHub = mon.cluster === cluster.name;
    if (mon.operator) {
      const collected = collectMonitoring(ctx);
      // With the managed install the other clusters remote-write to the hub: as in bundled mode, every rule is
      // evaluated at the hub only (evaluated at both, the hub would receive recording-rule series it also computes).
      const edgesWrite = mon.operator.install && !!mon.operator.receiverURL;
      const ruleGroups = edgesWrite ? (isHub ? allRuleGroups(model, ctx.registry) : []) : [...collected.ruleGroups, ...monitoringRuleGroups(model)];
      new OperatorMonitoring(this, 'operator', {
        operator: mon.operator,
        cluster: cluster.name,
        targets: collected.targets,
        ruleGroups,
        ruleNamespace: mon.namespace,
        selection: mon.selection,
        queryClients: isHub ? hubReaders(model, mon.operator.namespace) : [],
        labels,
      });
      return;
    }
    new KubeStateMetrics(this, 'ksm', { namespace: mon.namespace, labels });
    const targets = monitoringTargets(ctx);
    const receiver = mon.receiver;
    const writers = model.clusters.some((c) => c.name !== mon.cluster && c.namespaces.length > 0);
    const devicesWrite = !!model.fleet && model.fleet.devices.length > 0 && !!model.fleet.receiver;
    const agentAuth = receiver ? { username: receiver.auth.username, passwordSecret: { name: receiver.auth.passwordSecret.name, key: receiver.auth.passwordSecret.key } } : undefined;
    const config: PrometheusConfig = {
      global: { scrape_interval: mon.scrapeInterval, evaluation_interval: mon.scrapeInterval, external_labels: { cluster: cluster.name } },
      ...(isHub ? { rule_files: ['/etc/prometheus/rules/*.yaml'], alerting: { alertmanagers: [{ static_configs: [{ targets: [`${ALERTMANAGER_NAME}.${mon.namespace}.svc.cluster.local:9093`] }] }] } } : {}),
      scrape_configs: [
        ...(isHub ? [{ job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'], labels: { cluster: cluster.name } }] }] : []),
        ...[...targets].sort((a, b) => (a.job < b.job ? -1 : 1)).map((t) => podScrapeConfig(t, cluster.name, mon.selection)),
      ],
      // Agents write to the hub's authenticating receiver, through the declared transport (checked in the model).
      ...(isHub || !receiver
        ? {}
        : {
            remote_write: [
              {
                name: 'hub',
                url: exposedURL(receiverEndpoint(mon.namespace, mon.cluster), cluster.name, receiver.exposure, '/api/v1/write'),
                basic_auth: { username: agentAuth!.username, password_file: `/etc/prometheus/secrets/${agentAuth!.passwordSecret.name}/${agentAuth!.passwordSecret.key}` },
              },
            ],
          }),
    };
    const discovery = [...new Set(targets.map((t) => t.namespace))];
    const readNodes = !!(mon.selection?.always && Object.keys(mon.selection.always).length > 0 && targets.some((t) => t.perNode));
    const prometheus = new Prometheus(this, 'prometheus', {
      namespace: mon.namespace,
      cluster: cluster.name,
      config,
      mode: isHub ? 'server' : 'agent',
      remoteWriteReceiver: isHub && (writers || devicesWrite),
      retention: mon.retention,
      storage: isHub ? mon.storage : undefined,
      ruleFiles: isHub ? ruleFiles(allRuleGroups(model, ctx.registry)) : undefined,
      discoveryNamespaces: discovery,
      readNodes,
      admit: isHub ? hubAdmits(model, hubReaders(model)) : [],
      secretMounts: !isHub && agentAuth ? [agentAuth.passwordSecret.name] : [],
      metricsReaderURLs: targets.filter((t) => t.auth === 'serviceAccountToken').map((t) => t.path),
      labels,
    });
    if (isHub && writers && receiver) {
      new RemoteWriteGateway(this, 'receiver', {
        name: RECEIVER_GATEWAY,
        namespace: mon.namespace,
        cluster: cluster.name,
        exposure: receiver.exposure,
        platform: cluster.platform,
        webConfigSecret: receiver.auth.webConfigSecret,
        upstream: { url: exposedURL(prometheus.endpoint, cluster.name, undefined, '/api/v1/write') },
        labels,
      });
    }
    if (devicesWrite && model.fleet!.cluster === cluster.name) {
      new RemoteWriteGateway(this, 'device-gateway', {
        name: DEVICE_GATEWAY,
        namespace: mon.namespace,
        cluster: cluster.name,
        exposure: model.fleet!.receiver!.exposure,
        platform: cluster.platform,
        upstream: deviceGatewayUpstream(model),
        externalLabels: { cluster: cluster.name },
        // Flotta's device worker labels every series with its device id (flotta-device-worker 0.2.0,
        // internal/metrics/remote_write.go: DeviceLabel = "edgedeviceid"); the rules and dashboards use `device`.
        writeRelabels: [{ source_labels: ['edgedeviceid'], regex: '(.+)', target_label: 'device', replacement: '$1', action: 'replace' }],
        labels,
      });
    }
    if (isHub) {
      const alertmanager = new Alertmanager(this, 'alertmanager', {
        namespace: mon.namespace,
        cluster: cluster.name,
        config: alertmanagerConfig(mon, allRuleGroups(model, ctx.registry)),
        secrets: alertmanagerSecrets(mon),
        clients: [scraperPeer(model), ...(model.dashboards?.cluster === cluster.name ? [grafanaPeer(model)] : [])],
        labels,
      });
      if (model.dashboards?.cluster === cluster.name) {
        declareGrafanaNamespace(model, prometheus);
        declareGrafanaNamespace(model, alertmanager);
      }
    }
  }
}

/**
 * The readers of the hub's Prometheus on its cluster, by their pods: Grafana, and the model server's online trainer.
 * For an install's Prometheus (prometheus-operator mode, `install` its namespace), Grafana only when bundled and
 * outside that namespace: kube-prometheus's own policy admits a Grafana of its namespace, and an existing Grafana's
 * path is the install's.
 */
function hubReaders(model: StackModel, install?: string): k8s.NetworkPolicyPeer[] {
  const hub = model.monitoring!.cluster;
  const d = model.dashboards;
  const ms = model.energy?.modelServer;
  const grafana = d?.cluster === hub && (install === undefined || (d.mode === 'bundled' && d.namespace !== install));
  return [...(grafana ? [grafanaPeer(model)] : []), ...(ms?.cluster === hub && ms.onlineTrainer ? [modelServerPeer(model)] : [])];
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
    to: { kind: 'pods', cluster, namespace: t.namespace, podLabels: t.selector, port: t.port, workload: t.job, ...(t.upstreamPods ? { upstreamPods: t.upstreamPods } : {}) },
    transport: 'in-cluster',
    scrape: { job: t.job, discovers: ['pods'], ...(t.nonResourceURL ? { nonResourceURL: t.nonResourceURL } : {}) },
    path: 'monitoring',
  }));
  const discovery = [...new Set(targets.map((t) => t.namespace))].sort();
  flows.push({
    id: `api-server:${cluster}/${mon.namespace}/prometheus->${cluster}/api-server`,
    purpose: 'api-server',
    from: prom,
    to: apiServerDestination(ctx.cluster, discovery.map((namespace) => ({ verbs: ['list', 'watch'], resource: 'pods', namespace }))),
    transport: 'in-cluster',
    path: 'monitoring',
  });
  flows.push({
    id: `api-server:${cluster}/${mon.namespace}/${KSM_NAME}->${cluster}/api-server`,
    purpose: 'api-server',
    from: { kind: 'pods', cluster, namespace: mon.namespace, podLabels: selectorLabels(KSM_NAME, KSM_NAME), workload: `Deployment/${KSM_NAME}`, serviceAccount: KSM_NAME },
    to: apiServerDestination(ctx.cluster, ksmApiAccess()),
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
  // In-cluster paths, and those across a cluster boundary with their declared transports (lib/monitoring/transport-flows.ts).
  flows: (ctx) => [...monitoringFlows(ctx), ...transportFlows(ctx.model, ctx.cluster.name).filter((f) => f.purpose === 'remote-write')],
};

export { KSM_NAME };
