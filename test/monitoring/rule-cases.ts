/**
 * Unit tests for every rule, as `promtool test rules` reads them. Inputs are synthetic series; every
 * expected value is worked out by hand in the comment beside it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { eventUnitTests } from '../events/rule-cases';
import { deviceBatchLagCase, devicePowerMissingCase, devicePowerRecordCase } from './device-power-cases';

const RUNBOOK = 'https://git.example.com/platform/edge-gitops/blob/main/dist/RUNBOOKS.md';
const rb = (alert: string) => `${RUNBOOK}#${alert.toLowerCase()}`;

type Gen = 'classic' | 'current';

/** A counter rising by `perMinute` each minute for `minutes`. */
const rising = (perMinute: number, minutes = 70) => `0+${perMinute}x${minutes}`;
const flat = (v: number, minutes = 70) => `${v}x${minutes}`;

function recordingCases(gen: Gen): unknown {
  const L = 'cluster="hub",node="n1"';
  const series: Array<{ series: string; values: string }> =
    gen === 'classic'
      ? [
          // No GPU: the classic image measures none (energy.kepler.gpu is refused with classic).
          // package 600 J/min = 10 W; dram 120 J/min = 2 W.
          { series: `kepler_node_package_joules_total{${L},mode="dynamic"}`, values: rising(600) },
          { series: `kepler_node_dram_joules_total{${L},mode="dynamic"}`, values: rising(120) },
          // container: package 60 J/min = 1 W, dram 30 J/min = 0.5 W → pod 1.5 W.
          { series: 'kepler_container_package_joules_total{cluster="hub",container_namespace="shop",pod_name="web",container_name="c",mode="dynamic"}', values: rising(60) },
          { series: 'kepler_container_dram_joules_total{cluster="hub",container_namespace="shop",pod_name="web",container_name="c",mode="dynamic"}', values: rising(30) },
        ]
      : [
          // cpu package 10 W, dram 2 W, core 7 W (inside package: not added); gpu 5 W.
          { series: `kepler_node_cpu_watts{${L},zone="package"}`, values: flat(10) },
          { series: `kepler_node_cpu_watts{${L},zone="dram"}`, values: flat(2) },
          { series: `kepler_node_cpu_watts{${L},zone="core"}`, values: flat(7) },
          { series: `kepler_node_gpu_watts{${L},gpu="0"}`, values: flat(5) },
          { series: `kepler_node_cpu_joules_total{${L},zone="package"}`, values: rising(600) },
          { series: `kepler_node_cpu_joules_total{${L},zone="dram"}`, values: rising(120) },
          { series: `kepler_node_gpu_joules_total{${L},gpu="0"}`, values: rising(300) },
          // pod: package 1 W, dram 0.5 W, gpu 0.5 W → 2 W; joules 60 + 30 + 30 per minute.
          { series: 'kepler_pod_cpu_watts{cluster="hub",pod_namespace="shop",pod_name="web",zone="package"}', values: flat(1) },
          { series: 'kepler_pod_cpu_watts{cluster="hub",pod_namespace="shop",pod_name="web",zone="dram"}', values: flat(0.5) },
          { series: 'kepler_pod_gpu_watts{cluster="hub",pod_namespace="shop",pod_name="web"}', values: flat(0.5) },
          { series: 'kepler_pod_cpu_joules_total{cluster="hub",pod_namespace="shop",pod_name="web",zone="package"}', values: rising(60) },
          { series: 'kepler_pod_cpu_joules_total{cluster="hub",pod_namespace="shop",pod_name="web",zone="dram"}', values: rising(30) },
          { series: 'kepler_pod_gpu_joules_total{cluster="hub",pod_namespace="shop",pod_name="web"}', values: rising(30) },
        ];
  // A fleet device writes its own Kepler series into the hub with only Flotta's edgedeviceid label (no cluster,
  // no node): package 3 W + dram 1 W, 180 + 60 J/min. The device exporter is the current generation whatever
  // the clusters run; in a classic stack a device series of the classic names is added too. None may change the
  // node, pod, namespace or cluster results above or add a sample with empty labels; the device rules give
  // it cluster="hub" (the fleet's) and device="cam-01".
  const device = 'edgedeviceid="cam-01",node_name="cam-01"';
  series.push(
    { series: `kepler_node_cpu_watts{${device},zone="package"}`, values: flat(3) },
    { series: `kepler_node_cpu_watts{${device},zone="dram"}`, values: flat(1) },
    { series: `kepler_node_cpu_joules_total{${device},zone="package"}`, values: rising(180) },
    { series: `kepler_node_cpu_joules_total{${device},zone="dram"}`, values: rising(60) },
    { series: 'kepler_pod_cpu_watts{edgedeviceid="cam-01",pod_namespace="shop",pod_name="web",zone="package"}', values: flat(3) },
    ...(gen === 'classic' ? [{ series: 'kepler_node_package_joules_total{edgedeviceid="cam-01",mode="dynamic"}', values: rising(180) }] : []),
  );
  const gpu = gen === 'current';
  const sources = gpu ? ['dram', 'gpu', 'package'] : ['dram', 'package'];
  const sourceWatts: Record<string, number> = { package: 10, dram: 2, gpu: 5 };
  // Node: 10 + 2 (+ 5 GPU) W = 12 (17) W; pod and namespace 1 + 0.5 (+ 0.5) W = 1.5 (2) W.
  const node = gpu ? 17 : 12;
  const pod = gpu ? 2 : 1.5;
  // 1 h of node energy: (600 + 120 (+ 300)) J/min × 60 = 43,200 (61,200) J = 0.012 (0.017) kWh; CO2 at 415 g/kWh.
  // 1 h of the namespace: (60 + 30 (+ 30)) × 60 = 5,400 (7,200) J = 0.0015 (0.002) kWh.
  const nodeJoules = gpu ? 61200 : 43200;
  const podJoules = gpu ? 7200 : 5400;
  return {
    interval: '1m',
    input_series: series,
    promql_expr_test: [
      { expr: 'node:edgewatt_power_watts:sum', eval_time: '10m', exp_samples: [{ labels: `node:edgewatt_power_watts:sum{${L}}`, value: node }] },
      {
        expr: 'node_source:edgewatt_power_watts:sum',
        eval_time: '10m',
        exp_samples: sources.map((s) => ({ labels: `node_source:edgewatt_power_watts:sum{${L},source="${s}"}`, value: sourceWatts[s] })),
      },
      { expr: 'pod:edgewatt_power_watts:sum', eval_time: '10m', exp_samples: [{ labels: 'pod:edgewatt_power_watts:sum{cluster="hub",namespace="shop",pod="web"}', value: pod }] },
      { expr: 'namespace:edgewatt_power_watts:sum', eval_time: '10m', exp_samples: [{ labels: 'namespace:edgewatt_power_watts:sum{cluster="hub",namespace="shop"}', value: pod }] },
      { expr: 'cluster:edgewatt_power_watts:sum', eval_time: '10m', exp_samples: [{ labels: 'cluster:edgewatt_power_watts:sum{cluster="hub"}', value: node }] },
      { expr: 'cluster:edgewatt_energy_kwh:increase1h', eval_time: '60m', exp_samples: [{ labels: 'cluster:edgewatt_energy_kwh:increase1h{cluster="hub"}', value: nodeJoules / 3.6e6 }] },
      { expr: 'namespace:edgewatt_energy_kwh:increase1h', eval_time: '60m', exp_samples: [{ labels: 'namespace:edgewatt_energy_kwh:increase1h{cluster="hub",namespace="shop"}', value: podJoules / 3.6e6 }] },
      { expr: 'edgewatt:carbon_intensity_grams_per_kwh', eval_time: '1m', exp_samples: [{ labels: 'edgewatt:carbon_intensity_grams_per_kwh', value: 415 }] },
      { expr: 'cluster:edgewatt_co2_grams:increase1h', eval_time: '60m', exp_samples: [{ labels: 'cluster:edgewatt_co2_grams:increase1h{cluster="hub"}', value: (nodeJoules / 3.6e6) * 415 }] },
      { expr: 'namespace:edgewatt_co2_grams:increase1h', eval_time: '60m', exp_samples: [{ labels: 'namespace:edgewatt_co2_grams:increase1h{cluster="hub",namespace="shop"}', value: (podJoules / 3.6e6) * 415 }] },
      { expr: 'device:edgewatt_power_watts:sum', eval_time: '10m', exp_samples: [{ labels: 'device:edgewatt_power_watts:sum{cluster="hub",device="cam-01"}', value: 4 }] },
      // 1 h of the device: (180 + 60) J/min × 60 = 14,400 J = 0.004 kWh.
      { expr: 'device:edgewatt_energy_kwh:increase1h', eval_time: '60m', exp_samples: [{ labels: 'device:edgewatt_energy_kwh:increase1h{cluster="hub",device="cam-01"}', value: 0.004 }] },
    ],
  };
}

function nodePowerHigh(gen: Gen): unknown {
  // 15,000 J/min = 250 W (classic), or 250 W straight (current): above the 200 W threshold for more than 15 min.
  const series =
    gen === 'classic'
      ? [
          { series: 'kepler_node_package_joules_total{cluster="hub",node="n1"}', values: rising(15000, 30) },
          { series: 'kepler_node_dram_joules_total{cluster="hub",node="n1"}', values: rising(0, 30) },
          { series: 'kepler_node_package_joules_total{cluster="hub",node="n2"}', values: rising(600, 30) },
          { series: 'kepler_node_dram_joules_total{cluster="hub",node="n2"}', values: rising(0, 30) },
        ]
      : [
          { series: 'kepler_node_cpu_watts{cluster="hub",node="n1",zone="package"}', values: flat(250, 30) },
          { series: 'kepler_node_cpu_watts{cluster="hub",node="n2",zone="package"}', values: flat(10, 30) },
        ];
  return {
    interval: '1m',
    input_series: series,
    alert_rule_test: [
      { eval_time: '5m', alertname: 'EdgeNodePowerHigh', exp_alerts: [] },
      {
        eval_time: '20m',
        alertname: 'EdgeNodePowerHigh',
        exp_alerts: [
          {
            exp_labels: { severity: 'warning', cluster: 'hub', node: 'n1' },
            exp_annotations: {
              summary: 'Node n1 draws 250W',
              description: 'Node n1 of cluster hub has drawn more than 200 W for 15 minutes.',
              runbook_url: rb('EdgeNodePowerHigh'),
            },
          },
        ],
      },
    ],
  };
}

const alertCase = (name: string, series: Array<{ series: string; values: string }>, at: string, labels: Record<string, string>, annotations: Record<string, string>, quietAt?: string) => ({
  interval: '1m',
  input_series: series,
  alert_rule_test: [
    ...(quietAt ? [{ eval_time: quietAt, alertname: name, exp_alerts: [] }] : []),
    { eval_time: at, alertname: name, exp_alerts: [{ exp_labels: labels, exp_annotations: { ...annotations, runbook_url: rb(name) } }] },
  ],
});

function commonAlertCases(): unknown[] {
  const pod = 'cluster="hub",namespace="shop",pod="web",container="c",job="kube-state-metrics"';
  const podLabels = { cluster: 'hub', namespace: 'shop', pod: 'web', container: 'c', job: 'kube-state-metrics' };
  return [
    alertCase(
      'KeplerExporterDown',
      [{ series: 'up{job="kepler-exporter",instance="10.0.0.1:9102",cluster="hub",node="n1"}', values: flat(0, 20) }],
      '15m',
      { severity: 'warning', job: 'kepler-exporter', instance: '10.0.0.1:9102', cluster: 'hub', node: 'n1' },
      { summary: 'Kepler exporter down on 10.0.0.1:9102', description: 'Prometheus has not scraped the Kepler exporter at 10.0.0.1:9102 for 10 minutes: power of that node is not measured.' },
      '5m',
    ),
    alertCase(
      'KubePodCrashLooping',
      [{ series: `kube_pod_container_status_waiting_reason{${pod},reason="CrashLoopBackOff"}`, values: flat(1, 30) }],
      '20m',
      { severity: 'warning', ...podLabels, reason: 'CrashLoopBackOff' },
      { summary: 'Pod shop/web is crash looping', description: 'Container c of pod shop/web on cluster hub has been in CrashLoopBackOff for 15 minutes.' },
      '10m',
    ),
    alertCase(
      'KubeContainerOOMKilled',
      [
        // One restart between minute 4 and 5; the last termination was an OOM kill.
        { series: `kube_pod_container_status_restarts_total{${pod}}`, values: '0x4 1x10' },
        { series: `kube_pod_container_status_last_terminated_reason{${pod},reason="OOMKilled"}`, values: flat(1, 15) },
      ],
      '6m',
      { severity: 'warning', ...podLabels },
      { summary: 'Container c of shop/web was OOM-killed', description: 'The container restarted in the last 10 minutes after running out of memory.' },
      '3m',
    ),
    alertCase(
      'KubePodRestartingOften',
      // One restart every 5 minutes: 12 in an hour, more than 5.
      [{ series: `kube_pod_container_status_restarts_total{${pod}}`, values: '0+0.2x70' }],
      '60m',
      { severity: 'warning', ...podLabels },
      { summary: 'Container c of shop/web restarted more than 5 times in an hour', description: 'Frequent restarts without a crash loop: probes failing, or the process exiting.' },
    ),
    alertCase(
      'KubeNodeNotReady',
      [{ series: 'kube_node_status_condition{cluster="hub",node="n1",condition="Ready",status="true",job="kube-state-metrics"}', values: flat(0, 30) }],
      '20m',
      { severity: 'warning', cluster: 'hub', node: 'n1', condition: 'Ready', status: 'true', job: 'kube-state-metrics' },
      { summary: 'Node n1 of cluster hub is not ready', description: 'The node has not been Ready for 15 minutes: its workloads are being evicted and its power is not measured.' },
      '10m',
    ),
    {
      // hub's kube-state-metrics scraped for 5 minutes, then down (up 0); line-1's never arrives (absent): both fire
      // after 10 minutes, each with its cluster.
      interval: '1m',
      input_series: [{ series: 'up{job="kube-state-metrics",cluster="hub",instance="10.42.0.9:8080"}', values: '1x5 0x20' }],
      alert_rule_test: [
        { eval_time: '9m', alertname: 'KubeStateMetricsDown', exp_alerts: [] },
        {
          eval_time: '20m',
          alertname: 'KubeStateMetricsDown',
          exp_alerts: ['hub', 'line-1'].map((cluster) => ({
            exp_labels: { severity: 'warning', job: 'kube-state-metrics', cluster, ...(cluster === 'hub' ? { instance: '10.42.0.9:8080' } : {}) },
            exp_annotations: {
              summary: `kube-state-metrics is not scraped on cluster ${cluster}`,
              description:
                'Prometheus has had no sample of kube-state-metrics for 10 minutes: every Kubernetes state alert of that cluster (crash loops, nodes not ready, pending claims, undeclared registries) is blind.',
              runbook_url: rb('KubeStateMetricsDown'),
            },
          })),
        },
      ],
    },
    alertCase(
      'KubePersistentVolumeClaimPending',
      [{ series: 'kube_persistentvolumeclaim_status_phase{cluster="hub",namespace="shop",persistentvolumeclaim="data",phase="Pending",job="kube-state-metrics"}', values: flat(1, 30) }],
      '20m',
      { severity: 'warning', cluster: 'hub', namespace: 'shop', persistentvolumeclaim: 'data', phase: 'Pending', job: 'kube-state-metrics' },
      { summary: 'PVC shop/data is pending', description: 'The claim has been Pending for 15 minutes: no volume matches it, or no storage class provisions it.' },
      '10m',
    ),
    ...flottaCases(),
  ];
}

/**
 * The Flotta operator (v0.2.0): the controller manager exports flotta_api_edge_devices_heartbeat at 0 for every
 * EdgeDevice; the edge API counts the heartbeats it receives (lib/fleet/flotta-operator.ts).
 */
function flottaCases(): unknown[] {
  const hb = (job: string, device: string) => `flotta_api_edge_devices_heartbeat{job="${job}",cluster="hub",instance="10.42.0.9:8443",deviceNamespace="fleet",deviceID="${device}"}`;
  const silent = (device: string) => ({ severity: 'warning', cluster: 'hub', deviceNamespace: 'fleet', deviceID: device, device });
  const note = (device: string) => ({
    summary: `Device ${device} sent no heartbeat`,
    description: `The Flotta operator on cluster hub has received no heartbeat from device ${device} for 5 minutes.`,
    runbook_url: rb('EdgeDeviceHeartbeatMissing'),
  });
  const down = (job: string, extra: Record<string, string>) => ({
    exp_labels: { severity: 'warning', job, cluster: 'hub', ...extra },
    exp_annotations: {
      summary: `Flotta ${job} is not scraped on cluster hub`,
      description: `Prometheus has had no successful scrape of the Flotta ${job} metrics for 10 minutes: device heartbeats are not seen, so EdgeDeviceHeartbeatMissing cannot fire.`,
      runbook_url: rb('FlottaOperatorMetricsDown'),
    },
  });
  return [
    {
      interval: '1m',
      input_series: [
        // The manager knows cam-01, cam-02 and cam-03.
        ...['cam-01', 'cam-02', 'cam-03'].map((d) => ({ series: hb('flotta-controller-manager', d), values: flat(0, 30) })),
        // cam-01 beats each minute until minute 10, then stops; cam-02 beats throughout; cam-03 never did.
        { series: hb('flotta-edge-api', 'cam-01'), values: '1+1x10 11x20' },
        { series: hb('flotta-edge-api', 'cam-02'), values: '1+1x30' },
      ],
      alert_rule_test: [
        // Minute 9: cam-01 and cam-02 beat in the last 5 minutes; cam-03 never did (firing after `for: 1m`).
        { eval_time: '9m', alertname: 'EdgeDeviceHeartbeatMissing', exp_alerts: [{ exp_labels: silent('cam-03'), exp_annotations: note('cam-03') }] },
        // Minute 20: no increase of cam-01 since minute 10. Its edge-API series (job flotta-edge-api) is not
        // what alerts: the manager's roster is, so a device is never folded into an empty-label series.
        {
          eval_time: '20m',
          alertname: 'EdgeDeviceHeartbeatMissing',
          exp_alerts: [
            { exp_labels: silent('cam-01'), exp_annotations: note('cam-01') },
            { exp_labels: silent('cam-03'), exp_annotations: note('cam-03') },
          ],
        },
      ],
    },
    {
      interval: '1m',
      input_series: [
        // The manager's proxy answers but refuses (up 0); the edge API is not discovered at all (no up series).
        { series: 'up{job="flotta-controller-manager",cluster="hub",instance="10.42.0.9:8443"}', values: flat(0, 30) },
        // Another cluster's edge API being up does not hide the missing one on the fleet cluster.
        { series: 'up{job="flotta-edge-api",cluster="line-1",instance="10.43.0.9:8443"}', values: flat(1, 30) },
      ],
      alert_rule_test: [
        { eval_time: '5m', alertname: 'FlottaOperatorMetricsDown', exp_alerts: [] },
        { eval_time: '15m', alertname: 'FlottaOperatorMetricsDown', exp_alerts: [down('flotta-controller-manager', { instance: '10.42.0.9:8443' }), down('flotta-edge-api', {})] },
      ],
    },
    {
      interval: '1m',
      input_series: [
        { series: 'up{job="flotta-controller-manager",cluster="hub",instance="10.42.0.9:8443"}', values: flat(1, 30) },
        { series: 'up{job="flotta-edge-api",cluster="hub",instance="10.42.0.10:8443"}', values: flat(1, 30) },
      ],
      alert_rule_test: [{ eval_time: '15m', alertname: 'FlottaOperatorMetricsDown', exp_alerts: [] }],
    },
  ];
}

function classicOnly(): unknown[] {
  return [
    alertCase(
      'KeplerModelServerUnavailable',
      [{ series: 'kube_deployment_status_replicas_available{cluster="hub",namespace="energy",deployment="kepler-model-server",job="kube-state-metrics"}', values: flat(0, 20) }],
      '15m',
      { severity: 'warning', cluster: 'hub', namespace: 'energy', deployment: 'kepler-model-server', job: 'kube-state-metrics' },
      { summary: 'Kepler model server unavailable', description: 'No replica of the Kepler model server has been available for 10 minutes: exporters without hardware counters cannot get power models.' },
      '5m',
    ),
  ];
}

function controlPlaneCases(): unknown[] {
  // hub runs kubeadm with a running scheduler; line-1 runs OpenShift with none; both report pods.
  const info = (cluster: string) => ({ series: `kube_pod_info{cluster="${cluster}",namespace="x",pod="p",job="kube-state-metrics"}`, values: flat(1, 30) });
  const running = (ns: string, pod: string) => ({ series: `kube_pod_status_phase{cluster="hub",namespace="${ns}",pod="${pod}",phase="Running",job="kube-state-metrics"}`, values: flat(1, 30) });
  const series = [info('hub'), info('line-1'), running('kube-system', 'kube-scheduler-cp1'), running('kube-system', 'kube-controller-manager-cp1')];
  const expect = (alert: string, what: string, kubeadmNs: string, openshiftNs: string) =>
    alertCase(alert, series, '20m', { severity: 'critical', cluster: 'line-1' }, {
      summary: `${what} is not running on cluster line-1`,
      description: `No ${what} pod has been Running for 15 minutes; it runs as a static pod in ${kubeadmNs} on kubeadm, ${openshiftNs} on openshift.`,
    });
  return [
    // The kubeadm rule watches hub only, where both run: no alert there.
    expect('KubeSchedulerDown', 'kube-scheduler', 'kube-system', 'openshift-kube-scheduler'),
    expect('KubeControllerManagerDown', 'kube-controller-manager', 'kube-system', 'openshift-kube-controller-manager'),
  ];
}

/** The unit tests for a stack of that generation (the current one also runs kubeadm and OpenShift clusters). */
export function unitTests(gen: Gen): unknown[] {
  return [recordingCases(gen), nodePowerHigh(gen), ...commonAlertCases(), ...(gen === 'classic' ? classicOnly() : controlPlaneCases()), ...eventUnitTests(), devicePowerRecordCase(), deviceBatchLagCase(), devicePowerMissingCase()];
}

/** Rules in the rule files of `dir` that no unit test of `gen` exercises. */
export function ruleCoverage(dir: string, gen: Gen): { untested: string[] } {
  const tests = JSON.stringify(unitTests(gen));
  const names: string[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.rules.yaml'))) {
    for (const g of parse(fs.readFileSync(path.join(dir, f), 'utf8')).groups) for (const r of g.rules) names.push(r.alert ?? r.record);
  }
  return { untested: names.filter((n) => !tests.includes(`"alertname":"${n}"`) && !tests.includes(`"expr":"${n}"`)).sort() };
}
