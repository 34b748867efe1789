import fc from 'fast-check';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { synthesize, synthToDir, ValidationError } from '../../lib/internal';
import { defaultCacheDir } from '../../lib/synth/synthesize';
import { chartReuseStats, forgetCharts, withoutChartReuse } from '../../lib/synth/chart-reuse';
import { ChartDiskCache } from '../../lib/synth/chart-cache';
import { KubeObject } from '../../lib/synth/kube-object';
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

  /** The charts file with one Deployment changed (`spec.replicaz`), its line's digest left as it was or made anew. */
  function changeDeployment(chartsFile: string, digest: 'stale' | 'recomputed'): KubeObject {
    const lines = fs.readFileSync(chartsFile, 'utf8').split('\n');
    const at = lines.findIndex((l, i) => i > 1 && l.includes('"kind":"Deployment"'));
    expect(at).toBeGreaterThan(1);
    const [id, old, json] = lines[at].split('\t');
    const objects = JSON.parse(json) as KubeObject[];
    const d = objects.find((o) => o.kind === 'Deployment')!;
    (d as unknown as { spec: Record<string, unknown> }).spec.replicaz = 2;
    const changed = JSON.stringify(objects);
    lines[at] = [id, digest === 'stale' ? old : createHash('sha256').update(changed).digest('hex'), changed].join('\t');
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
      { numRuns: 5, seed: 23 },
    );
    expect(reusedSomewhere).toBeGreaterThan(0);
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
  const memo = (key: string, charts: Record<string, KubeObject[]>) => ({ key, charts: new Map(Object.entries(charts)), bound: new Set(['hub\0fleet']) });

  test('charts are read back only under the same view key and the same code', () => {
    const dir = tmpDir();
    const cache = new ChartDiskCache(dir, 'code-a');
    cache.remember(memo('view-1', { 'hub\0platform': [deployment('a')] }));
    cache.save();
    const back = new ChartDiskCache(dir, 'code-a').load('view-1');
    expect(back).toBeDefined();
    expect([...back!.charts]).toEqual([['hub\0platform', [deployment('a')]]]);
    expect(Object.isFrozen(back!.charts.get('hub\0platform')![0].metadata)).toBe(true);
    expect([...back!.bound]).toEqual(['hub\0fleet']);
    expect(new ChartDiskCache(dir, 'code-a').load('view-2')).toBeUndefined();
    expect(new ChartDiskCache(dir, 'code-b').load('view-1')).toBeUndefined();
  });

  test('the file is written only when its key changes, and only charts that are exactly JSON', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'charts.json');
    const first = new ChartDiskCache(dir, 'code');
    first.remember(memo('view-1', { 'hub\0a': [deployment('a')], 'hub\0b': [{ ...deployment('b'), spec: { replicas: undefined } } as unknown as KubeObject] }));
    first.save();
    expect([...new ChartDiskCache(dir, 'code').load('view-1')!.charts.keys()]).toEqual(['hub\0a']);
    const written = fs.statSync(file).mtimeMs;
    fs.utimesSync(file, new Date(0), new Date(0));
    const same = new ChartDiskCache(dir, 'code');
    same.remember(memo('view-1', { 'hub\0a': [deployment('a')] }));
    same.save();
    expect(fs.statSync(file).mtimeMs).toBe(0);
    const other = new ChartDiskCache(dir, 'code');
    other.remember(memo('view-2', { 'hub\0c': [deployment('c')] }));
    other.save();
    expect(fs.statSync(file).mtimeMs).toBeGreaterThanOrEqual(written);
    expect(new ChartDiskCache(dir, 'code').load('view-1')).toBeUndefined();
    expect([...new ChartDiskCache(dir, 'code').load('view-2')!.charts.keys()]).toEqual(['hub\0c']);
  });

  test('a line that is not as written is no cache: not Kubernetes objects (with a fitting digest), or a chart the file lists as reading the devices', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'charts.json');
    const saved = (charts: Record<string, KubeObject[]>) => {
      const c = new ChartDiskCache(dir, 'code');
      c.remember(memo('view', charts));
      c.save();
      return fs.readFileSync(file, 'utf8');
    };
    const good = saved({ 'hub\0a': [deployment('a')] });
    expect(new ChartDiskCache(dir, 'code').load('view')).toBeDefined();
    const line = (id: string, objects: unknown) => `${JSON.stringify(id)}\t${createHash('sha256').update(JSON.stringify(objects)).digest('hex')}\t${JSON.stringify(objects)}`;
    const [key, bound] = good.split('\n');
    for (const bad of [line('hub\0a', [{}]), line('hub\0a', [{ kind: 'Deployment', metadata: { name: 'a' } }]), line('hub\0fleet', [deployment('a')])]) {
      fs.writeFileSync(file, [key, bound, bad, ''].join('\n'));
      expect(new ChartDiskCache(dir, 'code').load('view')).toBeUndefined();
    }
    fs.writeFileSync(file, [key, bound, line('hub\0a', [deployment('a')]), ''].join('\n'));
    expect(new ChartDiskCache(dir, 'code').load('view')).toBeDefined();
  });
});
