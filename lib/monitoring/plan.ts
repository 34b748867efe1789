import { keplerCatalog, MetricSpec } from '../energy/catalog';
import { eventClusters, eventerSeries } from '../events/clusters';
import { devicePowerOf, setPowers } from '../model/device-power';
import { DEVICE_RECORD } from './device-power-rules';
import { StackModel } from '../model/types';
import { selector } from './hashmod';
import { counted } from '../core/names';

/** Assumptions of the estimate: the stack does not say how many nodes and pods there are. */
export interface PlanOptions {
  /** Nodes in each cluster that runs the exporter. @default 3 */
  readonly nodesPerCluster?: number;
  /** Pods on each node. @default 20 */
  readonly podsPerNode?: number;
  /** Series a device's system metrics send (node_exporter without an allow-list). @default 500 */
  readonly seriesPerDevice?: number;
}

/** One row of the estimate. */
export interface PlanRow {
  readonly what: string;
  readonly targets: number;
  readonly targetsWithPolicy: number;
  readonly seriesEach: number;
  readonly intervalSeconds: number;
}

/** The estimate: rows and totals, without and with the selection policy. */
export interface SeriesPlan {
  readonly rows: ReadonlyArray<PlanRow>;
  readonly series: number;
  readonly seriesWithPolicy: number;
  readonly samplesPerSecond: number;
  readonly samplesPerSecondWithPolicy: number;
  /** Per device set with devices: its power source and the series it adds (exporter series, then hub records). */
  readonly devicePower: ReadonlyArray<DevicePowerPlan>;
}

/** What one device set's power source adds. */
export interface DevicePowerPlan {
  readonly set: string;
  readonly source: 'measured' | 'estimated' | 'profile' | 'none';
  readonly devices: number;
  /** The metric families the devices send for power (none for profile: it reads node_cpu_seconds_total). */
  readonly sent: ReadonlyArray<string>;
  /** Series sent per device (node level: RAPL zones package, core, uncore, dram; classic modes dynamic, idle). */
  readonly seriesEach: number;
  /** The hub records each device gets. */
  readonly records: ReadonlyArray<string>;
}

/** Node-level power series of each host exporter (families × the label values they have on a device). */
function devicePowerPlan(model: StackModel): DevicePowerPlan[] {
  if (!model.fleet) return [];
  return setPowers(model.fleet)
    .filter((s) => s.devices.length > 0)
    .map((s) => {
      const source = s.power?.source ?? 'none';
      const node = (generation: 'classic' | 'current') => keplerCatalog({ generation, gpu: false, processMetrics: false }).filter((m) => m.level === 'node');
      const sent = source === 'measured' ? node('current') : source === 'estimated' ? node('classic') : [];
      const each = sent.reduce((n, m) => n + (m.labels.includes('zone') ? 4 : m.labels.includes('mode') ? 2 : 1), 0);
      const records = source === 'none' ? [] : [DEVICE_RECORD.sourcePower, DEVICE_RECORD.power, DEVICE_RECORD.energy];
      return { set: s.set, source, devices: s.devices.length, sent: sent.map((m) => m.name), seriesEach: each, records };
    });
}

function seconds(d: string): number {
  const m = /^(\d+)([smh])$/.exec(d);
  if (!m) return 30;
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

/** Series one exporter emits: each family times the label values it typically has on a node. */
export function seriesPerExporter(catalog: ReadonlyArray<MetricSpec>, podsPerNode: number): number {
  const perLevel: Record<MetricSpec['level'], number> = { node: 2, container: 2 * podsPerNode, pod: 2 * podsPerNode, process: 5 * podsPerNode, vm: 0 };
  return catalog.reduce((n, m) => n + perLevel[m.level], 0);
}

/** Estimates active series and samples per second for the fleet, from the metric catalog. */
export function planSeries(model: StackModel, options: PlanOptions = {}): SeriesPlan {
  const nodes = options.nodesPerCluster ?? 3;
  const pods = options.podsPerNode ?? 20;
  const policy = model.monitoring?.selection;
  const scrape = seconds(model.monitoring?.scrapeInterval ?? '30s');
  const rows: PlanRow[] = [];
  if (model.energy) {
    const k = model.energy.kepler;
    const total = k.clusters.length * nodes;
    rows.push({
      what: `Kepler exporter (${k.generation}) on ${counted(k.clusters.length, 'cluster')} × ${counted(nodes, 'node')}`,
      targets: total,
      targetsWithPolicy: policy ? Math.ceil(total * policy.sample) : total,
      seriesEach: seriesPerExporter(keplerCatalog(k), pods),
      intervalSeconds: scrape,
    });
  }
  if (model.fleet && model.fleet.devices.length > 0) {
    const sets = new Map(model.fleet.deviceSets.map((s) => [s.name, s]));
    const byInterval = new Map<number, { all: number; kept: number }>();
    const selected = selector(policy);
    for (const d of model.fleet.devices) {
      const interval = (d.set ? sets.get(d.set)?.metrics.intervalSeconds : undefined) ?? 60;
      const e = byInterval.get(interval) ?? { all: 0, kept: 0 };
      e.all++;
      if (selected(d.name, d.labels) || devicePowerOf(model.fleet, d)?.source === 'profile') e.kept++;
      byInterval.set(interval, e);
    }
    for (const [interval, e] of [...byInterval].sort(([a], [b]) => a - b)) {
      rows.push({ what: `device system metrics every ${interval}s`, targets: e.all, targetsWithPolicy: e.kept, seriesEach: options.seriesPerDevice ?? 500, intervalSeconds: interval });
    }
  }
  const ev = model.monitoring?.events;
  const evClusters = eventClusters(model);
  if (ev && evClusters.length > 0) {
    // Per cluster: the worst case after one day without an exporter restart (see eventerSeries); the
    // selection policy does not apply (one exporter per cluster).
    const each = evClusters.map((c) => eventerSeries(ev.eventsPerMinute, model.clusters.find((x) => x.name === c)!.namespaces.length));
    rows.push({
      what: `kube-eventer on ${counted(evClusters.length, 'cluster')} (${ev.eventsPerMinute} Warning events/min, 1 day without restart)`,
      targets: evClusters.length,
      targetsWithPolicy: evClusters.length,
      seriesEach: Math.max(...each),
      intervalSeconds: scrape,
    });
  }
  const sum = (f: (r: PlanRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  return {
    rows,
    series: sum((r) => r.targets * r.seriesEach),
    seriesWithPolicy: sum((r) => r.targetsWithPolicy * r.seriesEach),
    samplesPerSecond: Math.round(sum((r) => (r.targets * r.seriesEach) / r.intervalSeconds)),
    samplesPerSecondWithPolicy: Math.round(sum((r) => (r.targetsWithPolicy * r.seriesEach) / r.intervalSeconds)),
    devicePower: devicePowerPlan(model),
  };
}

/** The estimate as a table for people. */
export function formatPlan(p: SeriesPlan): string {
  const lines = ['what | targets | with policy | series each | interval', '--- | ---: | ---: | ---: | ---:'];
  for (const r of p.rows) lines.push(`${r.what} | ${r.targets} | ${r.targetsWithPolicy} | ${r.seriesEach} | ${r.intervalSeconds}s`);
  lines.push('', `active series: ${p.series} without the policy, ${p.seriesWithPolicy} with it`);
  lines.push(`samples per second: ${p.samplesPerSecond} without the policy, ${p.samplesPerSecondWithPolicy} with it`);
  if (p.rows.some((r) => r.what.startsWith('kube-eventer'))) {
    lines.push('kube-eventer: worst case (every Warning event on a new object); its series only grow until the exporter restarts (256Mi memory limit): monitoring.events.eventsPerMinute sets the rate');
  }
  if (p.devicePower.length) {
    lines.push('', 'device set | power source | devices | power series sent each | hub records');
    for (const d of p.devicePower) {
      const sent = d.source === 'profile' ? '0 (reads node_cpu_seconds_total)' : `${d.seriesEach} (${d.sent.length} families)`;
      lines.push(`${d.set} | ${d.source} | ${d.devices} | ${sent} | ${d.records.join(', ') || '-'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
