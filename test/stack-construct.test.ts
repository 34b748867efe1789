import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { EdgewattStack, EdgewattStackProps, SpecError, StackProps, synthesize } from '../lib';
import { readTree } from '../lib/internal';
import { demoStack } from './support/stacks';
import { referenceSchemas } from './support/synth';

/** The construct path: a plain `app.synth()` gives exactly what `edgewatt synth` gives, through cdk8s's validation hook. */
describe('EdgewattStack construct', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-construct-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const text = (m: ReadonlyMap<string, Buffer | string>) => new Map([...m].map(([k, v]) => [k, v.toString()]));

  test('app.synth() writes the same files as synth: a folder per cluster and component, Argo CD objects, docs, bootstrap', () => {
    const outdir = path.join(tmp, 'dist');
    const app = new App({ outdir });
    new Construct(app, 'unrelated');
    new EdgewattStack(app, 'platform', { ...(demoStack() as StackProps), schemas: referenceSchemas() });
    app.synth();
    const expected = synthesize(demoStack() as StackProps, { schemas: referenceSchemas() });
    expect(text(readTree(outdir))).toEqual(expected.files);
    expect(text(readTree(path.join(tmp, 'argocd')))).toEqual(expected.bootstrap);
    expect([...expected.files.keys()]).toEqual(expect.arrayContaining(['RUNBOOKS.md', 'hub/argocd/application-smart-factory-hub-monitoring.yaml']));
    expect(fs.readdirSync(outdir).sort()).toEqual(['FLOWS.json', 'FLOWS.md', 'RUNBOOKS.md', 'hub', 'line-1']);
    // A second synth over its own output changes nothing and does not refuse its own files.
    app.synth();
    expect(text(readTree(outdir))).toEqual(expected.files);
  });

  test('a stack that fails a gate fails app.synth() with one error listing every problem with its construct path; nothing is written', () => {
    const outdir = path.join(tmp, 'dist');
    const app = new App({ outdir });
    // No CRDs: every custom resource fails the schema gate (the gates run at app.synth()).
    new EdgewattStack(app, 'platform', { ...(demoStack() as StackProps), schemas: { k8sOpenApi: referenceSchemas().k8sOpenApi, crds: [] } });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Validation failed with the following errors:/);
    expect(message).toMatch(/\[platform\] platform\/hub-[a-z-]+: ValidationError: /);
    expect(fs.existsSync(path.join(outdir, 'hub'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'argocd'))).toBe(false);
  });

  test('cross-reference problems come at construction with the schema problems, as edgewatt synth names them', () => {
    const bad = { ...(demoStack() as StackProps), energy: { kepler: { clusters: ['nope'] } }, monitoring: { cluster: 'missing', retention: 'forever' } } as unknown as StackProps;
    let err: unknown;
    try {
      new EdgewattStack(new App({ outdir: path.join(tmp, 'dist') }), 'platform', bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    const paths = (err as SpecError).problems.map((p) => `${p.location}: ${p.path}`);
    expect(paths).toEqual(expect.arrayContaining(['platform: monitoring.retention', 'platform: monitoring.cluster', 'platform: energy.kepler.clusters[0]']));
    expect(fs.existsSync(path.join(tmp, 'dist'))).toBe(false);
  });

  test("nothing is written when another construct's validation fails, nor by app.synthYaml()", () => {
    const outdir = path.join(tmp, 'dist');
    const app = new App({ outdir });
    const mine = new Construct(app, 'mine');
    let broken = true;
    mine.node.addValidation({ validate: () => (broken ? ['my chart is broken'] : []) });
    new EdgewattStack(app, 'platform', { ...(demoStack() as StackProps), schemas: referenceSchemas() });
    expect(() => app.synth()).toThrow(/\[mine\] my chart is broken/);
    expect(fs.existsSync(path.join(outdir, 'hub'))).toBe(false);
    broken = false;
    app.synthYaml();
    expect(fs.existsSync(path.join(outdir, 'hub'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'argocd'))).toBe(false);
    app.synth();
    expect(fs.existsSync(path.join(outdir, 'hub'))).toBe(true);
  });

  test.each([
    ['the outdir itself', 'dist'],
    ['a folder holding the outdir', '.'],
    ['a cluster folder', 'dist/hub'],
    ['a folder inside a cluster folder', 'dist/hub/argocd'],
  ])('a bootstrapDir that is %s is refused and nothing is written', (_, dir) => {
    const outdir = path.join(tmp, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'mine.k8s.yaml'), 'kind: ConfigMap\n');
    const app = new App({ outdir });
    new EdgewattStack(app, 'platform', { ...(demoStack() as StackProps), schemas: referenceSchemas(), bootstrapDir: path.join(tmp, dir) });
    let err: unknown;
    try {
      app.synth();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).problems[0].location).toBe('platform');
    expect((err as SpecError).problems[0].path).toBe('bootstrapDir');
    expect((err as SpecError).problems[0].message).toMatch(dir.startsWith('dist/hub') ? /the folder of cluster hub, which the stack replaces whole: give the bootstrap a folder of its own/ : /the app's outdir .*: give the bootstrap a folder of its own/);
    expect((err as SpecError).heading).toBe('bad output folder');
    expect(fs.readdirSync(outdir).sort()).toEqual(['mine.k8s.yaml']);
  });

  test('a bootstrap folder holding a file edgewatt did not generate refuses the write before any cluster folder changes', () => {
    const outdir = path.join(tmp, 'dist');
    const stack = { ...(demoStack() as StackProps), schemas: referenceSchemas() };
    const app = new App({ outdir });
    new EdgewattStack(app, 'platform', stack);
    app.synth();
    const before = text(readTree(outdir));
    const removed = [...before.keys()].find((f) => f.startsWith('hub/'))!;
    fs.rmSync(path.join(outdir, removed));
    fs.writeFileSync(path.join(tmp, 'argocd', 'notes.yaml'), 'mine: true\n');
    expect(() => app.synth()).toThrow(/argocd\/notes\.yaml: was not generated by edgewatt/);
    expect(fs.existsSync(path.join(outdir, removed))).toBe(false);
  });

  test("what the last synth of the stack wrote and this one does not give is removed; the app's own files, lookalikes and other stacks' are kept", () => {
    const outdir = path.join(tmp, 'dist');
    const name = (demoStack() as StackProps).name;
    const bootstrapDir = path.join(outdir, 'bootstrap', 'argocd'); // a bootstrap inside the outdir: allowed, and kept
    const first = new App({ outdir });
    new EdgewattStack(first, 'platform', { ...(demoStack() as StackProps), schemas: referenceSchemas(), bootstrapDir });
    first.synth();
    expect(fs.existsSync(path.join(outdir, 'line-1'))).toBe(true);
    const header = `# Generated by edgewatt from stack "${name}". Do not edit: change the stack and run \`edgewatt synth\`.`;
    fs.writeFileSync(path.join(outdir, 'mine.k8s.yaml'), 'kind: ConfigMap\n');
    // Lookalikes the user made: a note that quotes the header, a copy of a cluster folder, another synth's output.
    fs.writeFileSync(path.join(outdir, 'NOTES.md'), `# Notes: the folders here are ${header.slice(2)}\n`);
    fs.cpSync(path.join(outdir, 'line-1'), path.join(outdir, 'backup-line-1'), { recursive: true });
    fs.mkdirSync(path.join(outdir, 'other'));
    fs.writeFileSync(path.join(outdir, 'other', 'x.yaml'), '# Generated by edgewatt from stack "another". Do not edit.\nkind: ConfigMap\n');
    // The same stack with one cluster and nothing on it.
    const second = new App({ outdir });
    new EdgewattStack(second, 'platform', { name, clusters: [{ name: 'hub' }], schemas: referenceSchemas(), bootstrapDir } as EdgewattStackProps);
    second.synth();
    const left = fs.readdirSync(outdir).sort();
    expect(left).not.toContain('line-1');
    expect(left).not.toContain('RUNBOOKS.md');
    expect(left).toEqual(expect.arrayContaining(['mine.k8s.yaml', 'NOTES.md', 'backup-line-1', 'other', 'bootstrap']));
    expect(fs.readdirSync(bootstrapDir).length).toBeGreaterThan(0);
    // Without a record (a cache folder removed), nothing is removed.
    const third = new App({ outdir });
    new EdgewattStack(third, 'platform', { ...(demoStack() as StackProps), schemas: referenceSchemas(), bootstrapDir });
    third.synth();
    fs.rmSync(path.join(tmp, '.edgewatt.cache'), { recursive: true });
    const fourth = new App({ outdir });
    new EdgewattStack(fourth, 'platform', { name, clusters: [{ name: 'hub' }], schemas: referenceSchemas(), bootstrapDir } as EdgewattStackProps);
    fourth.synth();
    expect(fs.existsSync(path.join(outdir, 'line-1'))).toBe(true);
  });

  test('a top-level document that is a link or a folder is refused before anything is written (the link\'s target untouched)', () => {
    const outdir = path.join(tmp, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(tmp, 'my-runbooks.md'), '# mine\n');
    fs.symlinkSync(path.join(tmp, 'my-runbooks.md'), path.join(outdir, 'RUNBOOKS.md'));
    fs.mkdirSync(path.join(outdir, 'FLOWS.md'));
    const app = new App({ outdir });
    new EdgewattStack(app, 'platform', { ...(demoStack() as StackProps), schemas: referenceSchemas() });
    let err: unknown;
    try {
      app.synth();
    } catch (e) {
      err = e;
    }
    expect((err as SpecError).problems.map((p) => [path.basename(p.path), p.message.split(',')[0]])).toEqual([
      ['FLOWS.md', 'is a folder'],
      ['RUNBOOKS.md', 'is a symbolic link'],
    ]);
    expect(fs.readFileSync(path.join(tmp, 'my-runbooks.md'), 'utf8')).toBe('# mine\n');
    expect(fs.readdirSync(outdir).sort()).toEqual(['FLOWS.md', 'RUNBOOKS.md']);
    expect(fs.existsSync(path.join(tmp, 'argocd'))).toBe(false);
  });

  test('an App subclass finds the files when its super.synth() returns; one that skips cdk8s\'s synth gets no earlier result written', () => {
    const outdir = path.join(tmp, 'dist');
    let seen: string[] = [];
    class PostApp extends App {
      public synth(): void {
        super.synth();
        seen = fs.readdirSync(outdir).sort();
      }
    }
    const app = new PostApp({ outdir });
    new EdgewattStack(app, 'platform', { ...(demoStack() as StackProps), schemas: referenceSchemas() });
    app.synth();
    expect(seen).toEqual(['FLOWS.json', 'FLOWS.md', 'RUNBOOKS.md', 'hub', 'line-1']);
    const own = path.join(tmp, 'own');
    class OwnApp extends App {
      public synth(): void {
        fs.mkdirSync(this.outdir, { recursive: true });
      }
    }
    const skipping = new OwnApp({ outdir: own });
    new EdgewattStack(skipping, 'platform', { ...(demoStack() as StackProps), schemas: referenceSchemas() });
    skipping.synthYaml(); // validates (the gates pass) and writes nothing
    skipping.synth();
    expect(fs.readdirSync(own)).toEqual([]);
  });

  test('the props are read at construction: changing them afterwards changes nothing, and nothing of them is frozen', () => {
    const outdir = path.join(tmp, 'dist');
    const props = { ...(demoStack() as StackProps), schemas: referenceSchemas() } as EdgewattStackProps & { monitoring: { retention: string } };
    const app = new App({ outdir });
    const stack = new EdgewattStack(app, 'platform', props);
    props.monitoring.retention = '99d';
    expect(Object.isFrozen(props.monitoring)).toBe(false);
    expect(Object.isFrozen(stack.spec)).toBe(true);
    app.synth();
    expect(text(readTree(outdir))).toEqual(synthesize(demoStack() as StackProps, { schemas: referenceSchemas() }).files);
    const { schemas: _schemas, ...changed } = props;
    expect(synthesize(changed, { schemas: referenceSchemas() }).files).not.toEqual(text(readTree(outdir)));
  });

  test.each([
    ['schemas: {}', { schemas: {} }, 'schemas.k8sOpenApi'],
    ['crds as a string', { schemas: { k8sOpenApi: 'k8s.json', crds: 'crds' } }, 'schemas.crds'],
    ['a bootstrapDir that is not a string', { bootstrapDir: 5 }, 'bootstrapDir'],
  ])('%s (plain JavaScript) is a SpecError at construction, not a TypeError at synth', (_, extra, field) => {
    let err: unknown;
    try {
      new EdgewattStack(new App({ outdir: path.join(tmp, 'dist') }), 'platform', { ...(demoStack() as StackProps), ...(extra as object) } as StackProps);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).problems.map((p) => `${p.location}: ${p.path}`)).toEqual([`platform: ${field}`]);
  });

  test('a second EdgewattStack in one App throws a SpecError naming both (it would write over the first)', () => {
    const app = new App({ outdir: path.join(tmp, 'dist') });
    new EdgewattStack(app, 'a', demoStack() as StackProps);
    const scope = new Construct(app, 'group');
    let err: unknown;
    try {
      new EdgewattStack(scope, 'b', demoStack() as StackProps);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).problems).toEqual([
      {
        path: 'group/b',
        message:
          "is a second EdgewattStack in this App, beside a: both would write the App's outdir and the Argo CD bootstrap, the second over the first; put every cluster in one stack, or give each stack an App of its own with its own outdir and bootstrapDir",
      },
    ]);
    // One stack in each of two Apps is fine, and so is a stack after one whose props threw (it writes nothing).
    expect(() => new EdgewattStack(new App({ outdir: path.join(tmp, 'other') }), 'b', demoStack() as StackProps)).not.toThrow();
    const retry = new App({ outdir: path.join(tmp, 'retry') });
    expect(() => new EdgewattStack(retry, 'first', { name: 'lab' } as StackProps)).toThrow(SpecError);
    expect(() => new EdgewattStack(retry, 'fixed', demoStack() as StackProps)).not.toThrow();
  });

  test('props left out (plain JavaScript) are a SpecError naming what a stack needs, not a TypeError', () => {
    const err = (() => {
      try {
        new EdgewattStack(new App({ outdir: '.unused' }), 'x', undefined as unknown as StackProps);
      } catch (e) {
        return e as SpecError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(SpecError);
    expect(err.problems.map((p) => `${p.location}: ${p.path}`)).toEqual(['x: clusters', 'x: name']);
  });

  test('bad props throw a SpecError at construction naming every problem after the construct path', () => {
    const err = (() => {
      try {
        new EdgewattStack(new App({ outdir: '.unused' }), 'x', { name: 'Bad', clusters: [{ name: 'A' }] }); // never synthesized: no folder
      } catch (e) {
        return e as SpecError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(SpecError);
    expect(err.problems.map((p) => `${p.location}: ${p.path}`)).toEqual(['x: clusters[0].name', 'x: name']);
  });
});
