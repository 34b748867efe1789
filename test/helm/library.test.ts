/**
 * The stack as Helm charts from the library, as `edgewatt synth --format helm` writes them: synthesize and synthToDir
 * with `format: 'helm'`, and EdgewattStack's `format` prop in a cdk8s App.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { stringify } from 'yaml';
import { EdgewattStack, synthesize, synthToDir, ValidationError } from '../../lib';
import { runCli } from '../../lib/internal';
import { sharedPath } from '../support/shared';
import { clone, demoStack } from '../support/stacks';
import { captureIO, tmpDir } from '../support/tmp';

const K8S = sharedPath('schemas/kubernetes/swagger-v1.35.0.json');
const CRDS = sharedPath('crds');
const schemas = { k8sOpenApi: K8S, crds: [CRDS] };

/** Every file under `dir`, by path relative to it (`/`-separated), as text. */
function readAll(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, f);
    if (fs.statSync(full).isFile()) out.set(f.split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What `edgewatt synth --format helm` writes for `stack`: the output folder and the bootstrap beside it. */
async function cliHelm(stack: unknown): Promise<{ files: Map<string, string>; bootstrap: Map<string, string>; out: string }> {
  const dir = tmpDir('edgewatt-helm-lib-');
  const file = path.join(dir, 'stack.yaml');
  fs.writeFileSync(file, stringify(stack));
  const c = captureIO();
  const code = await runCli(['synth', '--format', 'helm', '-c', file, '-o', path.join(dir, 'dist'), '--k8s-openapi', K8S, '--crds', CRDS], c.io);
  expect([code, c.err()]).toEqual([0, '']);
  return { files: readAll(path.join(dir, 'dist')), bootstrap: readAll(path.join(dir, 'argocd')), out: c.out() };
}

describe("Helm charts from the library (format: 'helm')", () => {
  test('synthesize gives the files and bootstrap the CLI writes, and names each chart with its version and digest', async () => {
    const lib = synthesize(demoStack() as never, { schemas, format: 'helm' });
    const cli = await cliHelm(demoStack());
    expect([...lib.files.keys()]).toEqual([...cli.files.keys()]);
    for (const [f, text] of cli.files) expect({ f, same: lib.files.get(f) === text }).toEqual({ f, same: true });
    expect([...lib.bootstrap]).toEqual([...cli.bootstrap]);
    expect(lib.files.has('hub/chart/Chart.yaml')).toBe(true);
    expect(lib.charts?.map((c) => c.name)).toEqual(['smart-factory-hub', 'smart-factory-line-1']);
    for (const c of lib.charts ?? []) {
      expect(cli.out).toContain(`${c.name} ${c.version}`);
      expect(lib.files.get(`${c.cluster}/chart/Chart.yaml`)).toContain(c.digest);
      expect(c.objects).toBeGreaterThan(10);
    }
    // The plain format (the default) gives no charts.
    expect(synthesize(demoStack() as never, { schemas }).charts).toBeUndefined();
  });

  test('synthToDir writes the charts; content changed under the same pinned version fails naming the chart and writes nothing', () => {
    const dir = tmpDir('edgewatt-helm-lib-dir-');
    const out = path.join(dir, 'dist');
    const pinned = clone(demoStack()) as any;
    pinned.helm = { version: '1.0.0' };
    const first = synthToDir(pinned, out, { schemas, format: 'helm' });
    expect(readAll(out)).toEqual(first.files);
    expect(readAll(path.join(dir, 'argocd'))).toEqual(first.bootstrap);
    const before = readAll(out);
    pinned.monitoring.retention = '30d';
    let error: unknown;
    try {
      synthToDir(pinned, out, { schemas, format: 'helm' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      { path: path.join(out, 'hub/chart/Chart.yaml'), message: expect.stringMatching(/^chart smart-factory-hub 1\.0\.0: its content changed \(digest sha256:[0-9a-f]+ → sha256:[0-9a-f]+\) but its version did not: raise helm.version in the stack \(for example to 1\.0\.1\) and synth again$/) },
    ]);
    expect(readAll(out)).toEqual(before);
    pinned.helm.version = '1.0.1';
    expect(synthToDir(pinned, out, { schemas, format: 'helm' }).charts?.map((c) => c.version)).toEqual(['1.0.1', '1.0.1']);
  });

  test("EdgewattStack with format 'helm' writes the charts into the App's outdir, the bootstrap beside it", async () => {
    const dir = tmpDir('edgewatt-helm-app-');
    const app = new App({ outdir: path.join(dir, 'dist') });
    new EdgewattStack(app, 'factory', { ...(clone(demoStack()) as any), schemas, format: 'helm' });
    app.synth();
    const cli = await cliHelm(demoStack());
    const written = readAll(path.join(dir, 'dist'));
    for (const [f, text] of cli.files) expect({ f, same: written.get(f) === text }).toEqual({ f, same: true });
    expect(readAll(path.join(dir, 'argocd'))).toEqual(cli.bootstrap);
    // Content changed under a pinned version that is on disk: app.synth() fails naming the chart, and writes nothing.
    const pinned = { ...(clone(demoStack()) as any), helm: { version: '2.0.0' } };
    const first = new App({ outdir: path.join(dir, 'pinned') });
    new EdgewattStack(first, 'factory', { ...pinned, schemas, format: 'helm' });
    first.synth();
    const before = readAll(path.join(dir, 'pinned'));
    const second = new App({ outdir: path.join(dir, 'pinned') });
    new EdgewattStack(second, 'factory', { ...pinned, monitoring: { ...pinned.monitoring, retention: '30d' }, schemas, format: 'helm' });
    expect(() => second.synth()).toThrow(/factory: ValidationError: .*hub\/chart\/Chart.yaml: chart smart-factory-hub 2\.0\.0: its content changed .* raise helm.version in the stack \(for example to 2\.0\.1\)/);
    expect(readAll(path.join(dir, 'pinned'))).toEqual(before);
  });

  test('a format that is neither plain nor helm is refused, naming the choices', () => {
    expect(() => synthesize(demoStack() as never, { format: 'kustomize' as never })).toThrow(/format: must be "plain" or "helm", not "kustomize"/);
    expect(() => new EdgewattStack(new App({ outdir: tmpDir() }), 's', { ...(clone(demoStack()) as any), format: 'chart' })).toThrow(/format: must be "plain" or "helm", not "chart"/);
    // The caches serve the plain format only: asked for with format helm, refused before anything is written.
    const out = path.join(tmpDir(), 'dist');
    expect(() => synthToDir(demoStack() as never, out, { format: 'helm', validationCache: path.join(path.dirname(out), '.cache') })).toThrow(/validationCache: is for format 'plain'/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
