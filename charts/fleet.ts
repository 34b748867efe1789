import { ApiObject, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { prometheusEndpoint, serviceURL } from '../lib/core/endpoints';
import { Flow } from '../lib/core/flows';
import { selectorLabels, stackLabels } from '../lib/core/labels';
import { ComponentMonitoring } from '../lib/core/monitoring-contract';
import { VERSIONS } from '../lib/core/versions';
import { declareExternalRefs } from '../lib/core/policy';
import { DeviceWorkload } from '../lib/fleet/device-workload';
import { EdgeDeviceSet, EdgeDeviceSignedRequest, EdgeWorkload, FLOTTA_SET_LABEL, FlottaHeartbeat } from '../lib/fleet/flotta';
import { FLOTTA_EDGE_API, FLOTTA_MANAGER, FLOTTA_METRICS_PORT, flottaScrapeTargets } from '../lib/fleet/flotta-operator';
import { FLOTTA_DEFAULT_SET, FLOTTA_REGISTRATION_NAMESPACE, flottaSetOf, placeWorkload, UNSAMPLED_SUFFIX } from '../lib/fleet/registration';
import { isSelected } from '../lib/monitoring/hashmod';
import { PROMETHEUS_NAME } from '../lib/monitoring/prometheus';
import { StackModel } from '../lib/model';
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

/** The hub Prometheus remote-write endpoint as the fleet cluster sees it, when the stack has monitoring. */
export function receiverURL(model: StackModel): string | undefined {
  const m = model.monitoring;
  if (!m || !model.fleet || m.mode !== 'bundled') return undefined;
  return serviceURL(prometheusEndpoint(m.namespace, m.cluster), model.fleet.cluster, '/api/v1/write');
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
export class FleetChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model } = ctx;
    const f = model.fleet!;
    const ns = f.namespace;
    const labels = stackLabels(model.name);
    const url = receiverURL(model);
    const receiver = url ? { receiverConfiguration: { url, requestNumSamples: 10000, timeoutSeconds: 10 } } : {};
    const policy = model.monitoring?.selection;
    const setOf = new Map(f.devices.map((d) => [d.name, flottaSetOf(d, isSelected(d.name, d.labels, policy))]));
    const used = new Set(setOf.values());
    const settings = new Map<string, SetSettings>(f.deviceSets.map((s) => [s.name, { heartbeatSeconds: s.heartbeatSeconds, hardwareProfile: s.hardwareProfile, intervalSeconds: s.metrics.intervalSeconds, allowList: s.metrics.allowList }]));
    if (used.has(FLOTTA_DEFAULT_SET) || used.has(flottaSetOf({}, false))) settings.set(FLOTTA_DEFAULT_SET, DEFAULT_SET);
    for (const [name, set] of [...settings].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const allowList = set.allowList ? allowListConfigMap(this, `${name}-system-metrics`, ns, set.allowList, labels) : undefined;
      const heartbeat = { periodSeconds: set.heartbeatSeconds, hardwareProfile: PROFILE[set.hardwareProfile] };
      new EdgeDeviceSet(this, `set-${name}`, {
        metadata: { name, namespace: ns, labels },
        spec: { heartbeat, metrics: { system: { interval: set.intervalSeconds, ...(allowList ? { allowList } : {}) }, ...receiver } },
      });
      const unsampled = `${name}${UNSAMPLED_SUFFIX}`;
      if (used.has(unsampled)) {
        // Flotta takes a member's whole configuration from its set, so "no system metrics for this device" is a set.
        new EdgeDeviceSet(this, `set-${unsampled}`, {
          metadata: { name: unsampled, namespace: ns, labels },
          spec: { heartbeat, metrics: { system: { interval: set.intervalSeconds, disabled: true }, ...receiver } },
        });
      }
    }
    for (const d of f.devices) {
      // The name is the device's yggdrasil client id; the request lives where the edge API looks for it.
      new EdgeDeviceSignedRequest(this, `registration-${d.name}`, {
        metadata: { name: d.name, namespace: FLOTTA_REGISTRATION_NAMESPACE, labels: { ...labels, [DEVICE_NAME_LABEL]: d.name } },
        spec: { targetNamespace: ns, targetSet: setOf.get(d.name)!, approved: true },
      });
    }
    const workloadNames = new Set<string>();
    for (const w of allDeviceWorkloads(model, ctx.registry)) {
      const allowList = w.metrics?.allowList ? allowListConfigMap(this, `${w.name}-metrics`, ns, w.metrics.allowList, labels) : undefined;
      for (const place of placeWorkload(w.name, w.devices, setOf)) {
        if (workloadNames.has(place.name)) throw new Error(`${w.path ?? 'fleet.workloads'}: EdgeWorkload name "${place.name}" is used twice (a per-device copy of "${w.name}" collides with another workload): rename one workload`);
        workloadNames.add(place.name);
        const wl = new EdgeWorkload(this, `workload-${place.name}`, {
          metadata: { name: place.name, namespace: ns, labels: { ...labels, [WORKLOAD_LABEL]: w.name } },
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
}

/**
 * The Flotta operator's metrics endpoints, scraped by the fleet cluster's Prometheus (bundled mode) — when
 * edgewatt installs the operator (the GitOps Application creating its namespace); without `gitops` the
 * operator is installed by hand, in a namespace edgewatt does not know, and is not scraped.
 */
function fleetMonitoring(ctx: ChartContext): ComponentMonitoring {
  const f = ctx.model.fleet;
  if (!f || f.cluster !== ctx.cluster.name || !ctx.model.gitops) return { targets: [], ruleGroups: [] };
  return { targets: flottaScrapeTargets(f.cluster, VERSIONS.flottaOperator.namespace), ruleGroups: [] };
}

/**
 * The scrapes of the Flotta operator: Prometheus on the fleet cluster (the hub server or an agent) → each
 * kube-rbac-proxy Service port, authorized on the `/metrics` nonResourceURL. Bundled mode only: in
 * Prometheus-Operator mode edgewatt emits no scrape for it (the existing install's owner adds a ServiceMonitor).
 */
function fleetFlows(ctx: ChartContext): Flow[] {
  const { model, cluster } = ctx;
  const m = model.monitoring;
  if (!model.fleet || model.fleet.cluster !== cluster.name || !m || m.mode !== 'bundled') return [];
  return fleetMonitoring(ctx).targets.map((t): Flow => {
    const source = [FLOTTA_MANAGER, FLOTTA_EDGE_API].find((s) => s.job === t.job)!;
    return {
      id: `scrape:${m.namespace}/${PROMETHEUS_NAME}->${t.namespace}/${source.service}`,
      purpose: 'scrape',
      from: { kind: 'pods', cluster: cluster.name, namespace: m.namespace, podLabels: selectorLabels(PROMETHEUS_NAME, PROMETHEUS_NAME), workload: `StatefulSet/${PROMETHEUS_NAME}`, serviceAccount: PROMETHEUS_NAME },
      to: { kind: 'service', cluster: cluster.name, namespace: t.namespace, service: source.service, port: FLOTTA_METRICS_PORT.name, protocol: 'TCP' },
      transport: 'in-cluster',
      scrape: { job: t.job, exampleTarget: t.selector, discovers: ['pods'], nonResourceURL: t.path },
      path: 'fleet',
    };
  });
}

/** The fleet component: on the fleet cluster. */
export const fleetComponent: ComponentDefinition = {
  name: 'fleet',
  clusters: (model) => (model.fleet ? [model.fleet.cluster] : []),
  build: (scope, id, ctx) => new FleetChart(scope, id, ctx),
  monitoring: fleetMonitoring,
  flows: fleetFlows,
};
