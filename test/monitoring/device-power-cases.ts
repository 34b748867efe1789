/**
 * promtool cases for the device power records and DevicePowerMissing of the demo stack, whose fleet has one
 * set per source: cameras (cam-01, measured), gateways (gw-01, estimated), sensors (pi-01, profile: Raspberry
 * Pi 4B, idle 2.7 W, max 6.4 W). Series arrive as the Flotta agent writes them: with `edgedeviceid` only.
 */
const RUNBOOK = 'https://git.example.com/platform/edge-gitops/blob/main/dist/RUNBOOKS.md';
const rising = (perMinute: number, minutes = 40) => `0+${perMinute}x${minutes}`;
const flat = (v: number, minutes = 40) => `${v}x${minutes}`;

/** The profile figures of the demo's sensors set, and the utilisation the case feeds in. */
export const PROFILE = { idle: 2.7, max: 6.4, utilisation: 0.5 };
/** Expected profile watts: idle + (max − idle) × utilisation, computed as the rule does (span rounded to 6 places). */
export const PROFILE_WATTS = PROFILE.idle + Number((PROFILE.max - PROFILE.idle).toFixed(6)) * PROFILE.utilisation;

/**
 * Per-source device records: each device's figure and source, with the fleet's cluster and the device name. The
 * records read the devices' data 7 minutes back (Flotta's 5-minute write wait, a 60 s interval and a minute:
 * deviceDataDelayMinutes), so they are evaluated where that is inside the series.
 */
export function devicePowerRecordCase(): unknown {
  return {
    interval: '1m',
    input_series: [
      // cam-01, Kepler v0.11.4 via the relay: RAPL package 3 W + dram 1 W (core 2 W is inside package: not added).
      { series: 'kepler_node_cpu_watts{edgedeviceid="cam-01",zone="package",path="/sys/class/powercap/intel-rapl:0"}', values: flat(3) },
      { series: 'kepler_node_cpu_watts{edgedeviceid="cam-01",zone="dram",path="/sys/class/powercap/intel-rapl:0:2"}', values: flat(1) },
      { series: 'kepler_node_cpu_watts{edgedeviceid="cam-01",zone="core",path="/sys/class/powercap/intel-rapl:0:0"}', values: flat(2) },
      // gw-01, Kepler v0.7.12 estimating: package dynamic 120 J/min (2 W) + idle 60 J/min (1 W), dram 30 J/min (0.5 W).
      { series: 'kepler_node_package_joules_total{edgedeviceid="gw-01",mode="dynamic",source="trained_power_model"}', values: rising(120) },
      { series: 'kepler_node_package_joules_total{edgedeviceid="gw-01",mode="idle",source="trained_power_model"}', values: rising(60) },
      { series: 'kepler_node_dram_joules_total{edgedeviceid="gw-01",mode="dynamic",source="trained_power_model"}', values: rising(30) },
      // pi-01, node_exporter: cpu0 idle 45 s/min (75 %), cpu1 idle 15 s/min (25 %) → mean idle 0.5, utilisation 0.5.
      { series: 'node_cpu_seconds_total{edgedeviceid="pi-01",cpu="0",mode="idle"}', values: rising(45) },
      { series: 'node_cpu_seconds_total{edgedeviceid="pi-01",cpu="1",mode="idle"}', values: rising(15) },
      { series: 'node_cpu_seconds_total{edgedeviceid="pi-01",cpu="0",mode="user"}', values: rising(15) },
      // A device in no profile set: its CPU time makes no profile figure.
      { series: 'node_cpu_seconds_total{edgedeviceid="cam-01",cpu="0",mode="idle"}', values: rising(30) },
    ],
    promql_expr_test: [
      {
        expr: 'device_source:edgewatt_power_watts:sum',
        eval_time: '20m',
        exp_samples: [
          { labels: 'device_source:edgewatt_power_watts:sum{cluster="hub",device="cam-01",source="rapl"}', value: 4 },
          { labels: 'device_source:edgewatt_power_watts:sum{cluster="hub",device="gw-01",source="estimated"}', value: 3.5 },
          { labels: 'device_source:edgewatt_power_watts:sum{cluster="hub",device="pi-01",source="profile"}', value: PROFILE_WATTS },
        ],
      },
      {
        expr: 'cluster_source:edgewatt_devices:count',
        eval_time: '20m',
        exp_samples: ['estimated', 'profile', 'rapl'].map((s) => ({ labels: `cluster_source:edgewatt_devices:count{cluster="hub",source="${s}"}`, value: 1 })),
      },
    ],
  };
}

/** DevicePowerMissing: registered devices (the controller manager's roster) whose power record is absent for 15 min. */
export function devicePowerMissingCase(): unknown {
  const hb = (d: string) => `flotta_api_edge_devices_heartbeat{job="flotta-controller-manager",cluster="hub",instance="10.42.0.9:8443",deviceNamespace="fleet",deviceID="${d}"}`;
  const labels = (d: string, source: string) => ({ severity: 'warning', cluster: 'hub', deviceID: d, device: d, power_source: source });
  const notes = (d: string, source: string) => ({
    summary: `Device ${d} sends no power series (${source})`,
    description: `Device ${d}, registered with the Flotta operator on cluster hub, has sent no power series for the window of its set (fleet.deviceSets[].power.missingAfterMinutes): its power is not counted.`,
    runbook_url: `${RUNBOOK}#devicepowermissing`,
  });
  return {
    interval: '1m',
    input_series: [
      ...['cam-01', 'gw-01', 'pi-01'].map((d) => ({ series: hb(d), values: flat(0, 60) })),
      // cam-01 reports throughout; gw-01 stops at minute 10; pi-01 (profile) never sends CPU metrics.
      { series: 'kepler_node_cpu_watts{edgedeviceid="cam-01",zone="package",path="/sys/class/powercap/intel-rapl:0"}', values: flat(3, 60) },
      { series: 'kepler_node_package_joules_total{edgedeviceid="gw-01",mode="dynamic",source="trained_power_model"}', values: rising(120, 10) },
    ],
    alert_rule_test: [
      { eval_time: '12m', alertname: 'DevicePowerMissing', exp_alerts: [{ exp_labels: labels('pi-01', 'profile'), exp_annotations: notes('pi-01', 'profile') }] },
      // gw-01's last record is at minute 14 (rate over 5 m, then the series is stale): absent for 15 min from minute 30.
      { eval_time: '25m', alertname: 'DevicePowerMissing', exp_alerts: [{ exp_labels: labels('pi-01', 'profile'), exp_annotations: notes('pi-01', 'profile') }] },
      {
        eval_time: '40m',
        alertname: 'DevicePowerMissing',
        exp_alerts: [
          { exp_labels: labels('gw-01', 'estimated'), exp_annotations: notes('gw-01', 'estimated') },
          { exp_labels: labels('pi-01', 'profile'), exp_annotations: notes('pi-01', 'profile') },
        ],
      },
    ],
  };
}

/**
 * Flotta's agent writes every 5 minutes, so at the hub device series end minutes before now until the next write.
 * Here every series ends at minute 14 and the records are evaluated at minute 20, just before the next write would
 * arrive: each device still has its record, with its figure (a rule reading the hub's now would find an empty
 * `[5m]` window and an instant selector past its lookback).
 */
export function deviceBatchLagCase(): unknown {
  const upTo14 = (c: { series: string; values: string }) => ({ series: c.series, values: c.values.replace(/x40$/, 'x14') });
  const full = devicePowerRecordCase() as { input_series: Array<{ series: string; values: string }>; promql_expr_test: unknown[] };
  return { interval: '1m', input_series: full.input_series.map(upTo14), promql_expr_test: [full.promql_expr_test[0]] };
}
