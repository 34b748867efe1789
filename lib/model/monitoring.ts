import { ServiceEndpoint, prometheusEndpoint } from '../core/endpoints';
import { ProblemList } from '../core/errors';
import { duplicates } from '../core/names';
import { OPERATOR_PROMETHEUS_PORT, operatorDefaults } from '../core/operator-layouts';
import { StackSpec } from '../spec/stack';
import { Placer } from './placement';
import { MonitoringModel, OperatorModel, StackModel } from './types';

type MonitoringSpec = NonNullable<StackSpec['monitoring']>;

/**
 * The existing install of prometheus-operator mode, defaults resolved; `undefined` in bundled mode. Declaring
 * `monitoring.operator` in bundled mode is a problem (it would be silently ignored).
 */
export function resolveOperator(m: MonitoringSpec, problems: ProblemList): OperatorModel | undefined {
  if (m.mode !== 'prometheus-operator') {
    if (m.operator) problems.add('monitoring.operator', 'describes an existing Prometheus Operator install, used only in prometheus-operator mode: set monitoring.mode to prometheus-operator, or remove monitoring.operator');
    return undefined;
  }
  const o = m.operator ?? { layout: 'kube-prometheus-stack' as const, release: 'kube-prometheus-stack', namespace: 'monitoring', install: false };
  const d = operatorDefaults(o.layout, o.release);
  if (o.install && o.layout !== 'kube-prometheus-stack') {
    problems.add('monitoring.operator.install', 'installs the kube-prometheus-stack chart, but monitoring.operator.layout is kube-prometheus: set layout to kube-prometheus-stack, or install kube-prometheus yourself and set install to false');
  }
  if (o.install) {
    for (const f of ['serviceAccount', 'service'] as const) {
      if (o[f] !== undefined && o[f] !== d[f]) {
        problems.add(`monitoring.operator.${f}`, `is "${o[f]}", but the installed chart names it "${d[f]}" after the release "${o.release}": remove ${f}, or change release`);
      }
    }
  }
  return {
    layout: o.layout,
    release: o.release,
    namespace: o.namespace,
    serviceAccount: o.serviceAccount ?? d.serviceAccount,
    service: o.service ?? d.service,
    install: o.install,
    ...(o.receiverURL ? { receiverURL: o.receiverURL } : {}),
  };
}

/** A host only cluster DNS resolves: devices (not cluster nodes) and other clusters cannot reach it. */
function clusterOnlyHost(url: string): boolean {
  const host = new URL(url).hostname;
  return /\.svc$|\.svc\.|\.cluster\.local$|\.clusterset\.local$/.test(host);
}

/**
 * Who writes into the hub's receiver in prometheus-operator mode, and the problems when nobody says where it is:
 * fleet devices always send their metrics by remote write; with `install`, the edge clusters' Prometheus do too.
 */
export function checkOperatorReceiver(spec: StackSpec, op: OperatorModel | undefined, edgeClusters: ReadonlyArray<string>, problems: ProblemList): void {
  if (!op) return;
  const f = spec.fleet;
  const devices = !!f && (f.devices.length > 0 || f.deviceSets.length > 0);
  const field = 'monitoring.operator.receiverURL';
  if (op.receiverURL && clusterOnlyHost(op.receiverURL)) {
    problems.add(field, `"${op.receiverURL}" resolves only inside a cluster, but fleet devices and other clusters are not cluster members: give the receiver's external address (an Ingress or LoadBalancer hostname)`);
  }
  if (op.receiverURL) return;
  if (devices) {
    problems.add(
      field,
      'is required: fleet devices send their metrics by remote write, and in prometheus-operator mode edgewatt runs no receiver: enable the remote-write receiver of your Prometheus (kube-prometheus-stack: prometheus.prometheusSpec.enableRemoteWriteReceiver, or set monitoring.operator.install) and declare its external URL here, e.g. https://prometheus.example.com/api/v1/write',
    );
  } else if (op.install && edgeClusters.length > 0) {
    problems.add(field, `is required: the installed kube-prometheus-stack on ${edgeClusters.map((c) => `"${c}"`).join(', ')} remote-writes to the hub's receiver: declare its URL as the other clusters reach it, e.g. https://prometheus.example.com/api/v1/write`);
  }
}

/** The namespace whose Prometheus scrapes the components: the install's in operator mode, else the bundled one. */
export function scraperNamespace(model: StackModel): string {
  const m = model.monitoring;
  return m?.operator?.namespace ?? m?.namespace ?? 'monitoring';
}

/** The Prometheus Service that answers queries on the hub: the bundled one, or the install's. */
export function queryEndpoint(m: MonitoringModel): ServiceEndpoint {
  return m.operator ? { name: m.operator.service, namespace: m.operator.namespace, port: OPERATOR_PROMETHEUS_PORT, cluster: m.cluster } : prometheusEndpoint(m.namespace, m.cluster);
}

/** `monitoring.events.clusters` must name clusters that run monitoring (the hub, or a cluster that runs something). */
export function checkEvents(spec: StackSpec, placer: Placer, problems: ProblemList, hub: string | undefined, namespaces: ReadonlyMap<string, ReadonlyArray<unknown>>): void {
  const ev = spec.monitoring?.events;
  if (!ev?.clusters || hub === undefined) return;
  for (const d of duplicates(ev.clusters, (c) => c)) problems.add(`monitoring.events.clusters[${d.index}]`, `cluster "${d.key}" is listed twice`);
  ev.clusters.forEach((c, i) => {
    if (!placer.check(c, `monitoring.events.clusters[${i}]`)) return;
    if (c !== hub && (namespaces.get(c)?.length ?? 0) === 0) {
      problems.add(`monitoring.events.clusters[${i}]`, `cluster "${c}" runs no component, so no monitoring watches it: deploy something there or remove it from the list`);
    }
  });
}

/**
 * The hub's Prometheus (and Alertmanager) answer only readers on their own cluster: nothing exports them to other
 * clusters, and their NetworkPolicies admit only in-cluster readers (README, "the hub Prometheus itself is never
 * exposed"). The bundled Grafana and the model server's online trainer read them, so they run on the monitoring cluster; placed
 * elsewhere, their URL would be a `…svc.clusterset.local` name that nothing serves and no policy admits.
 */
export function checkHubReaders(spec: StackSpec, hub: string | undefined, placed: { readonly dashboards?: string; readonly modelServer?: string }, problems: ProblemList): void {
  if (spec.energy?.modelServer?.onlineTrainer && !spec.monitoring) {
    problems.add('energy.modelServer.onlineTrainer', 'needs monitoring: the online trainer learns from the hub Prometheus: add monitoring: {} or set onlineTrainer to false');
  }
  if (hub === undefined) return;
  // An existing Grafana (sidecar) gets only dashboard ConfigMaps: its datasource, and how it reaches Prometheus, are its own.
  if (placed.dashboards !== undefined && placed.dashboards !== hub && spec.dashboards?.mode !== 'sidecar') {
    problems.add('dashboards.cluster', `is "${placed.dashboards}", but Grafana reads the Prometheus and Alertmanager of the monitoring cluster "${hub}", which are not exposed to other clusters: remove dashboards.cluster (it defaults to "${hub}") or set it to "${hub}"`);
  }
  if (spec.energy?.modelServer?.onlineTrainer && placed.modelServer !== undefined && placed.modelServer !== hub) {
    problems.add('energy.modelServer.onlineTrainer', `needs the model server on the monitoring cluster "${hub}" (energy.modelServer.cluster is "${placed.modelServer}"): the online trainer queries the Prometheus there, which is not exposed to other clusters: set energy.modelServer.cluster to "${hub}", or set onlineTrainer to false`);
  }
}
