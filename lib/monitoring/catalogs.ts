import { keplerCatalog } from '../energy/catalog';
import { eventerMetricNames } from '../events/catalog';
import { setPowers } from '../model/device-power';
import { StackModel } from '../model/types';

/**
 * Metrics of the other exporters that edgewatt's rules and dashboards use, by exporter. Names read from
 * kube-state-metrics v2.19 docs, Prometheus itself, and flotta-operator internal/common/metrics.
 */
export const KUBE_STATE_METRICS = [
  'kube_daemonset_status_desired_number_scheduled',
  'kube_daemonset_status_number_unavailable',
  'kube_deployment_spec_replicas',
  'kube_deployment_status_replicas_available',
  'kube_node_info',
  'kube_node_labels',
  'kube_node_status_condition',
  'kube_persistentvolumeclaim_status_phase',
  'kube_pod_container_status_last_terminated_reason',
  'kube_pod_container_status_restarts_total',
  'kube_pod_container_status_waiting_reason',
  'kube_pod_container_info',
  'kube_pod_info',
  'kube_pod_init_container_info',
  'kube_pod_labels',
  'kube_pod_status_phase',
  'kube_statefulset_status_replicas_ready',
] as const;

/** Series every Prometheus scrape produces, and Prometheus's own metrics the rules use. */
export const PROMETHEUS_METRICS = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'prometheus_remote_storage_samples_failed_total', 'prometheus_tsdb_head_series'] as const;

/** flotta-operator metrics (counter per device heartbeat, labels deviceNamespace and deviceID). */
export const FLOTTA_METRICS = ['flotta_api_edge_devices_heartbeat', 'flotta_api_edge_devices_successful_registration', 'flotta_api_edge_devices_failed_registration'] as const;

/** Resource labels kube-state-metrics exposes with --metric-labels-allowlist (pods: the app.kubernetes.io set). */
export const KSM_POD_LABELS_ALLOWLIST = 'pods=[app.kubernetes.io/name,app.kubernetes.io/component,app.kubernetes.io/part-of]';

/** Every metric name a query in this stack may use, before recording rules. */
export function knownMetrics(model: StackModel): Set<string> {
  const out = new Set<string>([...KUBE_STATE_METRICS, ...PROMETHEUS_METRICS]);
  if (model.energy) {
    const k = model.energy.kepler;
    for (const m of keplerCatalog({ generation: k.generation, gpu: k.gpu, processMetrics: k.processMetrics })) out.add(m.name);
  }
  if (model.fleet) for (const m of FLOTTA_METRICS) out.add(m);
  if (model.monitoring?.events.enabled) for (const m of eventerMetricNames()) out.add(m);
  // Fleet devices run the current generation (node and container levels) and remote-write its metrics.
  // Measured sets run the current generation, estimated sets the classic one (node level); profile sets read
  // node_exporter's CPU time, which the Flotta agent sends as system metrics.
  if (model.fleet) {
    const sources = new Set(setPowers(model.fleet).map((s) => s.power?.source));
    if (sources.has('measured')) for (const m of keplerCatalog({ generation: 'current', gpu: false, processMetrics: false })) out.add(m.name);
    if (sources.has('estimated')) for (const m of keplerCatalog({ generation: 'classic', gpu: false, processMetrics: false })) out.add(m.name);
    out.add('node_cpu_seconds_total');
  }
  return out;
}
