import { StackModel } from '../model/types';
import { EVENT_WINDOW, eventsInWindow } from '../events/alerts';
import { recordsDevicePower } from '../monitoring/device-power-rules';
import { RECORD } from '../monitoring/rules';
import { Board, PanelInfo } from './panels';

/** A built dashboard: its JSON model and what each panel shows. */
export interface DashboardDoc {
  readonly uid: string;
  readonly title: string;
  /** ConfigMap and file name stem. */
  readonly name: string;
  readonly json: unknown;
  readonly panels: ReadonlyArray<PanelInfo>;
}

const C = 'cluster=~"$cluster"';
const DAY = '[1d:1h]';

function done(name: string, b: Board): DashboardDoc {
  const json = b.builder.build() as { uid: string; title: string };
  return { uid: json.uid, title: json.title, name, json, panels: b.panels };
}

function clusterVar(b: Board): Board {
  return b.variable('cluster', 'Cluster', 'label_values(kube_node_info, cluster)');
}

/** Fleet energy at a glance: power now, energy and CO2 over the last day, top nodes and namespaces. */
function fleetEnergy(): DashboardDoc {
  const b = clusterVar(new Board('edgewatt-fleet-energy', 'Edge fleet energy', ['energy']));
  b.value('Power now', 'watt', `sum(${RECORD.clusterPower}{${C}})`)
    .value('Energy, last 24 h', 'kwatth', `sum(sum_over_time(${RECORD.clusterEnergy}{${C}}${DAY}))`, 6, 2)
    .value('CO2, last 24 h', 'massg', `sum(sum_over_time(${RECORD.clusterCo2}{${C}}${DAY}))`, 6, 0)
    .value('Carbon intensity used', 'none', RECORD.carbonIntensity)
    .series('Power by cluster', 'watt', [[`${RECORD.clusterPower}{${C}}`, '{{cluster}}']], 24)
    .series('Top 10 nodes', 'watt', [[`topk(10, ${RECORD.nodePower}{${C}})`, '{{cluster}}/{{node}}']])
    .series('Top 10 namespaces', 'watt', [[`topk(10, ${RECORD.namespacePower}{${C}})`, '{{cluster}}/{{namespace}}']]);
  return done('fleet-energy', b);
}

/** Power of a node by source over time. */
function nodePower(): DashboardDoc {
  const b = clusterVar(new Board('edgewatt-node-power', 'Node power by source', ['energy', 'node']));
  b.variable('node', 'Node', `label_values(${RECORD.nodePower}{${C}}, node)`);
  b.series('Power by source', 'watt', [[`${RECORD.nodeSourcePower}{${C}, node=~"$node"}`, '{{node}} {{source}}']], 24, true).series('Node power', 'watt', [[`${RECORD.nodePower}{${C}, node=~"$node"}`, '{{node}}']], 24);
  return done('node-power', b);
}

/** Power per namespace, pod, container, and process where the exporter emits it. */
function workloadPower(model: StackModel): DashboardDoc {
  const k = model.energy!.kepler;
  const b = clusterVar(new Board('edgewatt-workload-power', 'Workload power', ['energy', 'workload']));
  b.variable('namespace', 'Namespace', `label_values(${RECORD.namespacePower}{${C}}, namespace)`);
  const N = `${C}, namespace=~"$namespace"`;
  b.series('Power per namespace', 'watt', [[`${RECORD.namespacePower}{${N}}`, '{{namespace}}']], 12, true).series('Top 20 pods', 'watt', [[`topk(20, ${RECORD.podPower}{${N}})`, '{{namespace}}/{{pod}}']]);
  if (k.generation === 'classic') {
    b.series('Power per container', 'watt', [[`sum by (container_namespace, pod_name, container_name) (rate(kepler_container_package_joules_total{${C}, container_namespace=~"$namespace"}[5m]) + rate(kepler_container_dram_joules_total{${C}, container_namespace=~"$namespace"}[5m]))`, '{{pod_name}}/{{container_name}}']], 24);
    if (k.processMetrics) b.series('Top 10 processes', 'watt', [[`topk(10, sum by (command) (rate(kepler_process_package_joules_total{${C}}[5m])))`, '{{command}}']], 24);
  } else {
    b.series('Power per container', 'watt', [[`sum by (container_name, pod_id) (kepler_container_cpu_watts{${C}, zone=~"package|dram"})`, '{{container_name}}']], 24);
    if (k.processMetrics) b.series('Top 10 processes', 'watt', [[`topk(10, sum by (comm) (kepler_process_cpu_watts{${C}, zone=~"package|dram"}))`, '{{comm}}']], 24);
  }
  return done('workload-power', b);
}

/** CO2 per cluster and namespace from the recording rules, with the intensity used. */
function co2(model: StackModel): DashboardDoc {
  const b = clusterVar(new Board('edgewatt-co2', 'CO2 emissions', ['energy', 'co2']));
  b.value(`Carbon intensity (gCO2e/kWh)`, 'none', RECORD.carbonIntensity, 6, 0)
    .value('CO2, last 24 h', 'massg', `sum(sum_over_time(${RECORD.clusterCo2}{${C}}${DAY}))`, 6, 0)
    .value('Energy, last 24 h', 'kwatth', `sum(sum_over_time(${RECORD.clusterEnergy}{${C}}${DAY}))`, 6, 2)
    .value('CO2 per kWh check', 'none', `sum(${RECORD.clusterCo2}{${C}}) / sum(${RECORD.clusterEnergy}{${C}})`, 6, 0)
    .series('CO2 per cluster, per hour', 'massg', [[`${RECORD.clusterCo2}{${C}}`, '{{cluster}}']])
    .series('CO2 per namespace, per hour', 'massg', [[`topk(10, ${RECORD.namespaceCo2}{${C}})`, '{{cluster}}/{{namespace}}']]);
  void model;
  return done('co2', b);
}

/** Fleet devices: heartbeats, devices reporting, power per device. */
function fleetDevices(model: StackModel): DashboardDoc {
  const b = new Board('edgewatt-fleet-devices', 'Fleet devices', ['fleet']);
  const minutes = model.monitoring?.alerts.deviceHeartbeatMinutes ?? 5;
  b.value('Devices reporting', 'none', `count(sum by (deviceID) (increase(flotta_api_edge_devices_heartbeat[${minutes}m])) > 0)`, 8)
    .value('Devices silent', 'none', `count(sum by (deviceID) (increase(flotta_api_edge_devices_heartbeat[${minutes}m])) == 0) or vector(0)`, 8)
    .value('Registrations, last 24 h', 'none', 'sum(increase(flotta_api_edge_devices_successful_registration[1d]))', 8)
    .series('Heartbeats per device, per minute', 'none', [[`sum by (deviceID) (rate(flotta_api_edge_devices_heartbeat[5m])) * 60`, '{{deviceID}}']], 24);
  // Only when the stack records device power: a fleet with power declared and no device yet has no records to read.
  if (recordsDevicePower(model)) {
    // Device records by source (lib/monitoring/device-power-rules.ts): measured (rapl, hwmon) in greens,
    // estimated (Kepler's model) orange and profile (idle/max × utilisation) purple, stacked per device.
    const src = RECORD.deviceSourcePower;
    b.series(
      'Device power: measured vs estimated',
      'watt',
      [
        [`sum by (device, source) (${src}{source=~"rapl|hwmon"})`, 'measured ({{source}}) {{device}}'],
        [`sum by (device, source) (${src}{source="estimated"})`, 'estimated (Kepler model) {{device}}'],
        [`sum by (device, source) (${src}{source="profile"})`, 'estimated (profile) {{device}}'],
      ],
      24,
      true,
      { '^measured.*': 'green', '^estimated \\(Kepler.*': 'orange', '^estimated \\(profile.*': 'purple' },
    );
    b.value('Share of devices estimated', 'percentunit', `sum(${RECORD.deviceSourceCount}{source=~"estimated|profile"}) / sum(${RECORD.deviceSourceCount})`, 12, 2)
      .value('Share of device power estimated', 'percentunit', `sum(${src}{source=~"estimated|profile"}) / sum(${src})`, 12, 2);
  }
  return done('fleet-devices', b);
}

/** IoMT pipelines: availability per thing, power per pipeline and per thing. */
function iomtPipelines(model: StackModel): DashboardDoc {
  const namespaces = (model.iomt?.pipelines ?? []).map((p) => p.namespace).sort().join('|');
  const b = clusterVar(new Board('edgewatt-iomt-pipelines', 'IoMT pipelines', ['iomt']));
  b.variable('pipeline', 'Pipeline namespace', `label_values(kube_pod_info{${C}, namespace=~"${namespaces}"}, namespace)`);
  const P = `${C}, namespace=~"$pipeline"`;
  b.series('Things available (replicas)', 'none', [[`kube_deployment_status_replicas_available{${P}}`, '{{namespace}}/{{deployment}}'], [`kube_statefulset_status_replicas_ready{${P}}`, '{{namespace}}/{{statefulset}}']], 24);
  if (model.energy) {
    b.series('Power per pipeline', 'watt', [[`sum by (namespace) (${RECORD.podPower}{${P}})`, '{{namespace}}']]).series('Power per thing (pod)', 'watt', [[`${RECORD.podPower}{${P}}`, '{{namespace}}/{{pod}}']]);
  }
  if ((model.iomt?.pipelines ?? []).some((p) => p.things.some((t) => t.metricsPort && !t.device))) {
    b.series('Things scraped (up)', 'none', [[`up{${C}, job=~"iomt-.*"}`, '{{job}}']], 24);
  }
  return done('iomt-pipelines', b);
}

/**
 * Kubernetes Events (kube-eventer): Warning events over time by reason and by cluster/namespace, the objects
 * with most events, the triaged errors of the last window, and the exporter's health. Counts use the same
 * window term as the alerts, so a one-shot event on a new object is counted too.
 */
function kubernetesEvents(): DashboardDoc {
  const b = new Board('edgewatt-kubernetes-events', 'Kubernetes events', ['events', 'kubernetes']);
  b.variable('cluster', 'Cluster', 'label_values(up{job="kube-eventer"}, cluster)');
  b.variable('namespace', 'Namespace', 'label_values(eventer_events_warning_total{cluster=~"$cluster"}, namespace)');
  const N = `${C}, namespace=~"$namespace"`;
  const warn = eventsInWindow(`eventer_events_warning_total{${N}}`);
  const err = eventsInWindow(`eventer_events_error_total{${N}}`);
  const both = `label_replace(${err}, "counter", "error", "", "") or label_replace(${warn}, "counter", "warning", "", "")`;
  const W = EVENT_WINDOW;
  b.value(`Warning events, last ${W}`, 'none', `sum(${both}) or vector(0)`, 6, 0)
    .value(`Triaged errors, last ${W}`, 'none', `sum(${err}) or vector(0)`, 6, 0)
    .value('Exporters up', 'none', `sum(up{job="kube-eventer", ${C}})`, 6, 0)
    .value('Seconds since last event batch', 's', `max(time() - eventer_manager_last_time_seconds{${C}})`, 6, 0)
    .series(`Warning events by reason, per ${W}`, 'none', [[`sum by (reason) (${both})`, '{{reason}}']], 24, true)
    .series(`Warning events by cluster and namespace, per ${W}`, 'none', [[`sum by (cluster, namespace) (${both})`, '{{cluster}}/{{namespace}}']], 12, true)
    .series(`Top 10 involved objects, per ${W}`, 'none', [[`topk(10, sum by (cluster, namespace, kind, name) (${both}))`, '{{cluster}} {{kind}} {{namespace}}/{{name}}']], 12)
    .table(`Triaged errors in the last ${W} (kube-eventer categories)`, `sum by (cluster, namespace, kind, name, reason) (${err}) > 0`)
    .series('Events handed on, per minute', 'none', [[`sum by (cluster) (rate(eventer_scraper_events_total_number{${C}}[5m])) * 60`, '{{cluster}}']], 12)
    .series('Exporter series (grow with pod churn until a restart)', 'none', [[`sum by (cluster) (scrape_samples_scraped{job="kube-eventer", ${C}})`, '{{cluster}}']], 12);
  return done('kubernetes-events', b);
}

/** Every dashboard the stack has data for. */
export function stackDashboards(model: StackModel): DashboardDoc[] {
  const out: DashboardDoc[] = [];
  if (model.energy && model.monitoring) out.push(fleetEnergy(), nodePower(), workloadPower(model), co2(model));
  if (model.fleet && model.monitoring) out.push(fleetDevices(model));
  if (model.iomt && model.monitoring) out.push(iomtPipelines(model));
  if (model.monitoring?.events.enabled) out.push(kubernetesEvents());
  return out;
}

/** dist/<cluster>/dashboards/README.md: each dashboard's panels (title, unit, query), for reviewers. */
export function dashboardsReadme(stackName: string, docs: ReadonlyArray<DashboardDoc>): string {
  const lines = [`<!-- Generated by edgewatt from stack "${stackName}". Do not edit: change the stack and run \`edgewatt synth\`. -->`, '# Dashboards', ''];
  for (const d of docs) {
    lines.push(`## ${d.title} (\`${d.uid}\`)`, '', '| panel | unit | query |', '| --- | --- | --- |');
    for (const p of d.panels) lines.push(`| ${p.title} | ${p.unit} | ${p.queries.map((q) => `\`${q.replace(/\|/g, '\\|')}\``).join('<br/>')} |`);
    lines.push('');
  }
  return lines.join('\n');
}
