import { modelServerEndpoint } from '../core/endpoints';
import { ProblemList } from '../core/errors';
import { FLOTTA_DEFAULT_SET, MAX_SET_NAME_LENGTH, UNSAMPLED_SUFFIX } from '../core/fleet-sets';
import { didYouMean, duplicates, sortedBy } from '../core/names';
import { StackSpec } from '../spec/stack';
import { checkDevicePower, defaultPowerOf, fleetEstimates, hasPoweredDevice } from './device-power';
import { resolvedDevices } from './resolved-devices';
import { checkEvents, checkHubReaders, checkOperatorReceiver, resolveOperator } from './monitoring';
import { registryOf } from '../core/versions';
import { KEPLER_EXCEPTION_REASON, NamespacePlan, reserveNamespaces } from './namespaces';
import { Placer } from './placement';
import { checkTransports } from './transports';
import { checkThings, deviceAddressProblem } from './iomt-things';
import { checkDeviceHostPorts } from './device-ports';
import {
  ClusterModel,
  DashboardsModel,
  DeviceModel,
  DeviceSetModel,
  EnergyModel,
  FleetModel,
  MonitoringModel,
  PipelineModel,
  StackModel,
  ThingKind,
  WorkloadModel,
} from './types';

/**
 * Resolves a parsed stack: places every component on a cluster, sorts unordered lists, derives namespaces,
 * and checks every cross reference. All problems are thrown together as one SpecError.
 */
export function resolveModel(spec: StackSpec): StackModel {
  const problems = new ProblemList();
  const ns = new NamespacePlan();
  reportDuplicates(problems, spec.clusters, (c) => c.name, 'clusters', 'cluster');
  const placer = new Placer(
    spec.clusters.map((c) => c.name),
    problems,
  );

  const monitoring = resolveMonitoring(spec, placer, ns, problems);
  checkAlertmanager(spec, problems);
  const hub = monitoring?.cluster;
  // The hub is what the components below default to; when monitoring names a cluster that is not there (its own
  // problem), their cluster is not also "required" (null: the default exists but could not be placed).
  const defaultCluster = hub ?? (spec.monitoring ? null : undefined);
  const energy = resolveEnergy(spec, placer, ns, problems, defaultCluster);
  const dashboards = resolveDashboards(spec, placer, ns, problems, defaultCluster);
  checkHubReaders(spec, hub, { dashboards: dashboards?.cluster, modelServer: energy?.modelServer?.cluster }, problems);
  const deviceNames = new DeviceNames(spec.fleet?.devices ?? []);
  const fleet = resolveFleet(spec, placer, ns, problems, deviceNames, defaultCluster);
  const pipelines = spec.iomt ? resolvePipelines(spec, placer, ns, problems, deviceNames) : undefined;
  checkDeviceHostPorts(fleet, pipelines, problems);
  const iomt = pipelines ? { pipelines, registries: [...new Set(pipelines.flatMap((p) => p.things.map((t) => registryOf(t.image))))].sort() } : undefined;

  // Every cluster that runs something also runs the monitoring component (an agent or the operator's rules).
  const edges = monitoring ? ns.clusters().filter((c) => c !== monitoring.cluster) : [];
  if (monitoring) for (const c of edges) useMonitoringNamespaces(monitoring, c, ns);
  checkOperatorReceiver(spec, monitoring?.operator, edges, problems);
  reserveNamespaces(spec, ns, fleet?.cluster);
  const namespaces = ns.resolve(problems);
  checkTransports(spec, [...namespaces.entries()].filter(([, list]) => list.length > 0).map(([c]) => c), problems, {
    hub,
    modelServer: energy?.modelServer?.cluster,
    fleet: fleet?.cluster,
  });
  checkEvents(spec, placer, problems, monitoring?.cluster, namespaces);
  problems.throwIfAny();

  const clusters: ClusterModel[] = sortedBy(
    spec.clusters.map((c, i) => ({
      name: c.name,
      server: c.server,
      platform: c.platform,
      ...(c.apiServerCIDRs ? { apiServerCIDRs: c.apiServerCIDRs } : {}),
      ...(c.dnsCIDRs ? { dnsCIDRs: c.dnsCIDRs } : {}),
      namespaces: namespaces.get(c.name) ?? [],
      path: `clusters[${i}]`,
    })),
    (c) => c.name,
  );
  return { name: spec.name, gitops: spec.gitops, clusters, energy, monitoring, dashboards, fleet, iomt, spec };
}

/**
 * The fleet's device names, in stack order, with their set and the index of each name's first device: made once per
 * resolve for every check that looks a device up (100,000 devices at the bench's largest tier).
 */
class DeviceNames {
  public readonly list: ReadonlyArray<string>;
  public readonly set: ReadonlySet<string>;
  private firstIndex?: Map<string, number>;

  constructor(devices: ReadonlyArray<{ readonly name: string }>) {
    this.list = devices.map((d) => d.name);
    this.set = new Set(this.list);
  }

  /** Whether two devices share a name. */
  public get repeated(): boolean {
    return this.set.size < this.list.length;
  }

  /** The index of the first device named `name` (-1 when none), from an index built on first use. */
  public indexOf(name: string): number {
    if (this.firstIndex === undefined) {
      this.firstIndex = new Map();
      this.list.forEach((n, i) => {
        if (!this.firstIndex!.has(n)) this.firstIndex!.set(n, i);
      });
    }
    return this.firstIndex.get(name) ?? -1;
  }
}

function reportDuplicates<T>(problems: ProblemList, items: ReadonlyArray<T>, key: (t: T) => string, path: string, noun: string): void {
  for (const d of duplicates(items, key)) {
    const first = items.findIndex((t) => key(t) === d.key);
    problems.add(`${path}[${d.index}].name`, `duplicate ${noun} name "${d.key}" (also ${path}[${first}].name): names must be unique`);
  }
}

function resolveMonitoring(spec: StackSpec, placer: Placer, ns: NamespacePlan, problems: ProblemList): MonitoringModel | undefined {
  if (!spec.monitoring) return undefined;
  const operator = resolveOperator(spec.monitoring, problems);
  const cluster = placer.place(spec.monitoring.cluster, 'monitoring.cluster');
  if (cluster === undefined) return undefined;
  const { operator: _declared, ...rest } = spec.monitoring;
  void _declared;
  const model: MonitoringModel = { ...rest, cluster, ...(operator ? { operator } : {}) };
  useMonitoringNamespaces(model, cluster, ns);
  return model;
}

/**
 * The monitoring namespaces on a cluster: the bundled one; in operator mode, the install's namespace, external,
 * and `monitoring.namespace` for edgewatt's rules (the same external namespace unless set apart).
 */
function useMonitoringNamespaces(m: MonitoringModel, cluster: string, ns: NamespacePlan): void {
  if (m.operator) {
    ns.useExternal(cluster, m.operator.namespace, 'monitoring', 'monitoring.operator.namespace');
    if (m.namespace !== m.operator.namespace) ns.use(cluster, m.namespace, 'monitoring', 'monitoring.namespace');
  } else {
    ns.use(cluster, m.namespace, 'monitoring', 'monitoring.namespace');
  }
}

function checkAlertmanager(spec: StackSpec, problems: ProblemList): void {
  const am = spec.monitoring?.alertmanager;
  if (!am) return;
  reportDuplicates(problems, am.receivers, (r) => r.name, 'monitoring.alertmanager.receivers', 'receiver');
  am.receivers.forEach((r, i) => {
    const kinds = [r.webhook, r.slack].filter(Boolean).length;
    if (kinds !== 1) problems.add(`monitoring.alertmanager.receivers[${i}]`, 'must have exactly one of webhook or slack');
  });
  const names = ['null', ...am.receivers.map((r) => r.name)];
  am.routes.forEach((r, i) => {
    if (!names.includes(r.receiver)) problems.add(`monitoring.alertmanager.routes[${i}].receiver`, `no receiver named "${r.receiver}"${didYouMean(r.receiver, names)}`);
  });
}

function resolveEnergy(spec: StackSpec, placer: Placer, ns: NamespacePlan, problems: ProblemList, hub?: string | null): EnergyModel | undefined {
  if (!spec.energy) return undefined;
  const { kepler, modelServer, namespace } = spec.energy;
  const listed = kepler.clusters ?? spec.clusters.map((c) => c.name);
  // A cluster that is not there (its own problem) is left out, so nothing else is reported about it.
  const unknown = new Set(kepler.clusters?.filter((c, i) => !placer.check(c, `energy.kepler.clusters[${i}]`)));
  // Only a list the stack gives (the default, every cluster, repeats a cluster only when `clusters` does: its own problem).
  if (kepler.clusters) for (const d of duplicates(listed, (c) => c)) problems.add(`energy.kepler.clusters[${d.index}]`, `cluster "${d.key}" is listed twice`);
  const clusters = [...new Set(listed)].filter((c) => !unknown.has(c)).sort();
  for (const c of clusters) ns.use(c, kepler.namespace, 'energy', 'energy.kepler.namespace', KEPLER_EXCEPTION_REASON);

  let server: EnergyModel['modelServer'];
  if (modelServer) {
    if (kepler.generation !== 'classic' && !fleetEstimates(spec)) {
      problems.add('energy.modelServer', 'the model server works with the classic Kepler generation only: set energy.kepler.generation to classic, let device sets estimate from it (power.source estimated with an ingress exposure), or remove energy.modelServer');
    }
    const cluster = placer.place(modelServer.cluster, 'energy.modelServer.cluster', hub);
    if (cluster !== undefined) {
      ns.use(cluster, namespace, 'energy', 'energy.namespace');
      server = { ...modelServer, cluster };
      // The exporters elsewhere fetch models by its clusterset name, which resolves only where its namespace exists.
      if (modelServer.exposure?.transport === 'mcs') {
        const ep = modelServerEndpoint(namespace, cluster);
        for (const c of clusters) if (c !== cluster) ns.importFor(c, namespace, 'energy', 'energy.modelServer.exposure', `${ep.namespace}/${ep.name} of cluster ${cluster}`);
      }
    }
  }
  // kepler v0.7.12 .github/workflows/image.yml builds release-0.7.12 with INSTALL_DCGM=false, and its Makefile adds the
  // nvml/dcgm build tags only when those libraries are in the builder: the image registers only the dummy GPU device
  // (pkg/sensors/accelerator/device/sources/dummy.go) and reports 0 W. Only release-0.7.12-dcgm reads GPUs, through a
  // DCGM host engine on the host network (manifests/k8s/config/exporter/patch/patch-dcgmi.yaml), which edgewatt does not
  // deploy. The current generation reads NVML (internal/device/gpu/nvidia, kepler v0.11.4).
  if (kepler.gpu && kepler.generation === 'classic') {
    problems.add(
      'energy.kepler.gpu',
      'the classic image (kepler release-0.7.12) has no NVIDIA support compiled in (upstream builds it with INSTALL_DCGM=false; only release-0.7.12-dcgm reads GPUs, through a DCGM host engine on the host network, which edgewatt does not deploy), so GPU power would read 0: set energy.kepler.generation to current (NVML), or gpu: false',
    );
  }
  if (kepler.redfish && kepler.generation !== 'classic') {
    problems.add('energy.kepler.redfish', 'Redfish platform power is part of the classic Kepler generation: set energy.kepler.generation to classic, or remove redfish');
  }
  return { kepler: { ...kepler, clusters }, modelServer: server, namespace };
}

function resolveDashboards(spec: StackSpec, placer: Placer, ns: NamespacePlan, problems: ProblemList, hub?: string | null): DashboardsModel | undefined {
  if (!spec.dashboards) return undefined;
  // Without it Grafana's datasource would name a Prometheus that is not there, and no dashboard would be made.
  if (!spec.monitoring) problems.add('dashboards', "needs monitoring: the dashboards read monitoring's Prometheus and its recording rules (Grafana's datasource is that Prometheus): add monitoring: {} or remove dashboards");
  const cluster = placer.place(spec.dashboards.cluster, 'dashboards.cluster', hub);
  if (cluster === undefined) return undefined;
  ns.use(cluster, spec.dashboards.namespace, 'dashboards', 'dashboards.namespace');
  if (spec.dashboards.mode === 'sidecar' && spec.dashboards.ingressControllerNamespace !== undefined) {
    problems.add('dashboards.ingressControllerNamespace', "admits the ingress controller to the bundled Grafana, and mode sidecar runs none: remove it (admit your controller in your own Grafana's NetworkPolicy), or set mode: bundled");
  }
  return { ...spec.dashboards, cluster };
}

function resolveFleet(spec: StackSpec, placer: Placer, ns: NamespacePlan, problems: ProblemList, deviceNames: DeviceNames, hub?: string | null): FleetModel | undefined {
  if (!spec.fleet) return undefined;
  const f = spec.fleet;
  const cluster = placer.place(f.cluster, 'fleet.cluster', hub);
  reportDuplicates(problems, f.deviceSets, (s) => s.name, 'fleet.deviceSets', 'device set');
  // Walked for the problems only when the set of names says some repeat.
  if (deviceNames.repeated) reportDuplicates(problems, f.devices, (d) => d.name, 'fleet.devices', 'device');
  f.deviceSets.forEach((s, i) => {
    if (s.name === FLOTTA_DEFAULT_SET || s.name.endsWith(UNSAMPLED_SUFFIX)) {
      problems.add(`fleet.deviceSets[${i}].name`, `"${s.name}" is reserved for the sets edgewatt generates ("${FLOTTA_DEFAULT_SET}", "<set>${UNSAMPLED_SUFFIX}"): choose another name`);
    } else if (s.name.length > MAX_SET_NAME_LENGTH) {
      problems.add(`fleet.deviceSets[${i}].name`, `is ${s.name.length} characters; at most ${MAX_SET_NAME_LENGTH}, so that its variant "<set>${UNSAMPLED_SUFFIX}" is a valid name: shorten it`);
    }
  });
  const setNames = f.deviceSets.map((s) => s.name);
  const sets = new Set(setNames);
  f.devices.forEach((d, i) => {
    if (d.set !== undefined && !sets.has(d.set)) {
      const where = setNames.length ? didYouMean(d.set, setNames) : ': fleet.deviceSets is empty';
      problems.add(`fleet.devices[${i}].set`, `no device set named "${d.set}"${where}`);
    }
  });
  const workloads = resolveWorkloads(f, problems, deviceNames);
  checkDevicePower(spec, problems);
  if (cluster === undefined) return undefined;
  ns.use(cluster, f.namespace, 'fleet', 'fleet.namespace');
  const defaultPower = defaultPowerOf(spec);
  const deviceSets: DeviceSetModel[] = sortedBy(
    f.deviceSets.map((s, i) => ({ ...s, power: s.power ? { ...s.power, path: `fleet.deviceSets[${i}].power` } : defaultPower, path: `fleet.deviceSets[${i}]` })),
    (s) => s.name,
  );
  const devices: DeviceModel[] = sortedBy(resolvedDevices(f.devices), (d) => d.name);
  return { cluster, namespace: f.namespace, deviceSets, devices, workloads, recordsPower: hasPoweredDevice(deviceSets, devices, defaultPower), defaultPower, receiver: f.receiver, edgeAPI: f.edgeAPI };
}

type FleetSpec = NonNullable<StackSpec['fleet']>;

/** Places each workload on the devices it names or selects; one that lands nowhere is a problem. */
function resolveWorkloads(f: FleetSpec, problems: ProblemList, deviceNames: DeviceNames): WorkloadModel[] {
  reportDuplicates(problems, f.workloads, (w) => w.name, 'fleet.workloads', 'workload');
  const names = deviceNames.list;
  const known = deviceNames.set;
  // Devices by the value of one label, built per label key on first use: a selector's candidates are looked up,
  // not found by scanning every device for every workload (quadratic at 100,000 devices).
  const byLabel = new Map<string, Map<string, FleetSpec['devices'][number][]>>();
  const withLabel = (key: string, value: string): ReadonlyArray<FleetSpec['devices'][number]> => {
    let index = byLabel.get(key);
    if (!index) {
      index = new Map();
      for (const d of f.devices) {
        const v = d.labels[key];
        if (v === undefined) continue;
        const list = index.get(v);
        if (list) list.push(d);
        else index.set(v, [d]);
      }
      byLabel.set(key, index);
    }
    return index.get(value) ?? [];
  };
  const out: WorkloadModel[] = [];
  f.workloads.forEach((w, i) => {
    const path = `fleet.workloads[${i}]`;
    if ((w.devices === undefined) === (w.selector === undefined)) {
      problems.add(path, 'must name its devices with exactly one of devices or selector');
      return;
    }
    let targets: string[];
    if (w.devices) {
      w.devices.forEach((d, j) => {
        if (!known.has(d)) problems.add(`${path}.devices[${j}]`, `no device named "${d}" in fleet.devices${didYouMean(d, names)}`);
      });
      targets = w.devices.filter((d) => known.has(d));
    } else {
      const sel = Object.entries(w.selector ?? {});
      targets = (sel.length > 0 ? withLabel(sel[0][0], sel[0][1]) : f.devices).filter((d) => sel.every(([k, v]) => d.labels[k] === v)).map((d) => d.name);
      if (targets.length === 0) {
        problems.add(`${path}.selector`, `matches no device in fleet.devices (selector ${sel.map(([k, v]) => `${k}=${v}`).join(', ')}): label a device or change the selector`);
      }
    }
    out.push({ ...w, path, targets: [...new Set(targets)].sort() });
  });
  return sortedBy(out, (w) => w.name);
}

function resolvePipelines(spec: StackSpec, placer: Placer, ns: NamespacePlan, problems: ProblemList, deviceNames: DeviceNames): PipelineModel[] {
  const pipelines = spec.iomt?.pipelines ?? [];
  reportDuplicates(problems, pipelines, (p) => p.name, 'iomt.pipelines', 'pipeline');
  const devices = deviceNames.set;
  const owners = new Map<string, string>(); // cluster/namespace/thing -> path of the first thing with that name
  const checkedAddresses = new Set<number>(); // devices whose address was checked
  const out: PipelineModel[] = [];
  pipelines.forEach((p, pi) => {
    const path = `iomt.pipelines[${pi}]`;
    reportDuplicates(problems, p.things, (t) => t.name, `${path}.things`, 'thing');
    const names = p.things.map((t) => t.name);
    const known = new Set(names);
    p.things.forEach((t, ti) => {
      if (t.device !== undefined && !devices.has(t.device)) {
        const where = deviceNames.list.length ? didYouMean(t.device, deviceNames.list) : ': fleet.devices is empty';
        problems.add(`${path}.things[${ti}].device`, `no device named "${t.device}" in fleet.devices${where}`);
      } else if (t.device !== undefined) {
        const i = deviceNames.indexOf(t.device);
        const address = i >= 0 ? spec.fleet!.devices[i].address : undefined;
        if (i >= 0 && !address) {
          problems.add(`fleet.devices[${i}].address`, `is required: thing "${t.name}" of pipeline "${p.name}" runs on this device and cluster services reach it there`);
        } else if (address !== undefined && !checkedAddresses.has(i)) {
          const why = deviceAddressProblem(address);
          if (why) problems.add(`fleet.devices[${i}].address`, why);
          checkedAddresses.add(i);
        }
      }
    });
    p.links.forEach((l, li) => {
      for (const end of ['from', 'to'] as const) {
        if (!known.has(l[end])) {
          problems.add(`${path}.links[${li}].${end}`, `no thing named "${l[end]}" in pipeline "${p.name}"${didYouMean(l[end], names)}`);
        }
      }
    });
    for (const d of duplicates(p.links, (l) => `${l.from}->${l.to}`)) {
      problems.add(`${path}.links[${d.index}]`, `duplicate link ${d.key.replace('->', ' → ')}`);
    }
    checkGraph(p, path, problems);
    checkThings(p, path, problems);
    const cluster = placer.place(p.cluster, `${path}.cluster`);
    if (cluster === undefined) return;
    const namespace = p.namespace ?? `iomt-${p.name}`;
    if (namespace.length > 63) problems.add(`${path}.name`, `namespace "${namespace}" is over 63 characters: shorten the name or set namespace`);
    ns.use(cluster, namespace, 'iomt', p.namespace !== undefined ? `${path}.namespace` : `${path}.name`);
    p.things.forEach((t, ti) => {
      const key = `${cluster}/${namespace}/${t.name}`;
      const first = owners.get(key);
      if (first !== undefined && !first.startsWith(`${path}.`)) {
        problems.add(`${path}.things[${ti}].name`, `thing "${t.name}" is also in namespace "${namespace}" on cluster "${cluster}" (${first}): Service names must be unique in a namespace`);
      } else if (first === undefined) {
        owners.set(key, `${path}.things[${ti}]`);
      }
    });
    out.push({
      name: p.name,
      cluster,
      namespace,
      path,
      things: sortedBy(
        p.things.map((t, ti) => ({ ...t, kind: canonicalKind(t.kind), path: `${path}.things[${ti}]` })),
        (t) => t.name,
      ),
      links: sortedBy(
        p.links.map((l, li) => ({ ...l, path: `${path}.links[${li}]` })),
        (l) => `${l.from}\u0000${l.to}`,
      ),
    });
  });
  return sortedBy(out, (p) => p.name);
}

/**
 * The pipeline graph: no self-links, no cycles; sensors only produce and take no upstream; storage and
 * actuators only consume; an actuator has an upstream; analyzers may chain (ISO/IEC 23093 allows it).
 */
function checkGraph(p: NonNullable<StackSpec['iomt']>['pipelines'][number], path: string, problems: ProblemList): void {
  const kind = new Map(p.things.map((t) => [t.name, canonicalKind(t.kind)]));
  const next = new Map<string, string[]>();
  const hasUpstream = new Set<string>();
  p.links.forEach((l, i) => {
    const at = `${path}.links[${i}]`;
    if (l.from === l.to) {
      problems.add(at, `links "${l.from}" to itself`);
      return;
    }
    const from = kind.get(l.from);
    const to = kind.get(l.to);
    if (from === 'MStorage' || from === 'MActuator') problems.add(`${at}.from`, `${from} "${l.from}" only consumes: it cannot be an upstream`);
    if (to === 'MSensor') problems.add(`${at}.to`, `MSensor "${l.to}" takes no upstream: sensors only produce`);
    if (from && to) {
      next.set(l.from, [...(next.get(l.from) ?? []), l.to]);
      hasUpstream.add(l.to);
    }
  });
  p.things.forEach((t, i) => {
    if (canonicalKind(t.kind) === 'MActuator' && !hasUpstream.has(t.name)) {
      problems.add(`${path}.things[${i}]`, `MActuator "${t.name}" has no upstream: link a sensor or analyzer to it`);
    }
  });
  // A cycle, found by depth-first search from each thing in name order, is reported once.
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string, trail: string[]): string[] | undefined => {
    if (state.get(n) === 'open') return [...trail.slice(trail.indexOf(n)), n];
    if (state.get(n) === 'done') return undefined;
    state.set(n, 'open');
    for (const m of [...(next.get(n) ?? [])].sort()) {
      const c = visit(m, [...trail, n]);
      if (c) return c;
    }
    state.set(n, 'done');
    return undefined;
  };
  for (const t of [...kind.keys()].sort()) {
    const cycle = visit(t, []);
    if (cycle) {
      problems.add(`${path}.links`, `form a cycle: ${cycle.join(' → ')}`);
      return;
    }
  }
}

function canonicalKind(kind: string): ThingKind {
  return (kind === 'MAnalyser' ? 'MAnalyzer' : kind) as ThingKind;
}
