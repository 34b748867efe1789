import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SpecError, StackProps, synthesize, synthToDir } from '../../lib';
import { demoStack } from '../support/stacks';
import { referenceSchemas } from '../support/synth';

/** The library's schema inputs and synthToDir's options, as a user passes them (found by a new-user trial). */
describe('schema files and synthToDir options through the library', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-inputs-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a schema file or CRD file given through a symbolic link is read (inputs are not output trees)', () => {
    const ref = referenceSchemas();
    fs.symlinkSync(ref.k8sOpenApi, path.join(tmp, 'k8s-openapi.json'));
    fs.mkdirSync(path.join(tmp, 'crds'));
    // Every CRD file linked one by one, as a dotfiles-style setup does.
    const walk = (dir: string, rel = ''): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name), `${rel}${e.name}-`);
        else fs.symlinkSync(path.join(dir, e.name), path.join(tmp, 'crds', `${rel}${e.name}`));
      }
    };
    walk(ref.crds[0]);
    const viaLinks = synthesize(demoStack() as StackProps, { schemas: { k8sOpenApi: path.join(tmp, 'k8s-openapi.json'), crds: [path.join(tmp, 'crds')] } });
    expect(viaLinks.files).toEqual(synthesize(demoStack() as StackProps, { schemas: ref }).files);
  });

  test('a CRD path that is not there is a SpecError naming it, as a missing OpenAPI file is', () => {
    let err: unknown;
    try {
      synthesize(demoStack() as StackProps, { schemas: { k8sOpenApi: referenceSchemas().k8sOpenApi, crds: [path.join(tmp, 'none')] } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).problems).toEqual([expect.objectContaining({ path: path.join(tmp, 'none'), message: expect.stringMatching(/^no such CRD file or folder: /) })]);
  });

  test('synthToDir keeps its caches in validationCache, gives the same files over them, and makes none without it', () => {
    const out = path.join(tmp, 'dist');
    const cache = path.join(tmp, '.edgewatt.cache', 'dist');
    const first = synthToDir(demoStack() as StackProps, out, { schemas: referenceSchemas(), validationCache: cache });
    expect(fs.readdirSync(cache).length).toBeGreaterThan(0);
    const again = synthToDir(demoStack() as StackProps, out, { schemas: referenceSchemas(), validationCache: cache });
    expect(again.files).toEqual(first.files);
    // Without the option, no cache folder is made.
    synthToDir(demoStack() as StackProps, path.join(tmp, 'plain'), { schemas: referenceSchemas() });
    expect(fs.readdirSync(tmp).sort()).toEqual(['.edgewatt.cache', 'argocd', 'dist', 'plain']);
  });

  test('a validationCache inside the output folder is refused up front, naming the option (it would be replaced with the tree)', () => {
    const out = path.join(tmp, 'dist');
    let err: unknown;
    try {
      synthToDir(demoStack() as StackProps, out, { schemas: referenceSchemas(), validationCache: path.join(out, '.cache') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).problems).toEqual([expect.objectContaining({ path: 'validationCache', message: expect.stringMatching(/is inside .*dist, which is replaced whole: keep the caches beside it/) })]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
