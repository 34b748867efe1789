import fc from 'fast-check';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { synthesize, synthToDir, ValidationError } from '../../lib/internal';
import { defaultCacheDir } from '../../lib/synth/synthesize';
import { chartReuseStats, forgetCharts, withoutChartReuse } from '../../lib/synth/chart-reuse';
import { ChartDiskCache, ChartFile } from '../../lib/synth/chart-cache';
import { KeptChart } from '../../lib/synth/chart-reuse';
import { ReadTracker } from '../../lib/synth/read-record';
import { KubeObject } from '../../lib/synth/kube-object';
import { COMPONENT_REGISTRY, ComponentDefinition } from '../../charts';
import { demoStack } from '../support/stacks';
import { DEMO_EDITS, differing } from '../support/demo-edits';
import { sharedPath } from '../support/shared';
import { snapshot, tmpDir } from '../support/tmp';
import { thrown } from '../support/thrown';

const schemas = { k8sOpenApi: sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), crds: [sharedPath('crds')] };

/** The bundled example as plain data (a fresh copy each time, to edit). */
const demo = (): Record<string, any> => demoStack() as Record<string, any>;

/** An output folder (dist, with argocd beside it) and synthToDir into it with its cache, as `edgewatt synth` runs. */
function outFolder(): { out: string; synth: (stack: unknown) => ReturnType<typeof synthToDir>; chartsFile: string } {
  const out = path.join(tmpDir(), 'dist');
  const cache = defaultCacheDir(out);
  return { out, chartsFile: path.join(cache, 'charts.json'), synth: (stack) => synthToDir(stack as never, out, { validation: { schemas }, validationCache: cache }) };
}

/** Every file of a folder and of the argocd folder beside it, by path (`argocd/…` for the latter). */
function written(out: string): Map<string, string> {
  const s = { ...snapshot(out), ...Object.fromEntries(Object.entries(snapshot(path.join(path.dirname(out), 'argocd'))).map(([p, f]) => [`argocd/${p}`, f])) };
  return new Map(Object.entries(s).map(([p, f]) => [p, f.content]));
}

/** The same stack synthesized from nothing: no charts in memory or on disk, every chart built from the model. */
function reference(stack: unknown): Map<string, string> {
  forgetCharts();
  const r = withoutChartReuse(() => synthesize(stack as never, { validation: { schemas } }));
  return new Map([...[...r.files].map(([p, t]) => [p, t] as const), ...[...r.bootstrap].map(([p, t]) => [`argocd/${p}`, t] as const)]);
}

afterEach(() => forgetCharts());

describe('charts kept on disk for the next synth into the same folder', () => {
  test('a new process reuses the last synth\'s charts from the cache folder and writes what a synth from nothing writes', () => {
    const { out, synth, chartsFile } = outFolder();
    const stack = demo();
    synth(stack);
    const first = chartReuseStats();
    expect(first.built).toBeGreaterThan(0);
    expect(fs.existsSync(chartsFile)).toBe(true);
    // A new process: nothing in memory.
    forgetCharts();
    stack.fleet.devices[1].name = 'gw-07';
    const r = synth(stack);
    expect(chartReuseStats()).toEqual({ reused: first.built, built: 0, bound: first.bound });
    expect(r.write.changed.length + r.write.missing.length).toBeGreaterThan(0);
    expect(differing(written(out), reference(stack))).toEqual([]);
    expect([...written(out)].some(([p, t]) => p.startsWith('hub/fleet/') && t.includes('name: gw-07'))).toBe(true);
  });

  test('a new process after a change to what some charts read reuses the others from the file, and writes what a synth from nothing writes', () => {
    const { out, synth } = outFolder();
    const stack = demo();
    synth(stack);
    const first = chartReuseStats();
    forgetCharts();
    stack.iomt.pipelines[0].things[1].image = 'ghcr.io/example/detector:2.1.0';
    synth(stack);
    const { reused, built } = chartReuseStats();
    expect(reused).toBeGreaterThan(0);
    expect(built).toBeGreaterThan(0);
    expect(reused + built).toBe(first.built);
    expect(differing(written(out), reference(stack))).toEqual([]);
  });

  /** The charts file with one Deployment changed (`spec.replicaz`), its line's digest left as it was or made anew. */
  function changeDeployment(chartsFile: string, digest: 'stale' | 'recomputed'): KubeObject {
    const lines = fs.readFileSync(chartsFile, 'utf8').split('\n');
    const at = lines.findIndex((l, i) => i > 1 && l.includes('"kind":"Deployment"'));
    expect(at).toBeGreaterThan(1);
    const [id, old, reads, json] = lines[at].split('\t');
    const objects = JSON.parse(json) as KubeObject[];
    const d = objects.find((o) => o.kind === 'Deployment')!;
    (d as unknown as { spec: Record<string, unknown> }).spec.replicaz = 2;
    const changed = JSON.stringify(objects);
    lines[at] = [id, digest === 'stale' ? old : createHash('sha256').update(`${reads}\t${changed}`).digest('hex'), reads, changed].join('\t');
    fs.writeFileSync(chartsFile, lines.join('\n'));
    return d;
  }

  test('a chart changed in the file without its digest is no cache: every chart is built, and the files are those of a synth from nothing', () => {
    const { out, synth, chartsFile } = outFolder();
    const stack = demo();
    synth(stack);
    forgetCharts();
    changeDeployment(chartsFile, 'stale');
    synth(stack);
    expect(chartReuseStats().reused).toBe(0);
    expect(differing(written(out), reference(stack))).toEqual([]);
  });

  test('an object forged in the file with its digest is checked like a built one: the synth fails, the folders are left as they were, and the file is dropped', () => {
    const { out, synth, chartsFile } = outFolder();
    const stack = demo();
    synth(stack);
    forgetCharts();
    const d = changeDeployment(chartsFile, 'recomputed');
    const before = snapshot(path.dirname(out));
    const error = thrown(() => synth(stack));
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`deployment-${d.metadata.name}\\.yaml: /spec/replicaz: unknown field$`)));
    // The charts were read from the file (else nothing would have failed), and nothing was written.
    expect(chartReuseStats().reused).toBeGreaterThan(0);
    const after = snapshot(path.dirname(out));
    const outside = (files: Record<string, unknown>) => Object.keys(files).filter((p) => !p.startsWith('.edgewatt.cache/')).sort();
    expect(outside(after)).toEqual(outside(before));
    for (const p of outside(before)) expect(after[p]).toEqual(before[p]);
    // A bad file does not fail the synths after this one: it is gone, and the next synth builds every chart.
    expect(fs.existsSync(chartsFile)).toBe(false);
    forgetCharts();
    synth(stack);
    expect(chartReuseStats().reused).toBe(0);
    expect(differing(written(out), reference(stack))).toEqual([]);
  });

  test('any sequence of edits, each synthesized by a new process with the charts file of the synth before, gives the files of a synth from nothing', () => {
    let reusedSomewhere = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...Object.keys(DEMO_EDITS)), { minLength: 1, maxLength: 3 }), (names) => {
        const { out, synth } = outFolder();
        const stack = demo();
        forgetCharts();
        synth(stack);
        for (const name of names) {
          DEMO_EDITS[name](stack);
          forgetCharts(); // a new process: only the charts file
          synth(stack);
          reusedSomewhere += chartReuseStats().reused;
          expect(differing(written(out), reference(stack))).toEqual([]);
        }
      }),
      { numRuns: 10, seed: 23 },
    );
    expect(reusedSomewhere).toBeGreaterThan(0);
  });

  test('the registry the charts file serves cannot be changed at run time: the array and each definition are frozen', () => {
    expect(Object.isFrozen(COMPONENT_REGISTRY)).toBe(true);
    for (const def of COMPONENT_REGISTRY) expect(Object.isFrozen(def)).toBe(true);
    expect(thrown(() => (COMPONENT_REGISTRY as ComponentDefinition[]).push(COMPONENT_REGISTRY[0]))).toBeInstanceOf(TypeError);
    expect(thrown(() => ((COMPONENT_REGISTRY[0] as { build: unknown }).build = () => undefined))).toBeInstanceOf(TypeError);
    expect(COMPONENT_REGISTRY.map((d) => d.name)).toEqual(['platform', 'energy', 'monitoring', 'events', 'fleet', 'iomt', 'dashboards']);
  });

  test('a corrupt charts file is no cache: every chart is built and the files are those of a synth from nothing', () => {
    const { out, synth, chartsFile } = outFolder();
    const stack = demo();
    synth(stack);
    forgetCharts();
    fs.writeFileSync(chartsFile, `${fs.readFileSync(chartsFile, 'utf8').split('\n')[0]}\n[not json\n`);
    stack.fleet.devices[1].name = 'gw-07';
    synth(stack);
    expect(chartReuseStats().reused).toBe(0);
    expect(differing(written(out), reference(stack))).toEqual([]);
  });
});

describe('ChartDiskCache', () => {
  const deployment = (name: string): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name } }) as KubeObject;
  /** A tracker that read `a` of { a: 1 }, and a chart and a bulk-bound chart with that read. */
  function memo(charts: Record<string, KubeObject[]> = { 'hub\0platform': [deployment('a')] }): ChartFile {
    const tracker = new ReadTracker(() => false);
    tracker.refresh({ a: 1, b: 1 });
    const chart = tracker.chart();
    expect((chart.root as { a: number }).a).toBe(1);
    const reads = chart.done()!;
    tracker.release();
    const kept = new Map<string, KeptChart>(Object.entries(charts).map(([id, objects]) => [id, { objects, reads }]));
    kept.set('hub\0fleet', { reads });
    return { tracker, charts: kept };
  }
  const saved = (dir: string, m: ChartFile, same = false, env = '', code = 'code'): void => {
    const c = new ChartDiskCache(dir, code);
    c.remember(env, m, same);
    c.save();
  };
  const load = (dir: string, env = '', code = 'code') => new ChartDiskCache(dir, code).load(env, () => false);

  test('charts and their reads are read back under the same code and environment only', () => {
    const dir = tmpDir();
    saved(dir, memo(), false, '', 'code-a');
    const back = load(dir, '', 'code-a');
    expect(back).toBeDefined();
    expect(back!.charts.get('hub\0platform')!.objects).toEqual([deployment('a')]);
    expect(Object.isFrozen(back!.charts.get('hub\0platform')!.objects![0].metadata)).toBe(true);
    expect(back!.charts.get('hub\0fleet')!.objects).toBeUndefined();
    // The tracker read back tells what changed in a new view, as the one that wrote it would.
    const reads = back!.charts.get('hub\0platform')!.reads;
    expect(ReadTracker.anyChanged(reads, back!.tracker.refresh({ a: 1, b: 2 }))).toBe(false);
    back!.tracker.release();
    expect(ReadTracker.anyChanged(reads, back!.tracker.refresh({ a: 2, b: 2 }))).toBe(true);
    expect(load(dir, '', 'code-b')).toBeUndefined();
    expect(load(dir, '1', 'code-a')).toBeUndefined();
  });

  test('the file is written only when the charts or the reads are not those it holds, and only charts that are exactly JSON', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'charts.json');
    saved(dir, memo({ 'hub\0a': [deployment('a')], 'hub\0b': [{ ...deployment('b'), spec: { replicas: undefined } } as unknown as KubeObject] }));
    expect([...load(dir)!.charts.keys()].sort()).toEqual(['hub\0a', 'hub\0fleet']);
    fs.utimesSync(file, new Date(0), new Date(0));
    saved(dir, memo(), true);
    expect(fs.statSync(file).mtimeMs).toBe(0);
    saved(dir, memo({ 'hub\0c': [deployment('c')] }), false);
    expect(fs.statSync(file).mtimeMs).toBeGreaterThan(0);
    expect([...load(dir)!.charts.keys()].sort()).toEqual(['hub\0c', 'hub\0fleet']);
    // Another environment's file is replaced even by the same charts.
    fs.utimesSync(file, new Date(0), new Date(0));
    saved(dir, memo({ 'hub\0c': [deployment('c')] }), true, '1');
    expect(fs.statSync(file).mtimeMs).toBeGreaterThan(0);
    expect(load(dir, '1')).toBeDefined();
  });

  test('a line that is not as written is no cache: the tracker, the reads, the objects (with fitting digests), a chart named twice', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'charts.json');
    saved(dir, memo());
    const [key, tracker, ...charts] = fs.readFileSync(file, 'utf8').split('\n');
    expect(load(dir)).toBeDefined();
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const trackerLine = (data: unknown) => `${sha(JSON.stringify(data))}\t${JSON.stringify(data)}`;
    const chartLine = (id: string, reads: string, objects: unknown) => `${JSON.stringify(id)}\t${sha(`${reads}\t${JSON.stringify(objects)}`)}\t${reads}\t${JSON.stringify(objects)}`;
    const data = JSON.parse(tracker.split('\t')[1]);
    const reads = charts[0].split('\t')[2];
    const cases: string[][] = [
      [trackerLine({ ...data, parents: [-1, 2, 0] }), ...charts],
      [trackerLine({ ...data, ops: [0, 9, 0] }), ...charts],
      [trackerLine({ ...data, tokens: data.tokens.slice(1) }), ...charts],
      [tracker, chartLine('hub\0a', reads, [{}])],
      [tracker, chartLine('hub\0a', reads, [{ kind: 'Deployment', metadata: { name: 'a' } }])],
      [tracker, chartLine('hub\0a', 'AAAAAAA=', [deployment('a')])],
      [tracker, chartLine('hub\0a', Buffer.from(Int32Array.of(99).buffer).toString('base64'), [deployment('a')])],
      [tracker, chartLine('hub\0a', reads, [deployment('a')]), chartLine('hub\0a', reads, null)],
      [tracker, `${chartLine('hub\0a', reads, [deployment('a')])} `],
    ];
    for (const lines of cases) {
      fs.writeFileSync(file, [key, ...lines, ''].join('\n'));
      expect(load(dir)).toBeUndefined();
    }
    fs.writeFileSync(file, [key, tracker, chartLine('hub\0a', reads, [deployment('a')]), chartLine('hub\0fleet', reads, null), ''].join('\n'));
    expect([...load(dir)!.charts.keys()]).toEqual(['hub\0a', 'hub\0fleet']);
  });
});
