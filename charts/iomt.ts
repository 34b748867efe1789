import { Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stackLabels } from '../lib/core/labels';
import { ComponentMonitoring } from '../lib/core/monitoring-contract';
import { DeviceWorkload } from '../lib/fleet/device-workload';
import { MThing } from '../lib/iomt/mthing';
import { envStem, thingHost, thingSelector, upstreamEnv } from '../lib/iomt/wiring';
import { Flow } from '../lib/core/flows';
import { PipelineModel, StackModel } from '../lib/model';
import { scraperPeer } from './peers';
import { fitLabelValue } from '../lib/core/labels';
import { ChartContext, ComponentDefinition } from './component';
import { memoByModel } from '../lib/core/model-memo';

/** PriorityClasses of the energy classes: deferrable things are evicted first when a node runs short. */
export const ENERGY_CLASSES = {
  critical: { name: 'iomt-critical', value: 1000, preemptionPolicy: 'PreemptLowerPriority', description: 'IoMT things that must keep running when energy is scarce.' },
  deferrable: { name: 'iomt-deferrable', value: -1000, preemptionPolicy: 'Never', description: 'IoMT things that may be evicted first, and relocated, when energy is scarce.' },
} as const;

/** What deviceAddresses is memoized under (lib/core/model-memo.ts). */
const ADDRESSES = {};

/** Device name → address, built once per model (each cluster's chart asks; a scan per cluster would be quadratic). */
function deviceAddresses(model: StackModel): Map<string, string> {
  return memoByModel(ADDRESSES, model, (m) => new Map((m.fleet?.devices ?? []).filter((d) => d.address).map((d) => [d.name, d.address!])));
}

/** What pipelinesOn is memoized under (lib/core/model-memo.ts). */
const BY_CLUSTER = {};

/** The pipelines placed on a cluster (each cluster's IoMT and monitoring charts ask: a scan each would be quadratic). */
function pipelinesOn(model: StackModel, cluster: string): ReadonlyArray<PipelineModel> {
  const byCluster = memoByModel(BY_CLUSTER, model, (m) => {
    const out = new Map<string, PipelineModel[]>();
    for (const p of m.iomt?.pipelines ?? []) {
      const on = out.get(p.cluster);
      if (on) on.push(p);
      else out.set(p.cluster, [p]);
    }
    return out;
  });
  return byCluster.get(cluster) ?? [];
}

/** Per cluster: every thing of the pipelines placed there. */
export class IomtChart extends Chart {
  constructor(scope: Construct, id: string, ctx: ChartContext) {
    super(scope, id, { disableResourceNameHashes: true });
    const { model, cluster } = ctx;
    const labels = stackLabels(model.name);
    const pipelines = pipelinesOn(model, cluster.name);
    // Only a cluster with a thing on a device reads the devices (the others' charts are reused while only devices
    // change: lib/synth/chart-reuse.ts).
    const addresses = pipelines.some((p) => p.things.some((t) => t.device)) ? deviceAddresses(model) : new Map<string, string>();
    const classes = new Set(pipelines.flatMap((p) => p.things.filter((t) => !t.device && t.energyClass).map((t) => t.energyClass!)));
    for (const c of [...classes].sort()) {
      const pc = ENERGY_CLASSES[c];
      new k8s.KubePriorityClass(this, `priority-${c}`, { metadata: { name: pc.name, labels }, value: pc.value, preemptionPolicy: pc.preemptionPolicy, globalDefault: false, description: pc.description });
    }
    for (const p of pipelines) {
      const onDevice = Object.fromEntries(p.things.filter((t) => t.device).map((t) => [t.name, addresses.get(t.device!)!]));
      for (const t of p.things) {
        new MThing(this, `${p.name}-${t.name}`, {
          pipeline: p,
          thing: t,
          scraper: model.monitoring ? scraperPeer(model) : undefined,
          deviceAddress: t.device ? addresses.get(t.device) : undefined,
          consumerAddresses: onDevice,
          priorityClassName: t.energyClass ? ENERGY_CLASSES[t.energyClass].name : undefined,
          labels,
        });
      }
    }
  }
}

/** Things with a metrics port, in the cluster, scraped by the cluster's Prometheus. */
function iomtMonitoring(ctx: ChartContext): ComponentMonitoring {
  const targets = pipelinesOn(ctx.model, ctx.cluster.name).flatMap((p) =>
      p.things
        .filter((t) => t.metricsPort && !t.device)
        // The things are the user's images: a handler without the text format's Content-Type is read as it.
        .map((t) => ({ job: `iomt-${p.name}-${t.name}`, cluster: ctx.cluster.name, namespace: p.namespace, selector: thingSelector(p, t), port: 'metrics', path: '/metrics', perNode: false, fallbackProtocol: 'PrometheusText0.0.4' as const })),
    );
  return { targets, ruleGroups: [] };
}

/** Things placed on fleet devices run there as EdgeWorkloads. */
function iomtDeviceWorkloads(model: StackModel): DeviceWorkload[] {
  return (model.iomt?.pipelines ?? []).flatMap((p) =>
    p.things
      .filter((t) => t.device)
      .map((t) => ({
        // A DNS label: Flotta puts the workload's name into a label key of the device (`workload/<name>`).
        name: fitLabelValue(`${p.name}-${t.name}`),
        devices: [t.device!],
        podSpec: {
          containers: [
            {
              name: t.name,
              image: t.image,
              env: upstreamEnv(p, t),
              ports: [{ name: 'main', containerPort: t.port, hostPort: t.port, protocol: 'TCP' }, ...(t.metricsPort ? [{ name: 'metrics', containerPort: t.metricsPort, hostPort: t.metricsPort, protocol: 'TCP' }] : [])],
            },
          ],
        },
        metrics: t.metricsPort ? { port: t.metricsPort, path: '/metrics', intervalSeconds: 60 } : undefined,
        path: t.path,
      })),
  );
}

/**
 * The IoMT links on a cluster: each consumer in the cluster connects to its producer's Service, on the port
 * `main`, at the URL its `IOMT_<PRODUCER>_URL` variable carries. (A consumer on a fleet device is refused at resolve,
 * lib/model/iomt-things.ts: it would be given cluster DNS names a device cannot resolve.)
 */
export function iomtFlows(ctx: ChartContext): Flow[] {
  const cluster = ctx.cluster.name;
  return (ctx.model.iomt?.pipelines ?? [])
    .filter((p) => p.cluster === cluster)
    .flatMap((p) => {
      const byName = new Map(p.things.map((t) => [t.name, t]));
      return p.links
        .map((l) => ({ producer: byName.get(l.from)!, consumer: byName.get(l.to)! }))
        .filter(({ consumer }) => !consumer.device)
        .map(({ producer, consumer }): Flow => ({
          id: `iomt-link:${cluster}/${p.namespace}/${consumer.name}->${cluster}/${p.namespace}/${producer.name}`,
          purpose: 'iomt-link',
          from: { kind: 'pods', cluster, namespace: p.namespace, podLabels: thingSelector(p, consumer), workload: `${consumer.kind === 'MStorage' ? 'StatefulSet' : 'Deployment'}/${consumer.name}` },
          to: { kind: 'service', cluster, namespace: p.namespace, service: producer.name, port: 'main' },
          transport: 'in-cluster',
          configured: {
            url: `${producer.protocol}://${thingHost(p, producer.name)}:${producer.port}`,
            object: `${consumer.kind === 'MStorage' ? 'StatefulSet' : 'Deployment'}/${consumer.name}`,
            at: `env:${envStem(producer.name)}_URL`,
          },
          path: p.path,
        }));
    });
}

/** The IoMT component: on every cluster that hosts a pipeline. */
export const iomtComponent: ComponentDefinition = {
  name: 'iomt',
  clusters: (model) => [...new Set((model.iomt?.pipelines ?? []).map((p) => p.cluster))],
  build: (scope, id, ctx) => new IomtChart(scope, id, ctx),
  monitoring: iomtMonitoring,
  flows: iomtFlows,
  deviceWorkloads: iomtDeviceWorkloads,
};
