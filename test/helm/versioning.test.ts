import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { chartVersionProblems, helmTree, nextPatch, runCli, synthesize, validateEntries } from '../../lib/internal';
import { helm } from '../support/helm';
import { sharedPath } from '../support/shared';
import { clone, demoStack } from '../support/stacks';
import { referenceSchemas } from '../support/synth';
import { captureIO, tmpDir } from '../support/tmp';

const SCHEMAS = ['--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds')];

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO();
  const code = await runCli(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** Writes the demo stack with `edit` applied into a fresh folder; returns the stack file. */
function stackFile(dir: string, edit: (s: any) => void = () => undefined): string {
  const s = clone(demoStack()) as any;
  edit(s);
  const file = path.join(dir, 'stack.yaml');
  fs.writeFileSync(file, stringify(s));
  return file;
}

describe('synth --format helm: versioned charts, Argo CD Applications', () => {
  test('the same stack gives the same chart bytes; the plain format (the default) is unchanged', () => {
    const a = synthesize(demoStack());
    const b = synthesize(demoStack());
    expect([...helmTree(a).files]).toEqual([...helmTree(b).files]);
    // The files outside the cluster folders and the bootstrap are the plain tree's.
    const t = helmTree(a);
    for (const f of ['FLOWS.json', 'FLOWS.md', 'RUNBOOKS.md']) expect(t.files.get(f)).toBe(a.files.get(f));
    expect(t.bootstrap).toEqual(a.bootstrap);
  });

  test('--check of a hand-edited chart file prints its unified diff on stdout, as the plain format does', async () => {
    const dir = tmpDir('edgewatt-helm-check-');
    const out = path.join(dir, 'dist');
    const file = stackFile(dir);
    expect((await run('synth', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS)).code).toBe(0);
    const values = path.join(out, 'hub/chart/values.yaml');
    const text = fs.readFileSync(values, 'utf8');
    fs.writeFileSync(values, text.replace('data-prometheus: 50Gi', 'data-prometheus: 80Gi'));
    const check = await run('synth', '--check', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS);
    expect(check.code).toBe(1);
    expect(check.err).toContain(`changed  ${path.relative(process.cwd(), values)}`);
    expect(check.out).toContain(`--- a/${path.relative(process.cwd(), values)}`);
    expect(check.out).toContain('-  data-prometheus: 80Gi\n+  data-prometheus: 50Gi');
  });

  test('--check fails naming the chart when the content changed but helm.version did not; a raised version passes', async () => {
    const dir = tmpDir('edgewatt-helm-version-');
    const out = path.join(dir, 'dist');
    let file = stackFile(dir, (s) => (s.helm = { version: '1.0.0' }));
    const first = await run('synth', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS);
    expect(first.code).toBe(0);
    expect(first.out).toContain('synthesized 2 Helm charts (smart-factory-hub 1.0.0, smart-factory-line-1 1.0.0)');
    expect(await run('synth', '--check', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS)).toEqual({ code: 0, out: `${out} is up to date with ${file} (2 Helm charts)\n`, err: '' });
    // Without --format helm the check compares with the plain tree, which is not what is on disk.
    expect((await run('synth', '--check', '-c', file, '-o', out, ...SCHEMAS)).code).toBe(1);

    // The hub's Prometheus keeps data longer: the hub chart's content changes, line-1's does not.
    file = stackFile(dir, (s) => {
      s.helm = { version: '1.0.0' };
      s.monitoring.retention = '30d';
    });
    const hubChart = path.join(out, 'hub/chart/Chart.yaml');
    const check = await run('synth', '--check', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS);
    expect(check.code).toBe(1);
    expect(check.err).toContain(`${hubChart}: chart smart-factory-hub 1.0.0: its content changed (digest sha256:`);
    expect(check.err).toContain('but its version did not: raise helm.version in the stack (for example to 1.0.1)');
    expect(check.err).not.toContain('smart-factory-line-1');
    // Writing refuses too, and leaves the folder as it was.
    const before = fs.readFileSync(hubChart, 'utf8');
    const write = await run('synth', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS);
    expect(write.code).toBe(1);
    expect(write.err).toContain('chart smart-factory-hub 1.0.0: its content changed');
    expect(fs.readFileSync(hubChart, 'utf8')).toBe(before);

    file = stackFile(dir, (s) => {
      s.helm = { version: '1.0.1', appVersion: '2026.12.1' };
      s.monitoring.retention = '30d';
    });
    const stale = await run('synth', '--check', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain(`--format helm`); // the fix command names the format
    expect(stale.err).toContain('changed  ');
    // As one JSON document for CI: the problems, and the differences with their kinds (as `differences: []` when up to date).
    const json = JSON.parse((await run('synth', '--check', '--format', 'helm', '--output', 'json', '-c', file, '-o', out, ...SCHEMAS)).out);
    expect(json).toMatchObject({ ok: false, exitCode: 1 });
    expect(json.differences.length).toBe(json.problems.length);
    expect(json.differences).toContainEqual({ path: expect.stringMatching(/Chart\.yaml$/), kind: 'changed' });
    expect((await run('synth', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS)).code).toBe(0);
    expect(parse(fs.readFileSync(hubChart, 'utf8'))).toMatchObject({ version: '1.0.1', appVersion: '2026.12.1' });
    expect((await run('synth', '--check', '--format', 'helm', '-c', file, '-o', out, ...SCHEMAS)).code).toBe(0);
    // `edgewatt validate` refuses a chart tree by name (its templates are not plain YAML) instead of misreading it.
    const v = await run('validate', out, ...SCHEMAS);
    expect(v.code).toBe(2);
    expect(v.err).toContain(`${path.join(out, 'hub/chart')}: is a Helm chart`);
    // So does a folder inside the tree: a cluster folder, the chart, a folder of its templates; and `flows`.
    for (const inside of ['hub', 'hub/chart', 'hub/chart/templates/monitoring']) {
      const w = await run('validate', path.join(out, inside), ...SCHEMAS);
      expect([w.code, w.err.includes('hub/chart: is a Helm chart')]).toEqual([2, true]);
    }
    const f = await run('flows', out);
    expect([f.code, f.err.includes(`${path.join(out, 'hub/chart')}: is a Helm chart`), f.out]).toEqual([2, true, '']);
    // The chart on disk still passes helm lint --strict.
    expect(helm(['lint', '--strict', path.join(out, 'hub/chart')]).status).toBe(0);
  });

  test('chartVersionProblems: a new chart, an unchanged one and a bumped one are fine', () => {
    const dir = tmpDir('edgewatt-helm-vp-');
    const chart = { cluster: 'hub', name: 'x-hub', dir: 'hub/chart', version: '1.2.0', digest: 'sha256:new', objects: 1 };
    expect(chartVersionProblems([chart], dir)).toEqual([]);
    fs.mkdirSync(path.join(dir, 'hub/chart'), { recursive: true });
    const write = (version: string, digest: string) => fs.writeFileSync(path.join(dir, 'hub/chart/Chart.yaml'), stringify({ apiVersion: 'v2', name: 'x-hub', version, annotations: { 'edgewatt.io/content-digest': digest } }));
    write('1.2.0', 'sha256:new');
    expect(chartVersionProblems([chart], dir)).toEqual([]);
    write('1.1.0', 'sha256:old');
    expect(chartVersionProblems([chart], dir)).toEqual([]);
    write('1.2.0', 'sha256:old');
    expect(chartVersionProblems([chart], dir)).toEqual([{ path: path.join(dir, 'hub/chart/Chart.yaml'), message: expect.stringContaining('chart x-hub 1.2.0: its content changed') }]);
    expect([nextPatch('1.2.0'), nextPatch('1.2.0-rc.1')]).toEqual(['1.2.1', '1.2.0']);
  });

  test('a bad helm.version is a spec error naming the field', async () => {
    const dir = tmpDir('edgewatt-helm-bad-');
    const file = stackFile(dir, (s) => (s.helm = { version: 'v1.0' }));
    const r = await run('synth', '--format', 'helm', '-c', file, '-o', path.join(dir, 'dist'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/helm\.version.*semantic version/);
  });

  test('the chart Applications replace the folder Applications, point at the chart path, come after the operators, and validate against the Argo CD CRD', () => {
    const result = synthesize(demoStack());
    const t = helmTree(result, {}, { validation: { schemas: referenceSchemas() } });
    for (const c of t.charts) {
      const folder = [...t.files].filter(([f]) => f.startsWith(`${c.cluster}/argocd/`)).map(([f, text]) => ({ file: `dist/${f}`, object: parse(text) }));
      const chartApps = folder.filter((e) => e.object.spec.source.path === `dist/${c.dir}`);
      expect(chartApps).toHaveLength(1);
      const app = chartApps[0].object;
      expect(app.spec.source).toEqual({ repoURL: 'https://git.example.com/platform/edge-gitops.git', targetRevision: 'main', path: `dist/${c.dir}`, helm: { releaseName: app.metadata.name } });
      expect(t.files.has(`${c.dir}/Chart.yaml`)).toBe(true);
      // No Application points at a folder of the plain layout any more; upstream Applications stay, in earlier waves.
      expect(folder.filter((e) => e.object.spec.source.repoURL === 'https://git.example.com/platform/edge-gitops.git')).toHaveLength(1);
      const upstream = folder.filter((e) => e !== chartApps[0]);
      for (const u of upstream) expect(Number(u.object.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(Number(app.metadata.annotations['argocd.argoproj.io/sync-wave']));
      expect(validateEntries(folder.map((e) => ({ ...e, cluster: c.cluster })), { schemas: referenceSchemas() })).toEqual([]);
    }
    // The bootstrap's root Applications (app-of-apps) read <path>/<cluster>/argocd, which the chart tree holds.
    for (const [, text] of t.bootstrap) {
      const o = parse(text);
      if (o?.kind === 'Application') expect([...t.files.keys()].some((f) => `dist/${f}`.startsWith(`${o.spec.source.path}/`))).toBe(true);
    }
    // A chart Application the CRD refuses is caught by the same check (helm.releaseName must be a string).
    const bad = parse(t.files.get('hub/argocd/application-smart-factory-hub-chart.yaml')!);
    bad.spec.source.helm.releaseName = 7;
    expect(validateEntries([{ file: 'dist/hub/argocd/application-smart-factory-hub-chart.yaml', cluster: 'hub', object: bad }], { schemas: referenceSchemas() })).not.toEqual([]);
  });
});
