import { benchStack } from '../../bench/stacks';
import { COMPONENT_REGISTRY } from '../../charts';
import { ComponentDefinition } from '../../charts/component';
import { LARGE_CHART_OBJECTS, synthesizeManifests } from '../../lib/synth/manifests';
import { resolveStack } from '../../lib/synth/resolve-all';
import { synthesize } from '../../lib/synth/synthesize';

/** The registry without any size estimate: every chart is built in cluster and registry order. */
const unordered: ReadonlyArray<ComponentDefinition> = COMPONENT_REGISTRY.map(({ expectedObjects: _dropped, ...def }) => {
  void _dropped;
  return def;
});

describe('chart build order: large charts last, results in cluster and registry order', () => {
  const model = resolveStack(benchStack(LARGE_CHART_OBJECTS + 500));

  test('the fleet chart of a fleet past LARGE_CHART_OBJECTS devices is built after every other chart', () => {
    const built: string[] = [];
    synthesizeManifests(model, COMPONENT_REGISTRY, (done, total, cluster, component) => built.push(`${done}/${total} ${cluster}/${component}`));
    const canonical: string[] = [];
    synthesizeManifests(model, unordered, (_d, _t, cluster, component) => canonical.push(`${cluster}/${component}`));
    const fleet = `${model.fleet?.cluster}/fleet`;
    expect(canonical).toContain(fleet);
    expect(canonical.indexOf(fleet)).toBeLessThan(canonical.length - 1); // it is not last of itself
    expect(built[built.length - 1]).toBe(`${built.length - 1}/${built.length} ${fleet}`);
    // Every other chart in its usual order, each once.
    expect(built.map((b) => b.split(' ')[1]).slice(0, -1)).toEqual(canonical.filter((c) => c !== fleet));
  });

  test('the manifests come back in cluster and registry order, the same as when built in that order', () => {
    const reordered = synthesizeManifests(model);
    const canonical = synthesizeManifests(model, unordered);
    expect(reordered.map((m) => `${m.cluster}/${m.component}`)).toEqual(canonical.map((m) => `${m.cluster}/${m.component}`));
    expect(reordered).toEqual(canonical);
  });

  test("synthesize's manifests (shards included) are in cluster and registry order, not in build order", () => {
    const { manifests } = synthesize(benchStack(LARGE_CHART_OBJECTS + 500));
    const fleetShards = manifests.filter((m) => /^fleet-\d{3}$/.test(m.component));
    expect(fleetShards.length).toBeGreaterThan(1); // sharded: over 1,000 objects
    // Each chart's shards together, the charts in the order they have when built in order.
    const charts = manifests.map((m) => `${m.cluster}/${m.component.replace(/-\d{3}$/, '')}`).filter((c, i, all) => i === 0 || all[i - 1] !== c);
    expect(charts).toEqual(synthesizeManifests(model, unordered).map((m) => `${m.cluster}/${m.component}`));
  });

  test('a small fleet keeps the registry order', () => {
    const small = resolveStack(benchStack(50));
    const built: string[] = [];
    synthesizeManifests(small, COMPONENT_REGISTRY, (_d, _t, cluster, component) => built.push(`${cluster}/${component}`));
    const canonical: string[] = [];
    synthesizeManifests(small, unordered, (_d, _t, cluster, component) => canonical.push(`${cluster}/${component}`));
    expect(built).toEqual(canonical);
  });
});
