import { AlertRule, RecordingRule } from '../core/monitoring-contract';
import { FLOTTA_MANAGER, FLOTTA_METRIC } from '../fleet/flotta-operator';
import { SetPower, setPowers, sortedDeviceNames } from '../model/device-power';
import { FleetModel, StackModel } from '../model/types';

/** Names of the device power records (dashboards, tests, plan). */
export const DEVICE_RECORD = {
  /** Device watts by (cluster, device, source). */
  sourcePower: 'device_source:edgewatt_power_watts:sum',
  /** Device watts by (cluster, device). */
  power: 'device:edgewatt_power_watts:sum',
  /** Device energy over the last hour in kWh by (cluster, device). */
  energy: 'device:edgewatt_energy_kwh:increase1h',
  /** Devices reporting power by (cluster, source). */
  sourceDevices: 'cluster_source:edgewatt_devices:count',
} as const;

/**
 * Values of `source` on the device records: `rapl` and `hwmon` are measured (Kepler v0.11.4 names each node
 * zone by its sysfs `path`: `/sys/class/powercap/intel-rapl:N` for RAPL, `internal/device/rapl_sysfs_power_meter.go`,
 * `/sys/class/hwmon/hwmonN/powerN_input` for hwmon, `internal/device/hwmon_power_meter.go`); `estimated` is
 * Kepler classic's own `source="trained_power_model"` (v0.7.12 `pkg/model/types/types.go`
 * `TrainedPowerModelSource`, a constant label of every energy metric, `pkg/metrics/metricfactory`); a classic
 * exporter that finds RAPL after all says `rapl-sysfs` (`pkg/sensors/components/source/rapl_sysfs.go`) and is
 * recorded as `rapl`; `profile` is computed here from the declared watts.
 */
export const DEVICE_SOURCES = { measured: ['rapl', 'hwmon'], estimated: ['estimated', 'profile'] } as const;

const JOULES_PER_KWH = 3.6e6;
/**
 * A matcher for the series of the `chosen` devices among all the fleet's devices (`all`), on `label` (Flotta's
 * `edgedeviceid` is the device name: lib/fleet/registration.ts): no list when they are all of them, else the
 * shorter of listing them or listing the others. So a fleet whose sets share one source gives rules of the same
 * size at 100 or 100,000 devices (one ConfigMap stays far below Kubernetes' 1 MiB), and a mixed fleet pays only
 * for its smaller part. In the "others" form a device registered outside the stack counts as chosen.
 */
export function deviceMatcher(chosen: ReadonlyArray<string>, all: ReadonlyArray<string>, label = 'edgedeviceid'): string {
  const picked = new Set(chosen);
  const rest: string[] = [];
  let kept: string[] | undefined = [];
  for (let i = 0; i < all.length; i++) {
    const d = all[i];
    if (!picked.has(d)) rest.push(d);
    else if (kept !== undefined) kept.push(d);
    // `all` sorted without repeats (sortedDeviceNames) gives the chosen sorted as they are met; anything else sorts them.
    if (i > 0 && !(all[i - 1] < d)) kept = undefined;
  }
  if (rest.length === 0) return `${label}!=""`;
  const listed = (kept !== undefined && kept.length === picked.size ? kept : [...picked].sort()).join('|');
  const others = rest.join('|');
  return listed.length <= others.length ? `${label}=~"${listed}"` : `${label}!="", ${label}!~"${others}"`;
}

/**
 * deviceMatcher for a list made of whole sets of setPowers(fleet), which puts each listed device in exactly one set:
 * a list as long as the fleet's holds every device, so it is matched without a list and without walking the fleet's
 * names (~0.15 s a synth at 100,000 devices, where the bench's one set holds them all).
 */
function fleetMatcher(fleet: FleetModel, devices: ReadonlyArray<string>, label?: string): string {
  return devices.length === fleet.devices.length ? everyDevice(label) : deviceMatcher(devices, sortedDeviceNames(fleet), label);
}

/** The matcher of every device of the fleet (fleetMatcher). */
function everyDevice(label?: string): string {
  return `${label ?? 'edgedeviceid'}!=""`;
}

/**
 * fleetMatcher of the devices of some of setPowers(fleet)'s sets: every device's when they hold as many devices as the
 * fleet (each device is in one set), without listing them first (100,000 names at the bench's largest tier).
 */
function setsMatcher(fleet: FleetModel, sets: ReadonlyArray<SetPower>, label?: string): string {
  const count = sets.reduce((n, s) => n + s.devices.length, 0);
  return count === fleet.devices.length ? everyDevice(label) : fleetMatcher(fleet, sets.flatMap((s) => s.devices), label);
}
const BY = 'cluster, device, source';

/** How often the Flotta agent scrapes the Kepler relays (charts/energy.ts: their EdgeWorkloads' metrics interval), s. */
const RELAY_INTERVAL_SECONDS = 60;

/**
 * How far behind the hub's clock device series can be, in whole minutes, for series collected every
 * `intervalSeconds`: Flotta's agent remote-writes what it collected every 5 minutes
 * (project-flotta/flotta-device-worker 0.2.0 `internal/metrics/remote_write.go`: writeRoutine sleeps
 * `defaultWaitInterval = 5 * time.Minute` between writes; not configurable), so just before a write the newest
 * sample at the hub is 5 minutes plus an interval old, plus the send. Rules evaluated at the hub's now would see a
 * `[5m]` window with no or one sample (no rate) and an instant selector past its 5-minute lookback once every
 * write: the records would have gaps, and figures computed on partial windows. So each device term reads its data
 * this much earlier (`offset`), where the writes have always arrived: 5 minutes, the interval, and a minute for the
 * send. The records are the devices' power that long ago.
 */
export function deviceDataDelayMinutes(intervalSeconds: number): number {
  return 5 + Math.ceil(intervalSeconds / 60) + 1;
}

/** The rate window for counters collected every `intervalSeconds`: 5 minutes, or 2.5 intervals (two samples, always). */
export function deviceRateWindowMinutes(intervalSeconds: number): number {
  return Math.max(5, Math.ceil((2.5 * intervalSeconds) / 60));
}

/** Gives a device series its `device` (Flotta's `edgedeviceid`) and the fleet's `cluster`. */
function tag(expr: string, cluster: string): string {
  return `label_replace(label_replace(${expr}, "device", "$1", "edgedeviceid", "(.+)"), "cluster", "${cluster}", "", "")`;
}

/** `a + (b or a * 0)`: adds an optional term without losing devices that lack it. */
function plusOptional(a: string, b: string): string {
  return `(${a}) + (${b} or (${a}) * 0)`;
}

/**
 * Measured devices: Kepler v0.11.4 node zones package and dram (core and uncore are inside package), or the
 * hwmon zones the set declares (their sum is the device's power).
 */
function measuredTerm(cluster: string, devices: string, offset: string, zoneRegex = 'package|dram'): string {
  const zones = `kepler_node_cpu_watts{zone=~"${zoneRegex}", ${devices}} offset ${offset}`;
  const bySource = `label_replace(label_replace(${zones}, "source", "rapl", "path", ".*/powercap/.*"), "source", "hwmon", "path", ".*/hwmon/.*")`;
  return `sum by (${BY}) (${tag(bySource, cluster)})`;
}

/** Estimated devices: Kepler v0.7.12 node package + dram energy counters, Kepler's `source` mapped. */
function estimatedTerm(cluster: string, devices: string, offset: string): string {
  const term = (m: string) => {
    const series = `rate(${m}{${devices}}[${deviceRateWindowMinutes(RELAY_INTERVAL_SECONDS)}m] offset ${offset})`;
    const mapped = `label_replace(label_replace(${series}, "source", "estimated", "source", "trained_power_model"), "source", "rapl", "source", "rapl-.*")`;
    return `sum by (${BY}) (${tag(mapped, cluster)})`;
  };
  return plusOptional(term('kepler_node_package_joules_total'), term('kepler_node_dram_joules_total'));
}

/**
 * Profile devices of one set: idle + (max − idle) × utilisation, utilisation = 1 − the mean idle fraction of
 * the device's CPUs over 5 minutes from node_exporter's `node_cpu_seconds_total{mode="idle"}` (which the Flotta
 * agent sends as system metrics). This is the min/max-watts × average-utilisation method of Cloud Carbon
 * Footprint (https://www.cloudcarbonfootprint.org/docs/methodology, "Energy Estimate (Watt-Hours)": average
 * watts = min watts + average vCPU utilisation × (max watts − min watts)).
 */
export function profileTerm(cluster: string, devices: string, idle: number, max: number, intervalSeconds: number): string {
  const window = `${deviceRateWindowMinutes(intervalSeconds)}m`;
  const offset = `${deviceDataDelayMinutes(intervalSeconds)}m`;
  const util = `clamp_max(clamp_min(1 - avg by (edgedeviceid) (rate(node_cpu_seconds_total{mode="idle", ${devices}}[${window}] offset ${offset})), 0), 1)`;
  const span = Number((max - idle).toFixed(6));
  return `sum by (${BY}) (${tag(`label_replace(${idle} + ${span} * ${util}, "source", "profile", "", "")`, cluster)})`;
}

/**
 * Whether the stack records device power (DEVICE_RECORD): some listed device has a power source (FleetModel.recordsPower,
 * from resolve). A fleet that declares power but lists no device yet (or none in its powered sets) records none, so
 * nothing may read the records (the fleet dashboard's power panels, lib/dashboards/dashboards.ts). One value of the
 * model, so a chart that asks does not read every device (and is not built again when one changes).
 */
export function recordsDevicePower(model: StackModel): boolean {
  return model.fleet?.recordsPower === true;
}

/** The device power records, one source term per kind of set present; none when recordsDevicePower is false. */
export function devicePowerRules(model: StackModel): RecordingRule[] {
  const f = model.fleet;
  if (!f || !f.recordsPower) return [];
  const sets = setPowers(f).filter((s) => s.power && s.devices.length > 0);
  if (sets.length === 0) return [];
  const of = (devices: ReadonlyArray<string>) => fleetMatcher(f, devices);
  const ofSets = (some: ReadonlyArray<SetPower>) => setsMatcher(f, some);
  const terms: string[] = [];
  // Measured and estimated devices send through the Kepler relay; profile devices their system metrics, at their set's interval.
  const offset = `${deviceDataDelayMinutes(RELAY_INTERVAL_SECONDS)}m`;
  const interval = new Map(f.deviceSets.map((s) => [s.name, s.metrics.intervalSeconds]));
  const rapl = sets.filter((s) => s.power!.source === 'measured' && !s.power!.hwmonZones);
  if (rapl.length) terms.push(measuredTerm(f.cluster, ofSets(rapl), offset));
  for (const s of sets) if (s.power!.source === 'measured' && s.power!.hwmonZones) terms.push(measuredTerm(f.cluster, of(s.devices), offset, s.power!.hwmonZones.join('|')));
  const estimated = sets.filter((s) => s.power!.source === 'estimated');
  if (estimated.length) terms.push(estimatedTerm(f.cluster, ofSets(estimated), offset));
  // Profile sets with the same watts and interval share one term.
  const profiles = new Map<string, { idle: number; max: number; seconds: number; devices: string[] }>();
  for (const s of sets) {
    const p = s.power!;
    if (p.source !== 'profile' || !p.profile) continue;
    const seconds = interval.get(s.set) ?? 60; // the generated set edgewatt-default: the stack default
    const key = `${p.profile.idleWatts}/${p.profile.maxWatts}/${seconds}`;
    if (!profiles.has(key)) profiles.set(key, { idle: p.profile.idleWatts, max: p.profile.maxWatts, seconds, devices: [] });
    profiles.get(key)!.devices.push(...s.devices);
  }
  for (const g of profiles.values()) terms.push(profileTerm(f.cluster, of(g.devices), g.idle, g.max, g.seconds));
  return [
    { record: DEVICE_RECORD.sourcePower, expr: terms.join(' or ') },
    { record: DEVICE_RECORD.power, expr: `sum by (cluster, device) (${DEVICE_RECORD.sourcePower})` },
    // Mean watts over the hour × 3600 s / 3.6e6 J per kWh: uniform for counters (measured, estimated) and profiles.
    { record: DEVICE_RECORD.energy, expr: `avg_over_time(${DEVICE_RECORD.power}[1h]) * 3600 / ${JOULES_PER_KWH}` },
    { record: DEVICE_RECORD.sourceDevices, expr: `count by (cluster, source) (${DEVICE_RECORD.sourcePower})` },
  ];
}

/** An alert before its runbook URL is set. */
type Alert = Omit<AlertRule, 'runbookURL'>;

/** What each source needs, for the runbook of DevicePowerMissing. */
const MISSING_CAUSES: Record<'measured' | 'estimated' | 'profile', string> = {
  measured:
    'power_source="measured": on the device, `systemctl status kepler.service` (is it installed, as dist/<fleet cluster>/fleet/device-bootstrap/<set>/README.md says?); `curl -s http://127.0.0.1:28282/metrics | grep kepler_node_cpu_watts` — no zone series means no readable RAPL (not an x86 CPU with RAPL, or a VM): use source estimated or profile for this set. Then `podman ps` as the Flotta user: is the kepler-host-relay workload running and can it reach host.containers.internal:28282 (firewall)?',
  estimated:
    'power_source="estimated": `systemctl status kepler-classic.service`; its log says whether eBPF loaded (kernel with BTF, CAP_BPF) and where the model weights came from (model server URL, NODE_COMPONENTS_INIT_URL, or the weights in /var/lib/kepler); then the kepler-classic-relay workload as for measured (port 9102).',
  profile:
    'power_source="profile": the figure is computed at the hub from node_cpu_seconds_total, so the device sends no system metrics: on the device, `systemctl --user status node_exporter` as the Flotta user (the agent starts it), and the agent\'s log for remote-write errors; the device\'s other series (node_*) at the hub tell whether anything arrives.',
};

/**
 * DevicePowerMissing: a device the Flotta operator knows (the controller manager's heartbeat series at 0 for
 * every EdgeDevice, lib/fleet/flotta-operator.ts) whose set declares a power source has no device power record
 * in the last `missingAfterMinutes` of its set. One term per (source, window), its devices matched by deviceMatcher. It reads the
 * device records, so it goes in the energy group after them.
 */
export function devicePowerMissingAlert(model: StackModel): Alert | undefined {
  const f = model.fleet;
  if (!f || !model.monitoring) return undefined;
  const hb = `${FLOTTA_METRIC.heartbeat}{job="${FLOTTA_MANAGER.job}"}`;
  // One term per (source, window): sets that share both share a term.
  const groups = new Map<string, { source: 'measured' | 'estimated' | 'profile'; minutes: number; sets: SetPower[] }>();
  for (const s of setPowers(f)) {
    const p = s.power;
    if (!p || s.devices.length === 0) continue;
    const key = `${p.source}/${p.missingAfterMinutes}`;
    if (!groups.has(key)) groups.set(key, { source: p.source, minutes: p.missingAfterMinutes, sets: [] });
    groups.get(key)!.sets.push(s);
  }
  const sources = new Set([...groups.values()].map((g) => g.source));
  const terms = [...groups.values()].map((g) => {
    const known = `label_replace(max by (cluster, deviceID) (${hb.replace('}', `, ${setsMatcher(f, g.sets, 'deviceID')}}`)}), "device", "$1", "deviceID", "(.*)")`;
    return `label_replace(${known} unless on (device) max_over_time(${DEVICE_RECORD.power}[${g.minutes}m]), "power_source", "${g.source}", "", "")`;
  });
  if (terms.length === 0) return undefined;
  return {
    alert: 'DevicePowerMissing',
    expr: terms.join(' or '),
    for: '1m',
    severity: 'warning',
    summary: 'Device {{ $labels.device }} sends no power series ({{ $labels.power_source }})',
    description: 'Device {{ $labels.device }}, registered with the Flotta operator on cluster {{ $labels.cluster }}, has sent no power series for the window of its set (fleet.deviceSets[].power.missingAfterMinutes): its power is not counted.',
    steps: [
      'If EdgeDeviceHeartbeatMissing fires for the same device, the device is off or unreachable: follow that runbook first.',
      ...[...sources].sort().map((s) => MISSING_CAUSES[s]),
    ],
  };
}
