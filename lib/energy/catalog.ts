/**
 * What the Kepler exporter emits, per generation and configuration. The monitoring rules and dashboards
 * query only names from here (or from recording rules), and the PromQL check rejects any other name.
 * Facts read from Kepler v0.7.12 (pkg/metrics) and v0.11.4 (docs/user/metrics.md).
 */

/** One metric family. */
export interface MetricSpec {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly labels: ReadonlyArray<string>;
  /** What the series are per: node, container, pod, process or vm. */
  readonly level: 'node' | 'container' | 'pod' | 'process' | 'vm';
  /** The energy source for energy and power metrics. */
  readonly source?: 'package' | 'core' | 'uncore' | 'dram' | 'other' | 'gpu' | 'platform' | 'cpu';
}

/** What decides which metrics the exporter emits. */
export interface CatalogOptions {
  readonly generation: 'classic' | 'current';
  readonly gpu: boolean;
  readonly processMetrics: boolean;
}

const CLASSIC_SOURCES = ['package', 'core', 'uncore', 'dram', 'other', 'gpu', 'platform'] as const;
const CLASSIC_ENERGY_LABELS: Record<'node' | 'container' | 'process' | 'vm', string[]> = {
  node: ['package', 'instance', 'mode', 'source'],
  container: ['container_id', 'pod_name', 'container_name', 'container_namespace', 'mode', 'source'],
  process: ['pid', 'container_id', 'vm_id', 'command', 'mode', 'source'],
  vm: ['vm_id', 'mode', 'source'],
};
const CLASSIC_USAGE_LABELS: Record<'container' | 'process', string[]> = {
  container: ['container_id', 'pod_name', 'container_name', 'container_namespace', 'source'],
  process: ['pid', 'container_id', 'vm_id', 'command', 'source'],
};

function classic(o: CatalogOptions): MetricSpec[] {
  const out: MetricSpec[] = [];
  const levels = (['node', 'container', 'process', 'vm'] as const).filter((l) => l !== 'process' || o.processMetrics);
  for (const level of levels) {
    for (const source of CLASSIC_SOURCES) {
      // No GPU: the release-0.7.12 image has no NVIDIA support compiled in (lib/model/resolve.ts refuses gpu with classic).
      if (source === 'gpu') continue;
      out.push({ name: `kepler_${level}_${source}_joules_total`, type: 'counter', labels: CLASSIC_ENERGY_LABELS[level], level, source });
    }
  }
  // Usage counters for containers and processes only: v0.7.12's node collector registers the energy counters and
  // kepler_node_info alone (pkg/metrics/node/metrics.go initMetrics: "TODO: verify if the resource utilization metrics
  // are needed").
  for (const level of (['container', 'process'] as const).filter((l) => l !== 'process' || o.processMetrics)) {
    for (const counter of ['bpf_cpu_time_ms', 'cpu_cycles', 'cpu_instructions', 'cache_miss']) {
      out.push({ name: `kepler_${level}_${counter}_total`, type: 'counter', labels: CLASSIC_USAGE_LABELS[level], level });
    }
  }
  out.push({ name: 'kepler_node_info', type: 'counter', labels: ['cpu_architecture', 'components_power_source', 'platform_power_source', 'source'], level: 'node' });
  return out;
}

const GPU_LABELS = ['gpu', 'gpu_uuid', 'gpu_name', 'vendor'];

function current(o: CatalogOptions): MetricSpec[] {
  const out: MetricSpec[] = [];
  const both = (base: Omit<MetricSpec, 'name' | 'type'>, stem: string): void => {
    out.push({ ...base, name: `${stem}_joules_total`, type: 'counter' });
    out.push({ ...base, name: `${stem}_watts`, type: 'gauge' });
  };
  for (const state of ['', '_active', '_idle']) both({ level: 'node', labels: ['zone', 'path', 'node_name'], source: 'cpu' }, `kepler_node_cpu${state}`);
  out.push({ name: 'kepler_node_cpu_info', type: 'gauge', level: 'node', labels: ['processor', 'vendor_id', 'model_name', 'physical_id', 'core_id'] });
  out.push({ name: 'kepler_node_cpu_usage_ratio', type: 'gauge', level: 'node', labels: ['node_name'] });
  if (o.gpu) for (const state of ['', '_active', '_idle']) both({ level: 'node', labels: [...GPU_LABELS, 'node_name'], source: 'gpu' }, `kepler_node_gpu${state}`);
  both({ level: 'container', labels: ['container_id', 'container_name', 'runtime', 'state', 'zone', 'pod_id', 'node_name'], source: 'cpu' }, 'kepler_container_cpu');
  both({ level: 'pod', labels: ['pod_id', 'pod_name', 'pod_namespace', 'state', 'zone', 'node_name'], source: 'cpu' }, 'kepler_pod_cpu');
  if (o.gpu) {
    both({ level: 'container', labels: ['container_id', 'container_name', 'runtime', 'state', 'pod_id', 'node_name'], source: 'gpu' }, 'kepler_container_gpu');
    both({ level: 'pod', labels: ['pod_id', 'pod_name', 'pod_namespace', 'state', 'node_name'], source: 'gpu' }, 'kepler_pod_gpu');
  }
  if (o.processMetrics) {
    both({ level: 'process', labels: ['pid', 'comm', 'exe', 'type', 'state', 'container_id', 'vm_id', 'zone', 'node_name'], source: 'cpu' }, 'kepler_process_cpu');
    out.push({ name: 'kepler_process_cpu_seconds_total', type: 'counter', level: 'process', labels: ['pid', 'comm', 'exe', 'type', 'container_id', 'vm_id', 'node_name'] });
    if (o.gpu) both({ level: 'process', labels: ['pid', 'comm', 'exe', 'type', 'state', 'container_id', 'vm_id', 'node_name'], source: 'gpu' }, 'kepler_process_gpu');
  }
  out.push({ name: 'kepler_build_info', type: 'gauge', level: 'node', labels: ['arch', 'branch', 'revision', 'version', 'goversion'] });
  return out;
}

/** The metric families the exporter emits with these options, sorted by name. */
export function keplerCatalog(options: CatalogOptions): MetricSpec[] {
  const list = options.generation === 'classic' ? classic(options) : current(options);
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The metric levels the current generation's `exporter.prometheus.metricsLevel` must enable. */
export function currentMetricsLevels(options: CatalogOptions): string[] {
  return ['node', 'container', 'pod', ...(options.processMetrics ? ['process'] : [])];
}
