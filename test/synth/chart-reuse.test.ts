import fc from 'fast-check';
import { synthesize } from '../../lib/internal';
import { demoStack } from '../support/stacks';
import { DEMO_EDITS, differing } from '../support/demo-edits';
import { resolveStack } from '../../lib/synth/resolve-all';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { BulkAccess, bulkFreeView, ChartReuse, chartReuseStats, forgetCharts, withoutChartReuse } from '../../lib/synth/chart-reuse';
import { ComponentDefinition } from '../../charts';
import { synthesizeManifests } from '../../lib/synth/manifests';

/** The bundled example as plain data (a fresh copy each time, to edit). */
const demo = (): Record<string, any> => demoStack() as Record<string, any>;

/** Every file of a synth, main folder and bootstrap, as one map. */
function filesOf(stack: unknown): Map<string, string> {
  const r = synthesize(stack as never);
  return new Map([...[...r.files].map(([p, t]) => [p, t] as const), ...[...r.bootstrap].map(([p, t]) => [`argocd/${p}`, t] as const)]);
}

/**
 * A synth that may reuse the last synth's charts, and the same stack synthesized as before any reuse: nothing kept,
 * and every chart built from the model itself, not from the view (so the reference shares no risk with reuse).
 */
function warmAndCold(stack: unknown): { warm: Map<string, string>; reused: number; bound: number; cold: Map<string, string> } {
  const warm = filesOf(stack);
  const { reused, bound } = chartReuseStats();
  forgetCharts();
  const cold = withoutChartReuse(() => filesOf(stack));
  expect(chartReuseStats()).toEqual({ reused: 0, built: 0, bound: 0 });
  return { warm, reused, bound, cold };
}

afterEach(() => forgetCharts());

/**
 * The bundled example synthesized, edited by `edit`, and synthesized again reusing the first synth's charts: the
 * first synth's figures, and the second's files (checked to be those of a synth from nothing) and reused charts.
 */
function afterEdit(edit: (stack: Record<string, any>) => void): { first: ReturnType<typeof chartReuseStats>; warm: Map<string, string>; reused: number; bound: number } {
  const stack = demo();
  filesOf(stack);
  const first = chartReuseStats();
  edit(stack);
  const { warm, reused, bound, cold } = warmAndCold(stack);
  expect(differing(warm, cold)).toEqual([]);
  return { first, warm, reused, bound };
}

describe('charts reused across synths in one process', () => {
  test('after a device is renamed, only the charts that read the devices are built again, and the files are those of a synth from nothing', () => {
    const { first, warm, reused, bound } = afterEdit((stack) => (stack.fleet.devices[1].name = 'gw-07'));
    expect(first.reused).toBe(0);
    expect(first.built).toBeGreaterThan(0);
    expect(reused).toBe(first.built);
    // Exactly three charts read the devices (bulk-bound): the fleet's, the hub's monitoring (device power rules) and
    // line-1's IoMT (its things run on devices). Not the dashboards: they ask whether device power is recorded, one
    // value of the model (FleetModel.recordsPower), so they are reused when a device changes.
    expect(bound).toBe(3);
    // The fleet chart reads the devices: it was built again and names the new device.
    expect([...warm].some(([p, t]) => p.startsWith('hub/fleet/') && t.includes('name: gw-07'))).toBe(true);
    expect([...warm].some(([p, t]) => p.startsWith('hub/fleet/') && t.includes('name: gw-01'))).toBe(false);
  });

  test('a changed IoMT image rebuilds only the charts that read it, and the files are those of a synth from nothing', () => {
    // The only chart that reads the image is the pipeline cluster's IoMT chart, which reads the devices too (a thing
    // runs on a device), so it is built from the model every time. The monitoring charts read the stack's image
    // registries, not its images: registry.example stays.
    const { first, warm, reused } = afterEdit((stack) => (stack.iomt.pipelines[0].things[2].image = 'registry.example/iomt/viewer:1.0.4'));
    expect(reused).toBe(first.built);
    expect([...warm.values()].some((t) => t.includes('registry.example/iomt/viewer:1.0.4'))).toBe(true);
  });

  test('an image from another registry also rebuilds the charts that allow the stack\'s registries', () => {
    const { first, warm, reused } = afterEdit((stack) => (stack.iomt.pipelines[0].things[2].image = 'ghcr.io/example/viewer:1.0.4'));
    expect(reused).toBeGreaterThan(0);
    expect(reused).toBeLessThan(first.built);
    expect([...warm].some(([p, t]) => p.includes('/monitoring/') && t.includes('ghcr'))).toBe(true);
  });

  test('a build with none of the last synth\'s charts to reuse (the stack renamed) is a cold one: it collects first, as a first synth does', () => {
    const collect = require('../../lib/synth/collect') as typeof import('../../lib/synth/collect'); // the module object manifests.ts calls through
    const warmth: boolean[] = [];
    const spy = jest.spyOn(collect, 'collectsBeforeBuild').mockImplementation((_expected, warm) => {
      warmth.push(warm);
      return false;
    });
    try {
      const stack = demo();
      filesOf(stack); // nothing kept yet: cold
      stack.fleet.devices[1].name = 'gw-07';
      filesOf(stack); // every chart but the fleet's reused: warm
      const afterDevice = chartReuseStats().reused;
      filesOf({ ...stack, name: 'lab-renamed' }); // every chart read the stack's name: none to reuse
      expect([warmth, afterDevice > 0, chartReuseStats().reused]).toEqual([[false, true, false], true, 0]);
    } finally {
      spy.mockRestore();
    }
  });

  test('reused objects are frozen: changing a synth\'s objects throws and cannot reach the next synth', () => {
    const stack = demo();
    synthesize(stack as never);
    const again = synthesize(stack as never);
    expect(chartReuseStats().reused).toBeGreaterThan(0);
    const platform = again.manifests.find((m) => m.component === 'platform')!;
    expect(() => {
      (platform.objects[0].metadata as { name: string }).name = 'changed';
    }).toThrow(TypeError);
  });

  test('any sequence of edits gives, with the charts of the synth before, the files of a synth from nothing', () => {
    const edits = DEMO_EDITS;
    let reusedSomewhere = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...Object.keys(edits)), { minLength: 1, maxLength: 3 }), (names) => {
        forgetCharts();
        const stack = demo();
        filesOf(stack);
        for (const name of names) {
          edits[name](stack);
          const { warm, reused, cold } = warmAndCold(stack);
          reusedSomewhere += reused;
          expect(differing(warm, cold)).toEqual([]);
          filesOf(stack); // the next edit starts from a synth of this stack
        }
      }),
      { numRuns: 16, seed: 23 },
    );
    expect(reusedSomewhere).toBeGreaterThan(0);
  });
});

describe('the bulk-free view', () => {
  const model = resolveStack(demo());
  const view = bulkFreeView(model);

  test('shows the devices\' count and nothing else of them, in the model and in its spec', () => {
    expect(view.fleet!.devices.length).toBe(3);
    expect(view.spec.fleet!.workloads.length).toBe(model.spec.fleet!.workloads.length);
    expect(() => view.fleet!.devices[0]).toThrow(BulkAccess);
    expect(() => view.fleet!.devices.map((d) => d.name)).toThrow(BulkAccess);
    expect(() => [...view.spec.fleet!.devices]).toThrow(BulkAccess);
    const copy = { ...view.fleet! };
    expect(() => copy.devices[0]).toThrow(BulkAccess);
    expect(() => JSON.stringify(view.spec)).toThrow(BulkAccess);
    expect(view.clusters).toBe(model.clusters);
  });

  test('a chart whose view build fails in any way (BulkAccess wrapped, as cdk8s wraps errors) is built from the model', () => {
    const counting: ComponentDefinition = {
      name: 'platform',
      clusters: (m) => m.clusters.map((c) => c.name),
      build: (scope, id, ctx) => {
        const chart = new Chart(scope, id);
        let names: string[];
        try {
          names = (ctx.model.fleet?.devices ?? []).map((d) => d.name);
        } catch (e) {
          throw new Error(`Failed serializing construct: ${String(e)}`);
        }
        new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'devices' }, data: { names: names.join(',') } } as never);
        return chart;
      },
    };
    const [first] = synthesizeManifests(model, [counting]);
    expect(chartReuseStats()).toEqual({ reused: 0, built: 0, bound: model.clusters.length });
    expect((first.objects[0] as { data?: Record<string, string> }).data?.names).toBe('cam-01,gw-01,pi-01');
  });

  test('a chart that read anything but plain data is built again in every synth; a chart that did not is reused', () => {
    const configMap = (scope: Construct, id: string, data: Record<string, string>): Chart => {
      const chart = new Chart(scope, id);
      new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data } as never);
      return chart;
    };
    const everywhere = (m: { clusters: ReadonlyArray<{ name: string }> }) => m.clusters.map((c) => c.name);
    const odd: ComponentDefinition = { name: 'platform', clusters: everywhere, build: (scope, id, ctx) => configMap(scope, id, { size: String((ctx.model as unknown as { extra: Set<number> }).extra.size) }) };
    const plain: ComponentDefinition = { name: 'energy', clusters: everywhere, build: (scope, id, ctx) => configMap(scope, id, { name: ctx.model.name }) };
    const model2 = { ...model, extra: new Set([1]) } as never;
    const registry = [odd, plain];
    const [first] = synthesizeManifests(model2, registry);
    synthesizeManifests(model2, registry);
    const n = model.clusters.length;
    expect(chartReuseStats()).toEqual({ reused: n, built: n, bound: 0 });
    expect((first.objects[0] as { data?: Record<string, string> }).data?.size).toBe('1');
  });
});

describe('what a synth tells the charts file', () => {
  test('the charts file is told to keep what it holds only when this synth kept exactly the last synth\'s charts: one fewer, all unchanged, is a change', () => {
    forgetCharts();
    const model = resolveStack(demo());
    const registry = {};
    /** What each synth tells the charts file: whether it holds this synth's charts already (`same`). */
    const told: boolean[] = [];
    const disk = { load: () => undefined, remember: (_env: string, _file: unknown, same: boolean) => void told.push(same) } as never;
    const build = (name: string) => () => [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }] as never;
    const first = new ChartReuse(model, registry, disk);
    expect(first.fromView('hub\0a', 'hub', build('a'))).toBeDefined();
    expect(first.fromView('hub\0b', 'hub', build('b'))).toBeDefined();
    first.close();
    // The next synth reuses both: the file holds them already.
    const again = new ChartReuse(model, registry, disk);
    expect(again.reuse('hub\0a')).toBeDefined();
    expect(again.reuse('hub\0b')).toBeDefined();
    again.close();
    // Then one of them is gone (its component left every cluster) and the other reused as it was: the file must be
    // written again, or it would keep the gone chart.
    const fewer = new ChartReuse(model, registry, disk);
    expect(fewer.reuse('hub\0a')).toBeDefined();
    fewer.close();
    expect(told).toEqual([false, true, false]);
  });
});
