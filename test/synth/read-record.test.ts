/**
 * What a chart read of the view (lib/synth/read-record.ts): a read changes when what it saw changes, however JSON or
 * a loose comparison would blur it; shared computations (lib/core/model-memo.ts) count for every chart that takes
 * their value; a chart's model is read-only and ends with its build. Then, through synthesizeManifests, a chart is
 * reused exactly when nothing it read changed.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ComponentDefinition } from '../../charts';
import { memoByModel } from '../../lib/core/model-memo';
import { chartReuseStats, forgetCharts, trackedReads, withoutChartReuse } from '../../lib/synth/chart-reuse';
import { synthesizeManifests } from '../../lib/synth/manifests';
import { ReadAfterBuild } from '../../lib/synth/read-proxy';
import { ReadTracker } from '../../lib/synth/read-record';
import { resolveStack } from '../../lib/synth/resolve-all';
import { demoStack } from '../support/stacks';

type Data = Record<string, any>;

/** The reads of `read(model)` over `before`, and whether they changed in `after`. */
function changedBy(before: object, after: object, read: (m: Data) => unknown): boolean {
  const tracker = new ReadTracker(() => false);
  tracker.refresh(before);
  const chart = tracker.chart();
  read(chart.root as Data);
  const reads = chart.done();
  expect(reads).toBeDefined();
  tracker.release();
  return ReadTracker.anyChanged(reads!, tracker.refresh(after));
}

describe('a read', () => {
  test('changes with the value it saw, and not with what it did not read', () => {
    const read = (m: Data) => m.a.b;
    expect(changedBy({ a: { b: 1, c: 1 } }, { a: { b: 2, c: 1 } }, read)).toBe(true);
    expect(changedBy({ a: { b: 1, c: 1 } }, { a: { b: 1, c: 2 } }, read)).toBe(false);
    expect(changedBy({ a: { b: 1 } }, { a: { b: 1 }, z: 1 }, read)).toBe(false);
    expect(changedBy({ a: { b: 1 } }, { a: 5 }, read)).toBe(true);
    expect(changedBy({ a: { b: 1 } }, {}, read)).toBe(true);
  });

  test('tells apart what JSON or == would not', () => {
    const pairs: Array<[unknown, unknown]> = [
      [0, -0],
      [NaN, 'NaN'],
      [null, undefined],
      ['1', 1],
      [true, 'true'],
      [[], {}],
      [{}, Object.create(null)],
      ['!undefined', undefined],
    ];
    for (const [a, b] of pairs) {
      expect(changedBy({ x: a }, { x: b }, (m) => m.x)).toBe(true);
      expect(changedBy({ x: a }, { x: a }, (m) => m.x)).toBe(false);
    }
    // An own undefined and a missing key; a hole and an undefined item.
    expect(changedBy({ x: undefined }, {}, (m) => m.x)).toBe(true);
    expect(changedBy({ x: [1, undefined, 3] }, { x: [1, , 3] }, (m) => m.x[1])).toBe(true); // eslint-disable-line no-sparse-arrays
    // Keys, their order and whether they are enumerable, as Object.keys and a spread see them.
    expect(changedBy({ x: { a: 1, b: 2 } }, { x: { b: 2, a: 1 } }, (m) => Object.keys(m.x))).toBe(true);
    expect(changedBy({ x: { a: 1 } }, { x: Object.defineProperty({}, 'a', { value: 1, enumerable: false, writable: true, configurable: true }) }, (m) => ({ ...m.x }))).toBe(true);
    expect(changedBy({ x: { a: 1 } }, { x: { a: 1 } }, (m) => ({ ...m.x }))).toBe(false);
    // `in`, and an own property where the prototype's was read.
    expect(changedBy({ x: {} }, { x: { y: undefined } }, (m) => 'y' in m.x)).toBe(true);
    expect(changedBy({ x: [1] }, { x: Object.assign([1], { map: 'mine' }) }, (m) => m.x.map)).toBe(true);
    // An array's length, and items past it.
    expect(changedBy({ x: [1, 2] }, { x: [1, 2, 3] }, (m) => m.x.filter(() => true))).toBe(true);
    expect(changedBy({ x: [1, 2] }, { x: [1, 2, 3] }, (m) => m.x[0])).toBe(false);
  });

  test('of anything but plain data (a Map, a getter, a symbol key) cannot be compared: the chart is not kept', () => {
    const kept = (view: object, read: (m: Data) => unknown): boolean => {
      const tracker = new ReadTracker(() => false);
      tracker.refresh(view);
      const chart = tracker.chart();
      read(chart.root as Data);
      return chart.done() !== undefined;
    };
    expect(kept({ x: { a: 1 } }, (m) => m.x.a)).toBe(true);
    expect(kept({ x: new Map([[1, 2]]) }, (m) => m.x)).toBe(false);
    expect(kept({ x: Object.defineProperty({}, 'a', { get: () => 1, enumerable: true }) }, (m) => m.x.a)).toBe(false);
    expect(kept({ x: { [Symbol.for('s')]: 1 } }, (m) => m.x[Symbol.for('s')])).toBe(false);
    expect(kept({ x: { [Symbol.for('s')]: 1 } }, (m) => Reflect.ownKeys(m.x))).toBe(false);
    expect(kept({ x: () => 1 }, (m) => m.x)).toBe(false);
  });

  test('a chart\'s model is read-only, gives each path its own object, and throws once the build is over', () => {
    const shared = { a: 1 };
    const tracker = new ReadTracker(() => false);
    tracker.refresh({ p: shared, q: shared, list: [shared] });
    const chart = tracker.chart();
    const m = chart.root as Data;
    expect(m.p).toBe(m.p);
    expect(m.p).not.toBe(m.q);
    expect(Array.isArray(m.list)).toBe(true);
    expect(JSON.stringify(m)).toBe('{"p":{"a":1},"q":{"a":1},"list":[{"a":1}]}');
    expect(() => {
      m.p.a = 2;
    }).toThrow(TypeError);
    expect(() => delete m.p.a).toThrow(TypeError);
    expect(() => Object.freeze(m.p)).toThrow(TypeError);
    expect(shared.a).toBe(1);
    const p = m.p;
    chart.done();
    expect(() => p.a).toThrow(ReadAfterBuild);
    expect(() => Object.isFrozen(p)).toThrow(ReadAfterBuild);
  });

  test('what a shared computation read counts for every chart that takes its value', () => {
    const SLOT = {};
    const sum = (m: Data): number => memoByModel(SLOT, m, (s: Data) => s.a.x + s.a.y);
    const tracker = new ReadTracker(() => false);
    const before = { a: { x: 1, y: 2 }, b: 1 };
    tracker.refresh(before);
    const first = tracker.chart();
    expect(sum(first.root as Data)).toBe(3);
    const firstReads = first.done()!;
    // The second chart takes the value computed for the first: it reads nothing of `a` itself.
    const second = tracker.chart();
    expect(sum(second.root as Data)).toBe(3);
    expect((second.root as Data).b).toBe(1);
    const secondReads = second.done()!;
    tracker.release();
    const changed = tracker.refresh({ a: { x: 1, y: 5 }, b: 1 });
    expect(ReadTracker.anyChanged(firstReads, changed)).toBe(true);
    expect(ReadTracker.anyChanged(secondReads, changed)).toBe(true);
    tracker.release();
    const same = tracker.refresh({ a: { x: 1, y: 5 }, b: 1 });
    expect(ReadTracker.anyChanged(secondReads, same)).toBe(false);
  });
});

describe('charts reused by what they read', () => {
  const model = resolveStack(demoStack());
  afterEach(() => forgetCharts());

  const configMap = (scope: Construct, id: string, data: Record<string, string>): Chart => {
    const chart = new Chart(scope, id);
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data } as never);
    return chart;
  };
  const everywhere = (m: { clusters: ReadonlyArray<{ name: string }> }) => m.clusters.map((c) => c.name);
  const SLOT = {};
  const registry: ComponentDefinition[] = [
    // Reads its cluster's name and the stack's name only.
    { name: 'platform', clusters: everywhere, build: (scope, id, ctx) => configMap(scope, id, { name: `${ctx.model.name}/${ctx.cluster.name}` }) },
    // Reads an alert threshold through a value shared by every chart of the synth.
    { name: 'energy', clusters: everywhere, build: (scope, id, ctx) => configMap(scope, id, { watts: String(memoByModel(SLOT, ctx.model, (m) => m.monitoring?.alerts.nodePowerWatts)) }) },
  ];
  const synth = (m: typeof model) => synthesizeManifests(m, registry);
  const data = (ms: ReturnType<typeof synth>) => ms.map((m) => (m.objects[0] as { data?: Record<string, string> }).data);
  const withAlert = (watts: number) => ({ ...model, monitoring: { ...model.monitoring!, alerts: { ...model.monitoring!.alerts, nodePowerWatts: watts } } });

  test('a change to what one chart read rebuilds it only, with the objects of a build from the model', () => {
    synth(model);
    const n = model.clusters.length;
    const changed = withAlert(321);
    const warm = synth(changed);
    expect(chartReuseStats()).toEqual({ reused: n, built: n, bound: 0 });
    expect(data(warm)).toEqual(data(withoutChartReuse(() => synth(changed))));
    expect(data(warm).filter((d) => d?.watts === '321')).toHaveLength(n);
    synth(changed);
    expect(chartReuseStats()).toEqual({ reused: 2 * n, built: 0, bound: 0 });
  });

  test('a chart that keeps a part of its model in its objects is built from the model, and not kept', () => {
    class Leaky extends ApiObject {
      constructor(
        scope: Construct,
        id: string,
        private readonly leak: unknown,
      ) {
        super(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leak' } });
      }
      public override toJson(): any {
        return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leak' }, data: this.leak };
      }
    }
    const leaking: ComponentDefinition = {
      name: 'platform',
      clusters: everywhere,
      build: (scope, id, ctx) => {
        const chart = new Chart(scope, id);
        new Leaky(chart, 'cm', ctx.model.monitoring!.alerts);
        return chart;
      },
    };
    const [first] = synthesizeManifests(model, [leaking]);
    expect(chartReuseStats()).toEqual({ reused: 0, built: 0, bound: model.clusters.length });
    expect((first.objects[0] as { data?: unknown }).data).toEqual(model.monitoring!.alerts);
    synthesizeManifests(model, [leaking]);
    expect(chartReuseStats().reused).toBe(0);
  });
});

describe('the tracker over many synths', () => {
  afterEach(() => forgetCharts());
  const model = resolveStack(demoStack());
  const reading = (key: string): ComponentDefinition => ({
    name: 'platform',
    clusters: (m) => m.clusters.map((c) => c.name),
    build: (scope, id, ctx) => {
      const chart = new Chart(scope, id);
      const extra = (ctx.model as unknown as Record<string, unknown>)[key];
      new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { value: JSON.stringify(extra) } } as never);
      return chart;
    },
  });
  const value = (ms: ReturnType<typeof synthesizeManifests>) => (ms[0].objects[0] as unknown as { data: { value: string } }).data.value;

  test('a synth that fails after reading the view does not let the next one reuse charts against its reads', () => {
    const registry = [reading('extra')];
    synthesizeManifests({ ...model, extra: 1 } as never, registry);
    expect(() =>
      synthesizeManifests({ ...model, extra: 2 } as never, registry, () => {
        throw new Error('stopped');
      }),
    ).toThrow('stopped');
    expect(value(synthesizeManifests({ ...model, extra: 2 } as never, registry))).toBe('2');
  });

  test('compacted, it keeps what its charts read and the same verdicts', () => {
    const tracker = new ReadTracker(() => false);
    tracker.refresh({ a: { x: 1, y: 1 }, b: [1, 2], c: 1 });
    const one = tracker.chart();
    const m = one.root as Data;
    void m.a.x;
    void m.b.length;
    const first = one.done()!;
    const two = tracker.chart();
    void (two.root as Data).c;
    void Object.keys((two.root as Data).a);
    const second = two.done()!;
    tracker.release();
    const { tracker: small, lists } = tracker.compact([first]);
    expect(small.size).toBeLessThan(tracker.size);
    for (const view of [{ a: { x: 1, y: 2 }, b: [1, 2], c: 2 }, { a: { x: 2 }, b: [1, 2] }, { a: { x: 1 }, b: [1] }]) {
      const before = ReadTracker.anyChanged(first, tracker.refresh(view));
      tracker.release();
      expect(ReadTracker.anyChanged(lists[0], small.refresh(view))).toBe(before);
      small.release();
    }
    void second;
  });

  test('reads no chart names any more are dropped: a long loop of synths, each reading new paths, stays right and bounded', () => {
    const many: ComponentDefinition = {
      name: 'platform',
      clusters: (m) => m.clusters.slice(0, 1).map((c) => c.name),
      build: (scope, id, ctx) => {
        const chart = new Chart(scope, id);
        const extra = (ctx.model as unknown as { extra: Record<string, number> }).extra;
        let sum = 0;
        for (const k of Object.keys(extra)) sum += extra[k];
        new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { value: String(sum) } } as never);
        return chart;
      },
    };
    const registry = [many];
    const sizes: number[] = [];
    for (let i = 0; i < 40; i++) {
      // 500 keys of their own in each synth: the last synth's are read by no chart.
      const extra = Object.fromEntries(Array.from({ length: 500 }, (_, k) => [`s${i}k${k}`, 1]));
      expect(value(synthesizeManifests({ ...model, extra } as never, registry))).toBe('500');
      sizes.push(trackedReads());
    }
    expect(Math.max(...sizes)).toBeGreaterThan(10_000);
    expect(Math.max(...sizes.slice(-10))).toBeLessThan(14_000);
    expect(sizes.at(-1)).toBeLessThan(sizes[sizes.indexOf(Math.max(...sizes))]);
  });
});
