import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { SKIP_DRY_RUN, SYNC_OPTIONS_ANNOTATION } from '../lib/core/argocd-sync';
import { fitLabelValue, stackLabels } from '../lib/core/labels';
import { ComponentMonitoring } from '../lib/core/monitoring-contract';
import { VERSIONS } from '../lib/core/versions';
import { declareExternalRefs } from '../lib/core/policy';
import { DeviceWorkload } from '../lib/fleet/device-workload';
import { ChartWithPlainObjects } from '../lib/core/plain-api-object';
import { EdgeDeviceSet, EdgeDeviceSignedRequests, EdgeWorkload, FLOTTA_SET_LABEL, FlottaHeartbeat } from '../lib/fleet/flotta';
import { flottaScrapeTargets } from '../lib/fleet/flotta-operator';
import { FLOTTA_DEFAULT_SET, FLOTTA_REGISTRATION_NAMESPACE, flottaSetOf, placeWorkload, SetMembers, UNSAMPLED_SUFFIX } from '../lib/fleet/registration';
import { selector } from '../lib/monitoring/hashmod';
import { deviceReceiverURL } from '../lib/monitoring/hub-paths';
import { EdgeApiExposure } from '../lib/fleet/edge-api';
import { devicePowerOf, StackModel } from '../lib/model';
import { transportFlows } from '../lib/monitoring/transport-flows';
import { ChartContext, ComponentDefinition } from './component';

/** Label on each EdgeDeviceSignedRequest naming its device (for people and `kubectl -l`; Flotta copies no request label). */
export const DEVICE_NAME_LABEL = 'edgewatt.io/device';

/** Label on each EdgeWorkload naming the stack workload it comes from (per-device copies share it). */
export const WORKLOAD_LABEL = 'edgewatt.io/workload';

const PROFILE: Record<'full' | 'delta' | 'none', FlottaHeartbeat['hardwareProfile']> = {
  full: { include: true, scope: 'full' },
  delta: { include: true, scope: 'delta' },
  none: { include: false },
};

/**
 * The remote-write URL devices send to: the device metrics gateway's external endpoint (devices are not
 * cluster nodes and cannot resolve cluster DNS) in bundled mode; in prometheus-operator mode, the declared
 * receiver of the existing install (monitoring.operator.receiverURL).
 */
export function receiverURL(model: StackModel): string | undefined {
  const m = model.monitoring;
  if (!m || !model.fleet) return undefined;
  if (m.operator) return m.operator.receiverURL;
  return deviceReceiverURL(model);
}

/** Every device workload: the stack's own and those other components ask for. */
export function allDeviceWorkloads(model: StackModel, registry: ReadonlyArray<ComponentDefinition>): DeviceWorkload[] {
  const out: DeviceWorkload[] = [];
  for (const w of model.fleet?.workloads ?? []) {
    out.push({
      name: w.name,
      devices: w.targets,
      podSpec: {
        containers: [
          {
            name: w.name,
            image: w.image,
            env: Object.entries(w.env).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value })),
            // Published on the device (hostPort, default the port): Flotta's agent refuses a port without one
            // (flotta-device-worker 0.2.0 internal/workload/wrapper.go getHostPorts).
            ports: w.ports.map((p) => ({ name: p.name, containerPort: p.port, hostPort: p.hostPort ?? p.port, protocol: 'TCP' })),
          },
        ],
      },
      metrics: w.metrics ? { port: w.metrics.port, path: w.metrics.path, intervalSeconds: w.metrics.intervalSeconds, allowList: w.metrics.allowList } : undefined,
      imagePullSecret: w.imagePullSecret,
      logCollection: w.logCollection,
      path: w.path,
    });
  }
  for (const def of registry) out.push(...(def.deviceWorkloads?.(model) ?? []));
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function allowListConfigMap(scope: Construct, name: string, namespace: string, names: ReadonlyArray<string>, labels: Record<string, string>): { name: string } {
  new k8s.KubeConfigMap(scope, `allowlist-${name}`, { metadata: { name, namespace, labels }, data: { 'metrics_list.yaml': stringify({ names: [...names] }) } });
  return { name };
}

/** Settings of one EdgeDeviceSet edgewatt emits. */
interface SetSettings {
  readonly heartbeatSeconds: number;
  readonly hardwareProfile: 'full' | 'delta' | 'none';
  readonly intervalSeconds: number;
  readonly allowList?: ReadonlyArray<string>;
}

/** The stack defaults, for listed devices that name no set (the operator's own default sends no metrics). */
const DEFAULT_SET: SetSettings = { heartbeatSeconds: 60, hardwareProfile: 'delta', intervalSeconds: 60 };

/**
 * The fleet on its cluster: an EdgeDeviceSet per set (and per variant edgewatt needs: the stack defaults for
 * devices in no set, system metrics off for devices outside the selection policy), a pre-approved
 * EdgeDeviceSignedRequest per listed device and an EdgeWorkload per device workload. No EdgeDevice: the
 * operator creates it from the approved request, and one committed from Git blocks registration
 * (lib/fleet/registration.ts). Metrics go to the hub Prometheus remote-write endpoint.
 */
export class FleetChart extends ChartWithPlainObjects {
  /** The devices' pre-approved EdgeDeviceSignedRequests (one construct for all; rendered after the chart's ApiObjects). */
  public readonly registrations: EdgeDeviceSignedRequests;

  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model } = ctx;
    const f = model.fleet!;
    const ns = f.namespace;
    const labels = stackLabels(model.name);
    // The name is the device's yggdrasil client id; the request lives where the edge API looks for it.
    // With GitOps, each request skips Argo CD's dry run (the operator's Application installs its CRD), as the synth
    // gives every custom resource of that group (lib/gitops/sync.ts skipDryRunForExternalCrds): given here, the kept
    // requests need no copy with it.
    const annotations = model.gitops ? { annotations: { [SYNC_OPTIONS_ANNOTATION]: SKIP_DRY_RUN } } : {};
    this.registrations = new EdgeDeviceSignedRequests(this, 'registrations', { namespace: FLOTTA_REGISTRATION_NAMESPACE, labels, nameLabel: DEVICE_NAME_LABEL, targetNamespace: ns, ...annotations });
    const url = receiverURL(model);
    // Flotta reads `ca.crt` of caSecretName in the device's namespace and sends it to the device, which then
    // trusts it for https receivers (flotta-operator v0.2.0 internal/edgeapi/backend/k8s/configuration-assembler.go).
    const caSecretName = f.receiver?.caSecret;
    const receiver = url ? { receiverConfiguration: { url, requestNumSamples: 10000, timeoutSeconds: 10, ...(caSecretName ? { caSecretName } : {}) } } : {};
    const policy = model.monitoring?.selection;
    // A profile device's power is computed from its CPU metrics: the selection policy never turns them off.
    const selected = selector(policy);
    const sampled = (d: (typeof f.devices)[number]) => selected(d.name, d.labels) || devicePowerOf(f, d)?.source === 'profile';
    // One pass, no pair per device (100,000 of them at the bench's largest tier).
    const setOf = new Map<string, string>();
    const setList: string[] = []; // each device's set, in device order (the requests are added in that order)
    // The devices of each set, in device order (for placeWorkload).
    const setMembers = new SetMembers();
    for (const d of f.devices) {
      const set = flottaSetOf(d, sampled(d));
      setOf.set(d.name, set);
      setList.push(set);
      setMembers.add(d.name, set);
    }
    const members = setMembers.bySet;
    const settings = new Map<string, SetSettings>(f.deviceSets.map((s) => [s.name, { heartbeatSeconds: s.heartbeatSeconds, hardwareProfile: s.hardwareProfile, intervalSeconds: s.metrics.intervalSeconds, allowList: s.metrics.allowList }]));
    if (members.has(FLOTTA_DEFAULT_SET) || members.has(flottaSetOf({}, false))) settings.set(FLOTTA_DEFAULT_SET, DEFAULT_SET);
    for (const [name, set] of [...settings].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const allowList = set.allowList ? allowListConfigMap(this, `${name}-system-metrics`, ns, set.allowList, labels) : undefined;
      const heartbeat = { periodSeconds: set.heartbeatSeconds, hardwareProfile: PROFILE[set.hardwareProfile] };
      new EdgeDeviceSet(this, `set-${name}`, {
        metadata: { name, namespace: ns, labels },
        spec: { heartbeat, metrics: { system: { interval: set.intervalSeconds, ...(allowList ? { allowList } : {}) }, ...receiver } },
      });
      const unsampled = `${name}${UNSAMPLED_SUFFIX}`;
      if (members.has(unsampled)) {
        // Flotta takes a member's whole configuration from its set, so "no system metrics for this device" is a set.
        new EdgeDeviceSet(this, `set-${unsampled}`, {
          metadata: { name: unsampled, namespace: ns, labels },
          spec: { heartbeat, metrics: { system: { interval: set.intervalSeconds, disabled: true }, ...receiver } },
        });
      }
    }
    f.devices.forEach((d, i) => this.registrations.addDevice(d.name, setList[i]));
    if (f.edgeAPI && f.devices.length > 0) new EdgeApiExposure(this, 'edge-api', { host: f.edgeAPI.host, sourceCIDRs: f.edgeAPI.sourceCIDRs, labels });
    const workloadNames = new Set<string>();
    for (const w of allDeviceWorkloads(model, ctx.registry)) {
      const allowList = w.metrics?.allowList ? allowListConfigMap(this, `${w.name}-metrics`, ns, w.metrics.allowList, labels) : undefined;
      for (const place of placeWorkload(w.name, w.devices, setOf, members)) {
        if (workloadNames.has(place.name)) throw new Error(`${w.path ?? 'fleet.workloads'}: EdgeWorkload name "${place.name}" is used twice (a per-device copy of "${w.name}" collides with another workload): rename one workload`);
        workloadNames.add(place.name);
        const wl = new EdgeWorkload(this, `workload-${place.name}`, {
          metadata: { name: place.name, namespace: ns, labels: { ...labels, [WORKLOAD_LABEL]: fitLabelValue(w.name) } },
          spec: {
            type: 'pod',
            ...('device' in place ? { device: place.device } : { deviceSelector: { matchExpressions: [{ key: FLOTTA_SET_LABEL, operator: 'In', values: [...place.sets] }] } }),
            pod: { spec: w.podSpec },
            ...(w.imagePullSecret ? { imageRegistries: { secretRef: { name: w.imagePullSecret } } } : {}),
            ...(w.logCollection ? { logCollection: w.logCollection } : {}),
            ...(w.metrics ? { metrics: { port: w.metrics.port, path: w.metrics.path, interval: w.metrics.intervalSeconds, ...(allowList ? { allowList } : {}) } } : {}),
          },
        });
        if (w.imagePullSecret) declareExternalRefs(wl as ApiObject, [`Secret/${w.imagePullSecret}`]);
      }
    }
  }

  /** The registrations, which are not ApiObjects (rendered after the chart's ApiObjects). */
  public plainObjects(): Array<Record<string, unknown>> {
    return this.registrations.toJson();
  }
}

/**
 * The Flotta operator's metrics endpoints, scraped by the fleet cluster's Prometheus (bundled mode) — when
 * edgewatt installs the operator (the GitOps Application creating its namespace); without `gitops` the
 * operator is installed by hand, in a namespace edgewatt does not know, and is not scraped.
 */
function fleetMonitoring(ctx: ChartContext): ComponentMonitoring {
  const f = ctx.model.fleet;
  // Bundled mode only: in Prometheus-Operator mode the existing install's owner adds a monitor for it.
  if (!f || f.cluster !== ctx.cluster.name || !ctx.model.gitops || ctx.model.monitoring?.mode !== 'bundled') return { targets: [], ruleGroups: [] };
  return { targets: flottaScrapeTargets(f.cluster, VERSIONS.flottaOperator.namespace), ruleGroups: [] };
}

/** The fleet component: on the fleet cluster. */
export const fleetComponent: ComponentDefinition = {
  name: 'fleet',
  clusters: (model) => (model.fleet ? [model.fleet.cluster] : []),
  build: (scope, id, ctx) => new FleetChart(scope, id, ctx),
  // A registration request per device, and more.
  expectedObjects: (ctx) => ctx.model.fleet?.devices.length ?? 0,
  monitoring: fleetMonitoring,
  // The device paths with their declared transports (lib/monitoring/transport-flows.ts); the operator's scrapes are
  // the monitoring component's, derived from the scrape targets above like every other scrape.
  flows: (ctx) => transportFlows(ctx.model, ctx.cluster.name).filter((f) => f.purpose === 'device-remote-write' || f.purpose === 'device-api'),
};
