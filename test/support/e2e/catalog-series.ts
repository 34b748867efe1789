import { KubeObject, keplerCatalog, MetricSpec, StackModel } from '../../../lib/internal';
import { catalogSeries, counter, FakeSeries } from './exposition';
import { FakeNode, FakePod } from './pods';

/**
 * What each fake exporter serves: the families of edgewatt's metric catalogs (lib/energy/catalog.ts,
 * lib/monitoring/catalogs.ts) with known values, so the rules' results can be predicted.
 */

/** Watts per classic source and mode on a node with multiplier 1 (the rules add package, dram and gpu). */
export const CLASSIC_WATTS: Readonly<Record<string, { dynamic: number; idle: number }>> = {
  package: { dynamic: 30, idle: 10 },
  dram: { dynamic: 6, idle: 2 },
  gpu: { dynamic: 20, idle: 5 },
  core: { dynamic: 3, idle: 1 },
  uncore: { dynamic: 2, idle: 1 },
  other: { dynamic: 1, idle: 1 },
  platform: { dynamic: 90, idle: 30 },
};

/** Watts per current-generation zone with multiplier 1 (the rules add package and dram). */
export const CURRENT_WATTS: Readonly<Record<string, number>> = { package: 40, dram: 8, core: 3 };

/** The workloads whose containers draw power on every node, with their share of the node's power. */
export const WORKLOAD_SHARES = [
  { namespace: 'iomt-object-detection', pod: 'object-detect', container: 'detector', share: 0.5 },
  { namespace: 'monitoring', pod: 'kube-state-metrics', container: 'kube-state-metrics', share: 0.25 },
] as const;

/** A node's multiplier: nodes draw 1×, 1.5× or 2× the base watts, by position. */
export function nodeMultiplier(index: number): number {
  return 1 + (index % 3) * 0.5;
}

/** Node power the recording rules should compute, in W. */
export function expectedNodeWatts(model: StackModel, index: number): number {
  const k = model.energy!.kepler;
  const m = nodeMultiplier(index);
  if (k.generation === 'classic') {
    const sources = ['package', 'dram', ...(k.gpu ? ['gpu'] : [])];
    return m * sources.reduce((s, src) => s + CLASSIC_WATTS[src].dynamic + CLASSIC_WATTS[src].idle, 0);
  }
  if (k.gpu) throw new Error('the fixture serves no GPU watts for the current generation');
  return m * (CURRENT_WATTS.package + CURRENT_WATTS.dram);
}

/**
 * The classic exporter's `source` label: where the energy was read, not the component — the same value
 * (the RAPL reader) for package, core, uncore, dram and other, the GPU's name for gpu, the platform reader
 * for platform (kepler v0.7.12 pkg/metrics/metricfactory/metric_factory.go, EnergyMetricsPromDesc).
 */
function sourceLabel(spec: MetricSpec): string {
  return spec.source === 'gpu' ? 'nvidia' : spec.source === 'platform' ? 'acpi' : 'rapl-sysfs';
}

function labelSetsFor(spec: MetricSpec, node: string): Array<Record<string, string>> {
  let sets: Array<Record<string, string>> = [{}];
  const expand = (label: string, values: string[]) => (sets = sets.flatMap((s) => values.map((v) => ({ ...s, [label]: v }))));
  const perWorkload = ['container', 'pod', 'process'].includes(spec.level);
  if (perWorkload) {
    sets = WORKLOAD_SHARES.map((w) => ({ __w: w.pod }));
  }
  for (const l of spec.labels) {
    if (l === 'mode') expand(l, ['dynamic', 'idle']);
    else if (l === 'zone') expand(l, ['package', 'dram', 'core']);
    else
      sets = sets.map((s) => {
        const w = WORKLOAD_SHARES.find((x) => x.pod === s.__w);
        const v: Record<string, string> = {
          instance: node,
          node_name: node,
          container_namespace: w?.namespace ?? '',
          pod_namespace: w?.namespace ?? '',
          pod_name: w ? `${w.pod}-${node}` : '',
          container_name: w?.container ?? '',
          container_id: w ? `${w.pod}-${node}-c` : '',
          pod_id: w ? `${w.pod}-${node}-p` : '',
          command: w?.container ?? '',
          comm: w?.container ?? '',
          source: sourceLabel(spec),
          // Kepler v0.11.4 names a RAPL zone by its sysfs path (internal/device/rapl_sysfs_power_meter.go).
          path: '/sys/class/powercap/intel-rapl:0',
        };
        return { ...s, [l]: v[l] ?? `${l}-0` };
      });
  }
  return sets;
}

/** The Kepler exporter's series on one node (the generation and options the stack configures). */
export function keplerSeries(model: StackModel, node: string, index: number, startMs: number): FakeSeries[] {
  const k = model.energy!.kepler;
  const m = nodeMultiplier(index);
  const catalog = keplerCatalog({ generation: k.generation, gpu: k.gpu, processMetrics: k.processMetrics });
  return catalogSeries(
    catalog,
    startMs,
    (spec) => labelSetsFor(spec, node),
    (spec, labels) => watts(spec, labels, m),
  ).map((s) => ({ ...s, labels: Object.fromEntries(Object.entries(s.labels).filter(([k2]) => k2 !== '__w')) }));
}

function watts(spec: MetricSpec, labels: Readonly<Record<string, string>>, m: number): number {
  const share = spec.level === 'node' ? 1 : spec.level === 'vm' ? 0 : (WORKLOAD_SHARES.find((w) => w.pod === labels.__w)?.share ?? 0);
  if (labels.zone !== undefined) return m * share * (spec.source === 'gpu' ? 0 : (CURRENT_WATTS[labels.zone] ?? 0));
  const src = CLASSIC_WATTS[spec.source ?? ''];
  if (!src) return 0;
  return m * share * (labels.mode === 'idle' ? src.idle : src.dynamic);
}

/**
 * A fleet device's series as the Flotta device worker remote-writes them: the device exporter's families
 * (current generation, node and container levels) with the worker's `edgedeviceid` label
 * (project-flotta/flotta-device-worker internal/metrics/remote_write.go at 0.2.0: DeviceLabel).
 */
export function deviceSeries(device: string, processMetrics: boolean, startMs: number): FakeSeries[] {
  const catalog = keplerCatalog({ generation: 'current', gpu: false, processMetrics }).filter((s) => s.level === 'node' || s.level === 'container');
  return catalogSeries(catalog, startMs, (spec) => labelSetsFor(spec, device), (spec, labels) => watts(spec, labels, 0.25)).map((s) => ({
    ...s,
    labels: { ...Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== '__w')), edgedeviceid: device },
  }));
}

/** Device power the fleet panel should show, in W (package + dram at the device's multiplier 0.25). */
export const DEVICE_WATTS = 0.25 * (CURRENT_WATTS.package + CURRENT_WATTS.dram);

/** Multiplier of the estimated device's classic watts. */
const ESTIMATED_MULTIPLIER = 0.1;

/**
 * A device estimating its power with Kepler classic (v0.7.12), as the relay's federation hands its series to
 * the Flotta worker: the node package and dram counters, `mode` dynamic and idle, and the exporter's own
 * `source="trained_power_model"` (pkg/model/types/types.go TrainedPowerModelSource), plus `edgedeviceid`.
 */
export function estimatedDeviceSeries(device: string, startMs: number): FakeSeries[] {
  const catalog = keplerCatalog({ generation: 'classic', gpu: false, processMetrics: false }).filter((s) => s.level === 'node' && (s.source === 'package' || s.source === 'dram'));
  return catalog.flatMap((spec) =>
    (['dynamic', 'idle'] as const).map((mode) => ({
      name: spec.name,
      type: spec.type,
      labels: { package: '0', instance: device, mode, source: 'trained_power_model', edgedeviceid: device },
      value: counter(ESTIMATED_MULTIPLIER * CLASSIC_WATTS[spec.source!][mode], startMs),
    })),
  );
}

/** Watts the estimated device's record should show: package + dram, dynamic + idle, at its multiplier. */
export const ESTIMATED_DEVICE_WATTS = ESTIMATED_MULTIPLIER * (['package', 'dram'] as const).reduce((n, s) => n + CLASSIC_WATTS[s].dynamic + CLASSIC_WATTS[s].idle, 0);

/** Idle fraction of each CPU of the profile device (mean 0.4: utilisation 0.6). */
export const PROFILE_IDLE_FRACTIONS = [0.7, 0.1];

/**
 * A device Kepler does not run on: only node_exporter's CPU time, sent by the Flotta worker as system metrics
 * (node_cpu_seconds_total{cpu, mode}); idle time grows by the CPU's idle fraction each second.
 */
export function profileDeviceSeries(device: string, startMs: number): FakeSeries[] {
  return PROFILE_IDLE_FRACTIONS.flatMap((idle, cpu) => [
    { name: 'node_cpu_seconds_total', type: 'counter' as const, labels: { cpu: String(cpu), mode: 'idle', edgedeviceid: device }, value: counter(idle, startMs) },
    { name: 'node_cpu_seconds_total', type: 'counter' as const, labels: { cpu: String(cpu), mode: 'user', edgedeviceid: device }, value: counter(1 - idle, startMs) },
  ]);
}

const constant = (v: number) => () => v;

/**
 * kube-state-metrics's series for one fake cluster, derived from its synthesized objects and fake pods (label
 * names from kube-state-metrics v2.19 docs/metrics/: namespace plus the object kind's own label). The
 * waiting/terminated reason families are left out: kube-state-metrics emits them only for containers in
 * that state, and no fake container is.
 */
export function kubeStateSeries(objects: ReadonlyArray<KubeObject>, nodes: ReadonlyArray<FakeNode>, pods: ReadonlyArray<FakePod>, startMs: number): FakeSeries[] {
  const out: FakeSeries[] = [];
  const g = (name: string, labels: Record<string, string>, v = 1) => out.push({ name, type: 'gauge', labels, value: constant(v) });
  for (const n of nodes) {
    g('kube_node_info', { node: n.name, kernel_version: '6.1.0', container_runtime_version: 'containerd://1.7' });
    g('kube_node_labels', { node: n.name, ...Object.fromEntries(Object.entries(n.labels).map(([k, v]) => [`label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, v])) });
    for (const status of ['true', 'false', 'unknown']) g('kube_node_status_condition', { node: n.name, condition: 'Ready', status }, status === 'true' ? 1 : 0);
  }
  for (const p of pods) {
    const [kind, name] = p.controller.split('/');
    g('kube_pod_info', { namespace: p.namespace, pod: p.name, node: p.node, created_by_kind: kind, created_by_name: name });
    g('kube_pod_labels', { namespace: p.namespace, pod: p.name, ...Object.fromEntries(Object.entries(p.labels).map(([k, v]) => [`label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, v])) });
    for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) g('kube_pod_status_phase', { namespace: p.namespace, pod: p.name, phase }, phase === 'Running' ? 1 : 0);
    for (const c of p.containers) out.push({ name: 'kube_pod_container_status_restarts_total', type: 'counter', labels: { namespace: p.namespace, pod: p.name, container: c.name }, value: counter(0, startMs, 0) });
  }
  for (const o of objects) {
    const ns = o.metadata.namespace ?? '';
    const spec = (o as any).spec; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (o.kind === 'Deployment') {
      g('kube_deployment_spec_replicas', { namespace: ns, deployment: o.metadata.name }, spec.replicas ?? 1);
      g('kube_deployment_status_replicas_available', { namespace: ns, deployment: o.metadata.name }, spec.replicas ?? 1);
    } else if (o.kind === 'StatefulSet') {
      g('kube_statefulset_status_replicas_ready', { namespace: ns, statefulset: o.metadata.name }, spec.replicas ?? 1);
      for (const t of spec.volumeClaimTemplates ?? []) for (let i = 0; i < (spec.replicas ?? 1); i++) g('kube_persistentvolumeclaim_status_phase', { namespace: ns, persistentvolumeclaim: `${t.metadata.name}-${o.metadata.name}-${i}`, phase: 'Bound' });
    } else if (o.kind === 'DaemonSet') {
      g('kube_daemonset_status_desired_number_scheduled', { namespace: ns, daemonset: o.metadata.name }, nodes.length);
      g('kube_daemonset_status_number_unavailable', { namespace: ns, daemonset: o.metadata.name }, 0);
    } else if (o.kind === 'PersistentVolumeClaim') {
      g('kube_persistentvolumeclaim_status_phase', { namespace: ns, persistentvolumeclaim: o.metadata.name, phase: 'Bound' });
    }
  }
  return out;
}

/**
 * The Flotta operator's series (flotta-operator internal/common/metrics/metrics.go at v0.2.0), per component:
 * the controller manager lists every EdgeDevice it reconciles with `flotta_api_edge_devices_heartbeat` at 0;
 * the edge API counts each device's heartbeats (`heartbeats(device)`) and the registrations.
 */
export function flottaSeries(component: 'controller-manager' | 'edge-api', devices: ReadonlyArray<{ namespace: string; name: string }>, heartbeats: (device: string) => number): FakeSeries[] {
  const heartbeat = (d: { namespace: string; name: string }) => ({ name: 'flotta_api_edge_devices_heartbeat', type: 'counter' as const, labels: { deviceNamespace: d.namespace, deviceID: d.name }, value: component === 'edge-api' ? () => heartbeats(d.name) : constant(0) });
  if (component === 'controller-manager') return devices.map(heartbeat);
  return [
    { name: 'flotta_api_edge_devices_successful_registration', type: 'counter', labels: {}, value: constant(devices.length) },
    { name: 'flotta_api_edge_devices_failed_registration', type: 'counter', labels: {}, value: constant(0) },
    ...devices.map(heartbeat),
  ];
}

/**
 * kube-eventer's series (lib/events/catalog.ts, KUBE_EVENTER_METRICS): every event counter grows (one
 * triaged error, one raw Warning and one Normal event kind on a workload pod), the timestamps are now; the
 * summary `eventer_scraper_duration_milliseconds` is left out (FakeSeries has no summary type; nothing reads it).
 */
export function eventerSeries(pod: { namespace: string; name: string }, startMs: number): FakeSeries[] {
  const involved = { kind: 'Pod', name: pod.name, namespace: pod.namespace };
  const now = () => Date.now() / 1000;
  return [
    { name: 'eventer_events_error_total', type: 'counter', labels: { reason: 'PodCrash', ...involved }, value: counter(0.05, startMs, 0) },
    { name: 'eventer_events_warning_total', type: 'counter', labels: { reason: 'Unhealthy', ...involved }, value: counter(0.1, startMs, 0) },
    { name: 'eventer_events_normal_total', type: 'counter', labels: { reason: 'Scheduled', namespace: pod.namespace, kind: 'Pod' }, value: counter(0.1, startMs, 0) },
    { name: 'eventer_scraper_events_total_number', type: 'counter', labels: {}, value: counter(0.25, startMs, 0) },
    { name: 'eventer_scraper_last_time_seconds', type: 'gauge', labels: {}, value: now },
    { name: 'eventer_manager_last_time_seconds', type: 'gauge', labels: {}, value: now },
  ];
}
