import { AlertRule, RecordingRule, RuleGroup } from '../core/monitoring-contract';
import { VERSIONS } from '../core/versions';
import { FLOTTA_EDGE_API, FLOTTA_MANAGER, FLOTTA_METRIC } from '../fleet/flotta-operator';
import { StackModel } from '../model/types';
import { runbookBase, runbookURL } from './runbooks';
import { DEVICE_RECORD, devicePowerMissingAlert, devicePowerRules } from './device-power-rules';

/** Names of the recording rules, for dashboards and tests. */
export const RECORD = {
  nodePower: 'node:edgewatt_power_watts:sum',
  nodeSourcePower: 'node_source:edgewatt_power_watts:sum',
  namespacePower: 'namespace:edgewatt_power_watts:sum',
  podPower: 'pod:edgewatt_power_watts:sum',
  clusterPower: 'cluster:edgewatt_power_watts:sum',
  clusterEnergy: 'cluster:edgewatt_energy_kwh:increase1h',
  namespaceEnergy: 'namespace:edgewatt_energy_kwh:increase1h',
  clusterCo2: 'cluster:edgewatt_co2_grams:increase1h',
  namespaceCo2: 'namespace:edgewatt_co2_grams:increase1h',
  carbonIntensity: 'edgewatt:carbon_intensity_grams_per_kwh',
  devicePower: DEVICE_RECORD.power,
  deviceSourcePower: DEVICE_RECORD.sourcePower,
  deviceEnergy: DEVICE_RECORD.energy,
  deviceSourceCount: DEVICE_RECORD.sourceDevices,
} as const;

/**
 * In bundled mode fleet devices remote-write through the device metrics gateway, which adds `cluster` and
 * `device` to every series (lib/monitoring/remote-write-gateway.ts); in prometheus-operator mode they write
 * straight into the install's receiver, which has no relabelling. Either way the Flotta device agent adds only `edgedeviceid="<device id>"` to every series it sends
 * (github project-flotta/flotta-device-worker, tag 0.2.0, internal/metrics/remote_write.go `DeviceLabel`) and
 * the receiver configuration offers no labels of its own (flotta-operator v0.2.0
 * api/v1alpha1/edgedevice_types.go `MetricsReceiverConfiguration`: url, requestNumSamples, timeoutSeconds,
 * caSecretName). So device series reach the hub with `edgedeviceid` and without `cluster`, `node` or `job`.
 * The node, pod, namespace and cluster rules select `edgedeviceid=""` (series without it: the clusters' own),
 * so a device is never folded into a series with empty `cluster`/`node`; the device rules give each device's
 * series the managing `cluster` and a `device` label.
 */
const CLUSTER_SERIES = 'edgedeviceid=""';

const JOULES_PER_KWH = 3.6e6;

/** `a + (b or a * 0)`: adds an optional source without losing nodes that lack it. */
function plusOptional(a: string, b: string): string {
  return `(${a}) + (${b} or (${a}) * 0)`;
}

interface PowerTerms {
  /** Node power in watts by (cluster, node). */
  readonly node: string;
  /** Node power by (cluster, node, source). */
  readonly nodeSource: string;
  /** Workload power by (cluster, namespace, pod). */
  readonly pod: string;
  /** Node energy increase over 1h in joules, by cluster. */
  readonly clusterJoules1h: string;
  /** Workload energy increase over 1h in joules, by (cluster, namespace). */
  readonly namespaceJoules1h: string;
}

/** Classic Kepler: package and DRAM (its release-0.7.12 image reads no GPU; lib/model/resolve.ts refuses gpu with it). */
function classicTerms(): PowerTerms {
  const node = (src: string) => `sum by (cluster, node) (rate(kepler_node_${src}_joules_total{${CLUSTER_SERIES}}[5m]))`;
  const sources = ['package', 'dram'];
  const withSource = (src: string) => `label_replace(${node(src)}, "source", "${src}", "", "")`;
  const podOf = (src: string) =>
    `sum by (cluster, namespace, pod) (label_replace(label_replace(rate(kepler_container_${src}_joules_total{${CLUSTER_SERIES}}[5m]), "namespace", "$1", "container_namespace", "(.*)"), "pod", "$1", "pod_name", "(.*)"))`;
  const inc = (src: string, by: string) => `sum by (${by}) (increase(kepler_node_${src}_joules_total{${CLUSTER_SERIES}}[1h]))`;
  const nsInc = (src: string) => `sum by (cluster, namespace) (label_replace(increase(kepler_container_${src}_joules_total{${CLUSTER_SERIES}}[1h]), "namespace", "$1", "container_namespace", "(.*)"))`;
  const add = (f: (s: string) => string) => `${f('package')} + ${f('dram')}`;
  return {
    node: add(node),
    nodeSource: sources.map(withSource).join(' or '),
    pod: add(podOf),
    clusterJoules1h: add((s) => inc(s, 'cluster')),
    namespaceJoules1h: add(nsInc),
  };
}

function currentTerms(gpu: boolean): PowerTerms {
  const cpu = `kepler_node_cpu_watts{zone=~"package|dram", ${CLUSTER_SERIES}}`;
  const cpuNode = `sum by (cluster, node) (${cpu})`;
  const gpuNode = `sum by (cluster, node) (kepler_node_gpu_watts{${CLUSTER_SERIES}})`;
  const pod = (metric: string) =>
    `sum by (cluster, namespace, pod) (label_replace(label_replace(${metric}, "namespace", "$1", "pod_namespace", "(.*)"), "pod", "$1", "pod_name", "(.*)"))`;
  const cpuPod = pod(`kepler_pod_cpu_watts{zone=~"package|dram", ${CLUSTER_SERIES}}`);
  const nodeJ = `sum by (cluster) (increase(kepler_node_cpu_joules_total{zone=~"package|dram", ${CLUSTER_SERIES}}[1h]))`;
  const nsJ = (metric: string) => `sum by (cluster, namespace) (label_replace(increase(${metric}[1h]), "namespace", "$1", "pod_namespace", "(.*)"))`;
  return {
    node: gpu ? plusOptional(cpuNode, gpuNode) : cpuNode,
    nodeSource: `sum by (cluster, node, source) (label_replace(${cpu}, "source", "$1", "zone", "(.*)"))${gpu ? ` or label_replace(${gpuNode}, "source", "gpu", "", "")` : ''}`,
    pod: gpu ? plusOptional(cpuPod, pod(`kepler_pod_gpu_watts{${CLUSTER_SERIES}}`)) : cpuPod,
    clusterJoules1h: gpu ? plusOptional(nodeJ, `sum by (cluster) (increase(kepler_node_gpu_joules_total{${CLUSTER_SERIES}}[1h]))`) : nodeJ,
    namespaceJoules1h: gpu
      ? plusOptional(nsJ(`kepler_pod_cpu_joules_total{zone=~"package|dram", ${CLUSTER_SERIES}}`), nsJ(`kepler_pod_gpu_joules_total{${CLUSTER_SERIES}}`))
      : nsJ(`kepler_pod_cpu_joules_total{zone=~"package|dram", ${CLUSTER_SERIES}}`),
  };
}

/** Recording rules for power (W), energy (kWh) and CO2 (g), from the exporter generation in use. */
export function energyRecordingRules(model: StackModel): RuleGroup | undefined {
  const e = model.energy;
  if (!e) {
    // Profile devices need no exporter: their records stand alone.
    const device = devicePowerRules(model);
    return device.length ? { name: 'edgewatt-energy', rules: device } : undefined;
  }
  const t = e.kepler.generation === 'classic' ? classicTerms() : currentTerms(e.kepler.gpu);
  const intensity = model.monitoring?.carbonIntensity ?? 475;
  const rules: RecordingRule[] = [
    { record: RECORD.nodePower, expr: t.node },
    { record: RECORD.nodeSourcePower, expr: t.nodeSource },
    { record: RECORD.podPower, expr: t.pod },
    { record: RECORD.namespacePower, expr: `sum by (cluster, namespace) (${RECORD.podPower})` },
    { record: RECORD.clusterPower, expr: `sum by (cluster) (${RECORD.nodePower})` },
    { record: RECORD.clusterEnergy, expr: `(${t.clusterJoules1h}) / ${JOULES_PER_KWH}` },
    { record: RECORD.namespaceEnergy, expr: `(${t.namespaceJoules1h}) / ${JOULES_PER_KWH}` },
    { record: RECORD.carbonIntensity, expr: `vector(${intensity})` },
    { record: RECORD.clusterCo2, expr: `${RECORD.clusterEnergy} * ${intensity}` },
    { record: RECORD.namespaceCo2, expr: `${RECORD.namespaceEnergy} * ${intensity}` },
    // Per fleet device, by source (lib/monitoring/device-power-rules.ts).
    ...devicePowerRules(model),
  ];
  return { name: 'edgewatt-energy', rules };
}

type Alert = Omit<AlertRule, 'runbookURL'>;

/** Control-plane components that run as static pods (seen by kube-state-metrics), per platform. */
const CONTROL_PLANE: Record<string, Array<{ alert: string; namespace: string; pod: string; what: string }>> = {
  k3s: [],
  generic: [],
  kubeadm: [
    { alert: 'KubeSchedulerDown', namespace: 'kube-system', pod: 'kube-scheduler-.*', what: 'kube-scheduler' },
    { alert: 'KubeControllerManagerDown', namespace: 'kube-system', pod: 'kube-controller-manager-.*', what: 'kube-controller-manager' },
  ],
  openshift: [
    { alert: 'KubeSchedulerDown', namespace: 'openshift-kube-scheduler', pod: 'openshift-kube-scheduler-.*', what: 'kube-scheduler' },
    { alert: 'KubeControllerManagerDown', namespace: 'openshift-kube-controller-manager', pod: 'kube-controller-manager-.*', what: 'kube-controller-manager' },
  ],
};

/** Kubernetes state and events, the way kubernetes-mixin alerts on them, from kube-state-metrics. */
export function kubernetesAlerts(model: StackModel): Alert[] {
  const ksm = 'job="kube-state-metrics"';
  const alerts: Alert[] = [
    {
      alert: 'KubePodCrashLooping',
      expr: `max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", ${ksm}}[5m]) >= 1`,
      for: '15m',
      severity: 'warning',
      summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping',
      description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} on cluster {{ $labels.cluster }} has been in CrashLoopBackOff for 15 minutes.',
      steps: ['kubectl -n <namespace> logs <pod> -c <container> --previous', 'kubectl -n <namespace> describe pod <pod>: look at Last State and Events.'],
    },
    {
      alert: 'KubeContainerOOMKilled',
      expr: `(increase(kube_pod_container_status_restarts_total{${ksm}}[10m]) > 0) and on (cluster, namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled", ${ksm}} == 1)`,
      for: '0m',
      severity: 'warning',
      summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} was OOM-killed',
      description: 'The container restarted in the last 10 minutes after running out of memory.',
      steps: ['Compare the memory limit with the usage before the kill.', 'Raise the limit in the stack (resources) or fix the leak.'],
    },
    {
      alert: 'KubePodRestartingOften',
      expr: `increase(kube_pod_container_status_restarts_total{${ksm}}[1h]) > 5`,
      for: '0m',
      severity: 'warning',
      summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} restarted more than 5 times in an hour',
      description: 'Frequent restarts without a crash loop: probes failing, or the process exiting.',
      steps: ['kubectl -n <namespace> describe pod <pod>: probe failures appear in Events.', 'Read the log of the previous run (--previous).'],
    },
    {
      alert: 'KubeNodeNotReady',
      expr: `kube_node_status_condition{condition="Ready", status="true", ${ksm}} == 0`,
      for: '15m',
      severity: 'warning',
      summary: 'Node {{ $labels.node }} of cluster {{ $labels.cluster }} is not ready',
      description: 'The node has not been Ready for 15 minutes: its workloads are being evicted and its power is not measured.',
      steps: ['kubectl describe node <node>: read Conditions.', 'Check power and network of the edge site; check the kubelet (journalctl -u kubelet or k3s).'],
    },
    {
      alert: 'KubePersistentVolumeClaimPending',
      expr: `kube_persistentvolumeclaim_status_phase{phase="Pending", ${ksm}} == 1`,
      for: '15m',
      severity: 'warning',
      summary: 'PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is pending',
      description: 'The claim has been Pending for 15 minutes: no volume matches it, or no storage class provisions it.',
      steps: ['kubectl -n <namespace> describe pvc <claim>: read Events.', 'Check that the cluster has a default StorageClass (k3s ships local-path).'],
    },
  ];
  // The exporter every alert above reads, on each cluster that runs it (bundled mode: every monitored cluster; an
  // existing install has its own, and its own alert for it): without this, a kube-state-metrics down, unscraped or
  // not remote-written makes every kube_* alert of that cluster silent.
  const mon = model.monitoring;
  if (mon && mon.mode === 'bundled') {
    const clusters = model.clusters.filter((c) => c.name === mon.cluster || c.namespaces.length > 0).map((c) => c.name);
    alerts.push({
      alert: 'KubeStateMetricsDown',
      expr: [`up{${ksm}} == 0`, ...clusters.map((c) => `absent(up{${ksm}, cluster="${c}"})`)].join(' or '),
      for: '10m',
      severity: 'warning',
      summary: 'kube-state-metrics is not scraped on cluster {{ $labels.cluster }}',
      description: 'Prometheus has had no sample of kube-state-metrics for 10 minutes: every Kubernetes state alert of that cluster (crash loops, nodes not ready, pending claims, undeclared registries) is blind.',
      steps: [
        'kubectl -n <monitoring namespace> get pods -l app.kubernetes.io/name=kube-state-metrics, and its log (list/watch errors name a missing permission).',
        'On an edge cluster, check its Prometheus agent and its remote write to the hub (the receiver, its auth).',
      ],
    });
  }
  // One rule per control-plane component, covering every platform of the stack that runs it as a static pod.
  const platforms = [...new Set(model.clusters.map((c) => c.platform))].sort();
  const byAlert = new Map<string, { what: string; terms: string[]; where: string[] }>();
  for (const p of platforms) {
    const clusters = model.clusters.filter((c) => c.platform === p).map((c) => c.name);
    for (const cp of CONTROL_PLANE[p]) {
      const entry = byAlert.get(cp.alert) ?? { what: cp.what, terms: [], where: [] };
      entry.terms.push(
        `(count by (cluster) (kube_pod_info{${ksm}, cluster=~"${clusters.join('|')}"}) unless on (cluster) count by (cluster) (kube_pod_status_phase{namespace="${cp.namespace}", pod=~"${cp.pod}", phase="Running", ${ksm}} == 1))`,
      );
      entry.where.push(`${cp.namespace} on ${p}`);
      byAlert.set(cp.alert, entry);
    }
  }
  for (const [alert, e] of byAlert) {
    alerts.push({
      alert,
      expr: e.terms.join(' or '),
      for: '15m',
      severity: 'critical',
      summary: `${e.what} is not running on cluster {{ $labels.cluster }}`,
      description: `No ${e.what} pod has been Running for 15 minutes; it runs as a static pod in ${e.where.join(', ')}.`,
      steps: [`Log in to a control-plane node and check the static pod manifest of ${e.what}.`, 'Read the container log with crictl logs.'],
    });
  }
  return alerts;
}

/**
 * Alerts that read the energy recording rules. They go in the same group, after the recordings: rules of a
 * group run in order, while separate groups run independently, so an alert in another group would read a
 * recording a cycle late, or not at all.
 */
export function energyThresholdAlerts(model: StackModel): Alert[] {
  const out: Alert[] = [];
  const m = model.monitoring;
  if (model.energy && m) {
    out.push({
      alert: 'EdgeNodePowerHigh',
      expr: `${RECORD.nodePower} > ${m.alerts.nodePowerWatts}`,
      for: '15m',
      severity: 'warning',
      summary: 'Node {{ $labels.node }} draws {{ $value | humanize }}W',
      description: `Node {{ $labels.node }} of cluster {{ $labels.cluster }} has drawn more than ${m.alerts.nodePowerWatts} W for 15 minutes.`,
      steps: ['Open the node dashboard: find the source (package, dram, gpu) and the pods that draw most.', 'Move deferrable workloads, or raise monitoring.alerts.nodePowerWatts if the load is expected.'],
    });
  }
  const missing = devicePowerMissingAlert(model);
  if (missing) out.push(missing);
  return out;
}

/**
 * Alerts on fleet devices and on the Flotta operator that reports them, from the stack's thresholds. Metric
 * names and labels are the operator's (lib/fleet/flotta-operator.ts, flotta-operator v0.2.0
 * internal/common/metrics/metrics.go); the scrape jobs are edgewatt's (charts/fleet.ts).
 */
export function stackAlerts(model: StackModel): Alert[] {
  const out: Alert[] = [];
  const m = model.monitoring;
  if (model.fleet && m) {
    const minutes = m.alerts.deviceHeartbeatMinutes;
    const at = `cluster="${model.fleet.cluster}"`;
    const hb = FLOTTA_METRIC.heartbeat;
    const by = 'cluster, deviceNamespace, deviceID';
    out.push({
      alert: 'FlottaOperatorMetricsDown',
      expr: [FLOTTA_MANAGER, FLOTTA_EDGE_API].map((s) => `up{job="${s.job}", ${at}} == 0 or absent(up{job="${s.job}", ${at}})`).join(' or '),
      for: '10m',
      severity: 'warning',
      summary: 'Flotta {{ $labels.job }} is not scraped on cluster {{ $labels.cluster }}',
      description: `Prometheus has had no successful scrape of the Flotta {{ $labels.job }} metrics for 10 minutes: device heartbeats are not seen, so EdgeDeviceHeartbeatMissing cannot fire.`,
      steps: [
        `kubectl -n ${VERSIONS.flottaOperator.namespace} get pods -l app={{ $labels.job }}: is the pod running, with its kube-rbac-proxy container?`,
        'Prometheus targets page: a 401/403 means the token or the metrics-reader ClusterRole binding is missing; no target means discovery RBAC in the Flotta namespace is missing.',
      ],
    });
    // The controller manager lists every EdgeDevice (series at 0); the edge API counts heartbeats. A device the
    // operator knows whose count did not rise in the window is silent, also when it never sent one.
    out.push({
      alert: 'EdgeDeviceHeartbeatMissing',
      expr:
        `label_replace(max by (${by}) (${hb}{job="${FLOTTA_MANAGER.job}"}) unless on (${by}) ` +
        `(sum by (${by}) (increase(${hb}{job="${FLOTTA_EDGE_API.job}"}[${minutes}m])) > 0), "device", "$1", "deviceID", "(.*)")`,
      for: '1m',
      severity: 'warning',
      summary: 'Device {{ $labels.device }} sent no heartbeat',
      description: `The Flotta operator on cluster {{ $labels.cluster }} has received no heartbeat from device {{ $labels.device }} for ${minutes} minutes.`,
      steps: ['Check power and network of the device.', 'On the device: systemctl status yggdrasild (the Flotta agent), and its log.', 'A device listed in Git that never registered alerts too: install and register it, or remove it from fleet.devices.'],
    });
  }
  return out;
}

/** Every alert and recording rule group the monitoring component owns, with runbook URLs. */
export function monitoringRuleGroups(model: StackModel): RuleGroup[] {
  const base = runbookBase(model);
  const withRunbook = (a: Alert): AlertRule => ({ ...a, runbookURL: runbookURL(base, a.alert) });
  const groups: RuleGroup[] = [];
  const rec = energyRecordingRules(model);
  if (rec) groups.push({ name: rec.name, rules: [...rec.rules, ...energyThresholdAlerts(model).map(withRunbook)] });
  const stack = stackAlerts(model);
  if (stack.length) groups.push({ name: 'edgewatt-stack-alerts', rules: stack.map(withRunbook) });
  groups.push({ name: 'edgewatt-kubernetes-alerts', rules: kubernetesAlerts(model).map(withRunbook) });
  return groups;
}
