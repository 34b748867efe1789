import { Chart } from 'cdk8s';
import { apiServerDestination } from './api-server';
import { Construct } from 'constructs';
import { modelServerEndpoint, serviceURL } from '../lib/core/endpoints';
import { Exposure, exposedURL, exposurePeers } from '../lib/core/exposure';
import { queryEndpoint } from '../lib/model/monitoring';
import { deviceModelFetchFlows, devicesEstimateFromServer } from '../lib/energy/device-power';
import { setPowers } from '../lib/model';
import { stackLabels } from '../lib/core/labels';
import { ComponentMonitoring } from '../lib/core/monitoring-contract';
import { deviceRelayWorkload, energyAlerts, KEPLER_EXPORTER_NAME, KeplerExporter, KeplerModelServer, MODEL_SERVER_NAME } from '../lib/energy';
import { generation } from '../lib/energy/generations';
import { runbookBase } from '../lib/monitoring/runbooks';
import { transportFlows } from '../lib/monitoring/transport-flows';
import { ChartContext, ComponentDefinition } from './component';
import { keplerExporterPeer, scraperPeer } from './peers';
import { Flow, PodsSource } from '../lib/core/flows';
import { selectorLabels } from '../lib/core/labels';

/** Per cluster: the Kepler exporter where it runs, and the model server on its cluster. */
export class EnergyChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model, cluster } = ctx;
    const energy = model.energy!;
    const labels = stackLabels(model.name);
    const { kepler, modelServer } = energy;
    if (kepler.clusters.includes(cluster.name)) {
      new KeplerExporter(this, 'exporter', {
        namespace: kepler.namespace,
        generation: kepler.generation,
        gpu: kepler.gpu,
        processMetrics: kepler.processMetrics,
        redfishSecret: kepler.redfish?.credentialsSecret,
        redfishSkipTLSVerify: kepler.redfish?.skipTLSVerify,
        modelServerURL: modelServer ? exposedURL(modelServerEndpoint(energy.namespace, modelServer.cluster), cluster.name, modelServer.exposure) : undefined,
        nodeSelector: kepler.nodeSelector,
        tolerations: kepler.tolerations,
        resources: kepler.resources,
        scraper: scraperPeer(model),
        labels,
      });
    }
    if (modelServer?.cluster === cluster.name) {
      // Exposed for exporters on other clusters, and for devices that estimate their power (never cluster members).
      const remote = kepler.clusters.some((c) => c !== cluster.name) || devicesEstimateFromServer(model);
      const mon = model.monitoring;
      const server = new KeplerModelServer(this, 'model-server', {
        namespace: energy.namespace,
        cluster: cluster.name,
        storage: modelServer.storage,
        initialModelURLs: modelServer.initialModelURLs,
        onlineTrainer: modelServer.onlineTrainer && mon ? { prometheusURL: serviceURL(queryEndpoint(mon), cluster.name) } : undefined,
        admit: [
          ...(kepler.clusters.includes(cluster.name) ? [keplerExporterPeer(model)] : []),
          ...(remote && modelServer.exposure ? exposurePeers(modelServer.exposure, modelServerEndpoint(energy.namespace, cluster.name), cluster.platform) : []),
        ],
        labels,
      });
      if (remote && modelServer.exposure) {
        new Exposure(this, 'model-server-exposure', { endpoint: server.endpoint, portName: 'http', selector: server.selector, exposure: modelServer.exposure, labels });
      }
    }
  }
}

/** The energy component's monitoring on one cluster: the exporter's pods, and its alerts. */
export function energyMonitoring(ctx: ChartContext): ComponentMonitoring {
  const energy = ctx.model.energy!;
  const runsExporter = energy.kepler.clusters.includes(ctx.cluster.name);
  const gen = generation(energy.kepler.generation);
  return {
    targets: runsExporter
      ? [
          {
            job: KEPLER_EXPORTER_NAME,
            cluster: ctx.cluster.name,
            namespace: energy.kepler.namespace,
            selector: { 'app.kubernetes.io/name': KEPLER_EXPORTER_NAME, 'app.kubernetes.io/instance': KEPLER_EXPORTER_NAME },
            port: 'http',
            path: gen.metricsPath,
            perNode: true,
          },
        ]
      : [],
    ruleGroups: runsExporter ? [energyAlerts({ modelServerNamespace: energy.modelServer ? energy.namespace : undefined, runbookBase: runbookBase(ctx.model) })] : [],
  };
}

/**
 * The energy component's flows on a cluster: the exporter's reads on the API server (its ClusterRole's rules,
 * from Kepler's config/rbac), and the exporter → model server fetch when both run on this cluster (the
 * cross-cluster fetch is declared with its transport elsewhere).
 */
export function energyFlows(ctx: ChartContext): Flow[] {
  const energy = ctx.model.energy!;
  const cluster = ctx.cluster.name;
  if (!energy.kepler.clusters.includes(cluster)) return [];
  const gen = generation(energy.kepler.generation);
  const exporter: PodsSource = {
    kind: 'pods',
    cluster,
    namespace: energy.kepler.namespace,
    podLabels: selectorLabels(KEPLER_EXPORTER_NAME, KEPLER_EXPORTER_NAME),
    workload: `DaemonSet/${KEPLER_EXPORTER_NAME}`,
    serviceAccount: KEPLER_EXPORTER_NAME,
  };
  const flows: Flow[] = [
    {
      id: `api-server:${cluster}/${energy.kepler.namespace}/${KEPLER_EXPORTER_NAME}->${cluster}/api-server`,
      purpose: 'api-server',
      from: exporter,
      to: apiServerDestination(ctx.cluster, gen.rules.flatMap((r) => r.resources.map((resource) => ({ verbs: r.verbs, resource })))),
      transport: 'in-cluster',
      path: 'energy.kepler',
    },
  ];
  const ms = energy.modelServer;
  if (ms && ms.cluster === cluster && energy.kepler.generation === 'classic') {
    const ep = modelServerEndpoint(energy.namespace, cluster);
    flows.push({
      id: `model-fetch:${cluster}/${energy.kepler.namespace}/${KEPLER_EXPORTER_NAME}->${cluster}/${ep.namespace}/${ep.name}`,
      purpose: 'model-fetch',
      from: exporter,
      to: { kind: 'service', cluster, namespace: ep.namespace, service: ep.name, port: ep.port },
      transport: 'in-cluster',
      configured: { url: serviceURL(ep, cluster), object: `ConfigMap/${KEPLER_EXPORTER_NAME}`, at: 'data:MODEL_SERVER_URL' },
      path: 'energy.modelServer',
    });
  }
  return flows;
}

/**
 * The model server's online trainer → the hub Prometheus it learns from (bundled monitoring; the model server runs on
 * the monitoring cluster when it trains, lib/model/monitoring.ts checkHubReaders), at the URL of its ConfigMap's
 * PROM_SERVER. With the Prometheus Operator the Prometheus is not in the output, so there is nothing to prove it on.
 */
export function trainerFlows(ctx: ChartContext): Flow[] {
  const energy = ctx.model.energy!;
  const ms = energy.modelServer;
  const mon = ctx.model.monitoring;
  const cluster = ctx.cluster.name;
  if (!ms?.onlineTrainer || ms.cluster !== cluster || !mon || mon.mode !== 'bundled' || mon.cluster !== cluster) return [];
  const ep = queryEndpoint(mon);
  return [
    {
      id: `datasource:${cluster}/${energy.namespace}/${MODEL_SERVER_NAME}->${cluster}/${ep.namespace}/${ep.name}`,
      purpose: 'datasource',
      from: { kind: 'pods', cluster, namespace: energy.namespace, podLabels: selectorLabels(MODEL_SERVER_NAME, MODEL_SERVER_NAME), workload: `Deployment/${MODEL_SERVER_NAME}` },
      to: { kind: 'service', cluster, namespace: ep.namespace, service: ep.name, port: ep.port },
      transport: 'in-cluster',
      configured: { url: serviceURL(ep, cluster), object: `ConfigMap/${MODEL_SERVER_NAME}`, at: 'data:PROM_SERVER' },
      path: 'energy.modelServer.onlineTrainer',
    },
  ];
}

/** The energy component: on every cluster that runs the exporter or the model server. */
export const energyComponent: ComponentDefinition = {
  name: 'energy',
  clusters: (model) => (model.energy ? [...new Set([...model.energy.kepler.clusters, ...(model.energy.modelServer ? [model.energy.modelServer.cluster] : [])])] : []),
  build: (scope, id, ctx) => new EnergyChart(scope, id, ctx),
  monitoring: energyMonitoring,
  // In-cluster paths, and the cross-cluster model fetch with its declared transport (lib/monitoring/transport-flows.ts).
  flows: (ctx) => [
    ...energyFlows(ctx),
    ...trainerFlows(ctx),
    ...transportFlows(ctx.model, ctx.cluster.name).filter((f) => f.purpose === 'model-fetch'),
    // Devices that estimate their power fetch model weights through the server's ingress.
    ...deviceModelFetchFlows(ctx.model, ctx.cluster.name),
  ],
  // The relay next to the Kepler host service on each device that runs one (measured and estimated sets).
  deviceWorkloads: (model) => {
    if (!model.fleet) return [];
    const sets = setPowers(model.fleet);
    return (['measured', 'estimated'] as const).flatMap((source) => {
      const devices = sets.filter((s) => s.power?.source === source).flatMap((s) => s.devices);
      if (devices.length === 0) return [];
      const w = deviceRelayWorkload(source);
      const path = sets.find((s) => s.power?.source === source)!.power!.path;
      return [{ name: w.name, devices: devices.sort(), podSpec: w.podSpec, metrics: { ...w.metrics, intervalSeconds: 60 }, path }];
    });
  },
};
