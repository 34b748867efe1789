import { ApiObject, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { stackLabels } from '../lib/core/labels';
import { declareExternalRefs } from '../lib/core/policy';
import { DeviceWorkload } from '../lib/fleet/device-workload';
import { EdgeDevice, EdgeDeviceSet, EdgeDeviceSignedRequest, EdgeDeviceSpec, EdgeWorkload, FLOTTA_SET_LABEL, FlottaHeartbeat } from '../lib/fleet/flotta';
import { isSelected } from '../lib/monitoring/hashmod';
import { deviceReceiverURL } from '../lib/monitoring/hub-paths';
import { EdgeApiExposure } from '../lib/fleet/edge-api';
import { StackModel } from '../lib/model';
import { transportFlows } from '../lib/monitoring/transport-flows';
import { ChartContext, ComponentDefinition } from './component';

/** Label edgewatt puts on each EdgeDevice so workloads can select devices by name. */
export const DEVICE_NAME_LABEL = 'edgewatt.io/device';

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
            ports: w.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
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

/**
 * The fleet on its cluster: an EdgeDeviceSet per set, an EdgeDevice and a pre-approved
 * EdgeDeviceSignedRequest per listed device, an EdgeWorkload per device workload. Metrics go to the hub
 * Prometheus remote-write endpoint; devices outside the selection policy send no system metrics.
 */
export class FleetChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model } = ctx;
    const f = model.fleet!;
    const ns = f.namespace;
    const labels = stackLabels(model.name);
    const url = receiverURL(model);
    // Flotta reads `ca.crt` of caSecretName in the device's namespace and sends it to the device, which then
    // trusts it for https receivers (flotta-operator v0.2.0 internal/edgeapi/backend/k8s/configuration-assembler.go).
    const caSecretName = f.receiver?.caSecret;
    const receiver = url ? { receiverConfiguration: { url, requestNumSamples: 10000, timeoutSeconds: 10, ...(caSecretName ? { caSecretName } : {}) } } : {};
    const policy = model.monitoring?.selection;
    for (const set of f.deviceSets) {
      const allowList = set.metrics.allowList ? allowListConfigMap(this, `${set.name}-system-metrics`, ns, set.metrics.allowList, labels) : undefined;
      new EdgeDeviceSet(this, `set-${set.name}`, {
        metadata: { name: set.name, namespace: ns, labels },
        spec: {
          heartbeat: { periodSeconds: set.heartbeatSeconds, hardwareProfile: PROFILE[set.hardwareProfile] },
          metrics: { system: { interval: set.metrics.intervalSeconds, ...(allowList ? { allowList } : {}) }, ...receiver },
        },
      });
    }
    for (const d of f.devices) {
      const selected = isSelected(d.name, d.labels, policy);
      // A device in no set gets the stack defaults; one outside the selection policy sends no system metrics.
      const spec: EdgeDeviceSpec = d.set
        ? selected
          ? {}
          : { metrics: { system: { disabled: true } } }
        : { heartbeat: { periodSeconds: 60, hardwareProfile: PROFILE.delta }, metrics: { system: { interval: 60, ...(selected ? {} : { disabled: true }) }, ...receiver } };
      new EdgeDevice(this, `device-${d.name}`, {
        metadata: {
          name: d.name,
          namespace: ns,
          labels: { ...labels, ...d.labels, [DEVICE_NAME_LABEL]: d.name, ...(d.set ? { [FLOTTA_SET_LABEL]: d.set } : {}) },
          ...(d.address ? { annotations: { 'edgewatt.io/address': d.address } } : {}),
        },
        spec,
      });
      new EdgeDeviceSignedRequest(this, `registration-${d.name}`, {
        metadata: { name: d.name, namespace: ns, labels },
        spec: { targetNamespace: ns, ...(d.set ? { targetSet: d.set } : {}), approved: true },
      });
    }
    if (f.edgeAPI && f.devices.length > 0) new EdgeApiExposure(this, 'edge-api', { host: f.edgeAPI.host, sourceCIDRs: f.edgeAPI.sourceCIDRs, labels });
    for (const w of allDeviceWorkloads(model, ctx.registry)) {
      const allowList = w.metrics?.allowList ? allowListConfigMap(this, `${w.name}-metrics`, ns, w.metrics.allowList, labels) : undefined;
      const wl = new EdgeWorkload(this, `workload-${w.name}`, {
        metadata: { name: w.name, namespace: ns, labels },
        spec: {
          type: 'pod',
          ...(w.devices.length === 1 ? { device: w.devices[0] } : { deviceSelector: { matchExpressions: [{ key: DEVICE_NAME_LABEL, operator: 'In', values: [...w.devices] }] } }),
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

/** The fleet component: on the fleet cluster. */
export const fleetComponent: ComponentDefinition = {
  name: 'fleet',
  clusters: (model) => (model.fleet ? [model.fleet.cluster] : []),
  // Paths across a cluster boundary or from devices, with their declared transports (lib/monitoring/transport-flows.ts).
  flows: (ctx) => transportFlows(ctx.model, ctx.cluster.name).filter((f) => f.purpose === 'device-remote-write' || f.purpose === 'device-api'),
  build: (scope, id, ctx) => new FleetChart(scope, id, ctx),
};
