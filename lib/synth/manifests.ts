import { App } from 'cdk8s';
import { COMPONENT_REGISTRY, ComponentDefinition } from '../../charts';
import { ClusterModel, StackModel } from '../model';
import { EXTERNAL_REFS_ANNOTATION } from '../core/policy';
import { withTypedClaimTemplates } from '../core/claim-templates';
import { CLUSTER_SCOPED_KINDS, KubeObject, Manifest } from './kube-object';
import { renderChart } from './render-chart';
import { ChartReuse } from './chart-reuse';
import { ChartDiskCache } from './chart-cache';
import { collectGarbage, collectsBeforeBuild, usedHeapBytes } from './collect';

/** From how many expected objects (ComponentDefinition.expectedObjects) a chart is built after the others. */
export const LARGE_CHART_OBJECTS = 2000;

/**
 * Builds every (cluster, component) chart and renders it to plain objects; returns them in cluster then
 * sync-wave (registry) order.
 *
 * Each chart lives in an App of its own and is rendered alone, so the cost is linear in the number of
 * objects: cdk8s's App.synth re-validates the whole app for every chart, which is quadratic in charts.
 * Each App is dropped once rendered, so memory holds plain objects, not construct trees. `each` is given every
 * chart's manifest as soon as it is built (synthesize hands the objects to the render worker there) and returns
 * the manifest to keep. Charts are built, and given to `each` and `onProgress`, in that order too, except the
 * charts expected to hold LARGE_CHART_OBJECTS or more (the fleet's, at thousands of devices), which come after
 * all the others: the render worker then writes the small charts' files while a large chart is built, instead of
 * waiting for it. A chart nothing of whose reads changed since the last synth in this process is not built again:
 * its objects from that synth are given (lib/synth/chart-reuse.ts; they are frozen), or from the synth before into
 * the same output folder, when only the devices changed, when `disk` is its charts file (lib/synth/chart-cache.ts;
 * @default none).
 */
export function synthesizeManifests(
  model: StackModel,
  registry: ReadonlyArray<ComponentDefinition> = COMPONENT_REGISTRY,
  onProgress?: (done: number, total: number, cluster: string, component: string) => void,
  each: (m: Manifest) => Manifest = (m) => m,
  disk?: ChartDiskCache,
): Manifest[] {
  const placements = registry.map((def) => ({ def, clusters: new Set(def.clusters(model)) }));
  const charts = model.clusters.flatMap((cluster) => placements.filter((p) => p.clusters.has(cluster.name)).map(({ def }) => ({ cluster, def })));
  const expected = charts.map(({ cluster, def }) => def.expectedObjects?.({ model, cluster, registry }) ?? 0);
  const large = expected.map((n) => n >= LARGE_CHART_OBJECTS);
  const order = [...charts.keys()].sort((a, b) => Number(large[a]) - Number(large[b]) || a - b);
  const out: Manifest[] = new Array<Manifest>(charts.length);
  // The charts file's key covers the components' code, so it serves their registry only.
  const reuse = new ChartReuse(model, registry, registry === COMPONENT_REGISTRY ? disk : undefined);
  // A large stack's charts all built again, or built over the heap budget: what the last synths in this process left
  // is collected first (lib/synth/collect.ts).
  if (collectsBeforeBuild(expected.reduce((a, b) => a + b, 0), reuse.warm, usedHeapBytes())) collectGarbage();
  const build = (from: StackModel, cluster: ClusterModel, def: ComponentDefinition): KubeObject[] => {
    const app = new App({ outdir: '.edgewatt-unused' });
    const chart = def.build(app, `${cluster.name}-${def.name}`, { model: from, cluster, registry });
    const external = new Set(cluster.namespaces.filter((n) => n.external).map((n) => n.name));
    return (renderChart(chart) as KubeObject[]).map(normalizeObject).map((o) => markExternalNamespace(o, external));
  };
  order.forEach((i, done) => {
    const { cluster, def } = charts[i];
    onProgress?.(done, charts.length, cluster.name, def.name);
    const id = `${cluster.name}\0${def.name}`;
    let objects = reuse.reuse(id);
    // Built from a read-recording model over the view; when that fails (it read the devices: BulkAccess, maybe
    // wrapped by cdk8s; or it fails), from the model below, which gives the chart, or its own error.
    if (objects === undefined && reuse.enabled && !reuse.knownBound(id)) objects = reuse.fromView(id, cluster.name, (from, c) => build(from, c, def));
    if (objects === undefined) {
      if (reuse.enabled) reuse.markBound(id);
      objects = build(model, cluster, def);
    }
    out[i] = each({ cluster: cluster.name, component: def.name, objects: objects.slice() });
  });
  reuse.close();
  return out;
}

/**
 * Removes the namespace cdk8s stamps onto cluster-scoped objects, and types a StatefulSet's claim templates
 * (withTypedClaimTemplates: Argo CD's server-side diff would otherwise never find it in sync).
 */
export function normalizeObject(input: KubeObject): KubeObject {
  const o = withTypedClaimTemplates(input);
  if (!CLUSTER_SCOPED_KINDS.has(o.kind) || o.metadata.namespace === undefined) return o;
  const { namespace: _dropped, ...metadata } = o.metadata;
  void _dropped;
  return { ...o, metadata: metadata as KubeObject['metadata'] };
}

/**
 * An object placed in a namespace the stack declares external (created outside Git; `external`: the cluster's) names it in its
 * external references, so the wiring check accepts that no Namespace object for it is in the tree.
 */
export function markExternalNamespace(o: KubeObject, external: ReadonlySet<string>): KubeObject {
  const ns = o.metadata.namespace;
  if (ns === undefined || !external.has(ns)) return o;
  const annotations = o.metadata.annotations ?? {};
  const refs = (annotations[EXTERNAL_REFS_ANNOTATION] ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  const merged = [...new Set([...refs, `Namespace/${ns}`])].join(',');
  return { ...o, metadata: { ...o.metadata, annotations: { ...annotations, [EXTERNAL_REFS_ANNOTATION]: merged } } };
}
