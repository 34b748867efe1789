import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { EdgewattStack, SpecError, StackProps, synthesize } from '../lib';
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
    const bad = { ...(demoStack() as StackProps), energy: { kepler: { clusters: ['nope'] } }, monitoring: { cluster: 'missing' } };
    new EdgewattStack(app, 'platform', bad);
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Validation failed with the following errors:/);
    expect(message).toContain('[platform] platform: SpecError: energy.kepler.clusters[0]');
    expect(message).toContain('monitoring.cluster');
    expect(fs.existsSync(path.join(outdir, 'hub'))).toBe(false);
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
          "is a second EdgewattStack in this App, beside a: both would write the App's outdir and the Argo CD bootstrap, the second over the first; put every cluster in one stack, or give each stack an App of its own with its own outdir",
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
