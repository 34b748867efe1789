import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Entry, entryDigest, BodyStore, objectDigest, openValidationCache, synthesize, synthToDir, validateEntries, validationCacheKey, yamlBody } from '../../lib/internal';
import { benchStack } from '../../bench/stacks';
import { CACHE_GITIGNORE, cacheTempFile, makeCacheDir, removeOrphanCacheTemps, settledSignature, writeCacheLines } from '../../lib/validate/cache';
import { sharedPath } from '../support/shared';
import { tmpDir } from '../support/tmp';

const schemas = { k8sOpenApi: sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), crds: [sharedPath('crds')] };

/** The entries of a small synthesized stack, as the synth gives them to the gates. */
function entries(): Entry[] {
  const r = synthesize(benchStack(100), { validation: { schemas } });
  const yaml = (files: ReadonlyMap<string, string>, root: string, cluster?: string): Entry[] =>
    [...files].filter(([f]) => f.endsWith('.yaml') && !f.startsWith('argocd-cm/')).map(([f, text]) => ({ file: `${root}/${f}`, cluster: cluster ?? f.split('/')[0], object: parse(text) }));
  return [...yaml(r.files, 'dist'), ...yaml(r.bootstrap, 'argocd', 'argocd')];
}

/** A cache in a fresh folder holding `passed` under `key`. */
function cacheWith(key: string, passed: string[]): string {
  const dir = path.join(tmpDir(), 'cache');
  const c = openValidationCache(dir, key);
  c.record(passed);
  c.save();
  return dir;
}

describe('validation cache', () => {
  const key = validationCacheKey(schemas);

  test('a cache records every passing object, and the next run skips them and still passes', () => {
    const es = entries();
    const dir = path.join(tmpDir(), 'cache');
    const first = openValidationCache(dir, key);
    expect(validateEntries(es, { schemas, cache: first })).toEqual([]);
    first.save();
    const second = openValidationCache(dir, key);
    expect(second.size).toBe(new Set(es.map(entryDigest)).size);
    expect(validateEntries(es, { schemas, cache: second })).toEqual([]);
  });

  test('a changed object with a schema error is caught although the unchanged objects come from the cache', () => {
    const es = entries();
    const dir = cacheWith(key, es.map(entryDigest));
    const i = es.findIndex((e) => e.object.kind === 'Deployment');
    const broken = { ...es[i], object: { ...es[i].object, spec: { ...(es[i].object as unknown as { spec: object }).spec, replicaz: 2 } } } as Entry;
    const changed = es.map((e, j) => (j === i ? broken : e));
    const findings = validateEntries(changed, { schemas, cache: openValidationCache(dir, key) });
    expect(findings).toEqual([{ file: broken.file, pointer: '/spec/replicaz', message: 'unknown field' }]);
  });

  test('the cache is really used: a digest listed under the key skips the per-object checks (so only the key keeps it sound)', () => {
    const es = entries();
    const i = es.findIndex((e) => e.object.kind === 'Deployment');
    const broken = { ...es[i], object: { ...es[i].object, spec: { ...(es[i].object as unknown as { spec: object }).spec, replicaz: 2 } } } as Entry;
    const changed = es.map((e, j) => (j === i ? broken : e));
    const forged = cacheWith(key, [entryDigest(broken)]);
    expect(validateEntries(changed, { schemas, cache: openValidationCache(forged, key) })).toEqual([]);
    expect(validateEntries(changed, { schemas })).toEqual([{ file: broken.file, pointer: '/spec/replicaz', message: 'unknown field' }]);
  });

  test('a warm cache records just the objects checked afresh that passed: a broken one is not listed, the changed one that passes is', () => {
    const es = entries();
    const dir = cacheWith(key, es.map(entryDigest));
    const [i, j] = es.flatMap((e, n) => (e.object.kind === 'Deployment' ? [n] : [])).slice(0, 2);
    const spec = (e: Entry) => (e.object as unknown as { spec: object }).spec;
    const broken = { ...es[i], object: { ...es[i].object, spec: { ...spec(es[i]), replicaz: 2 } } } as Entry;
    const passing = { ...es[j], object: { ...es[j].object, spec: { ...spec(es[j]), replicas: 7 } } } as Entry;
    const c = openValidationCache(dir, key);
    let fresh: ReadonlyArray<string> | undefined;
    const recording = { ...c, record: (p: ReadonlyArray<string>, f?: ReadonlyArray<string>) => ((fresh = f), c.record(p, f)) };
    const findings = validateEntries(es.map((e, n) => (n === i ? broken : n === j ? passing : e)), { schemas, cache: recording });
    expect(findings).toEqual([{ file: broken.file, pointer: '/spec/replicaz', message: 'unknown field' }]);
    expect(fresh).toEqual([entryDigest(passing)]);
    c.save();
    const listed = (JSON.parse(fs.readFileSync(path.join(dir, 'validation.json'), 'utf8')) as { passed: string[] }).passed;
    expect(listed).toEqual([...new Set([...es.map(entryDigest), entryDigest(passing)])]);
    expect(listed).not.toContain(entryDigest(broken));
  });

  test('a failing object is not recorded; a passing one is', () => {
    const es = entries();
    const i = es.findIndex((e) => e.object.kind === 'Deployment');
    const broken = { ...es[i], object: { ...es[i].object, spec: { ...(es[i].object as unknown as { spec: object }).spec, replicaz: 2 } } } as Entry;
    const dir = path.join(tmpDir(), 'cache');
    const c = openValidationCache(dir, key);
    validateEntries(es.map((e, j) => (j === i ? broken : e)), { schemas, cache: c });
    c.save();
    const again = openValidationCache(dir, key);
    expect(again.has(entryDigest(es[0]))).toBe(true);
    expect(again.has(entryDigest(broken))).toBe(false);
  });

  test('a changed schema or CRD set, or no schemas, gives another key and so an empty cache', () => {
    const crds = path.join(tmpDir(), 'crds');
    fs.cpSync(sharedPath('crds', 'flotta'), crds, { recursive: true });
    const k1 = validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi, crds: [crds] });
    const dir = cacheWith(k1, ['x']);
    expect(openValidationCache(dir, k1).size).toBe(1);
    const first = fs.readdirSync(crds).sort()[0];
    fs.appendFileSync(path.join(crds, first), '\n# changed\n');
    const k2 = validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi, crds: [crds] });
    expect(k2).not.toBe(k1);
    expect(openValidationCache(dir, k2).size).toBe(0);
    fs.writeFileSync(path.join(crds, 'zz-extra.yaml'), 'kind: Nothing\n');
    expect(validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi, crds: [crds] })).not.toBe(k2);
    expect(validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi })).not.toBe(k1);
    expect(validationCacheKey(undefined)).not.toBe(validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi }));
  });

  test('the key of settled, unchanged schema files is given again without reading them; a file changed since is read', async () => {
    const k = validationCacheKey(schemas); // the shared schemas changed long ago: this key is kept
    // The fs module itself (this file's `fs` is a namespace copy whose properties cannot be spied on).
    const read = jest.spyOn(jest.requireActual<typeof fs>('fs'), 'readFileSync');
    try {
      expect(validationCacheKey(schemas)).toBe(k);
      expect(read.mock.calls.filter(([f]) => String(f).startsWith(path.dirname(path.dirname(schemas.k8sOpenApi))) || String(f).startsWith(schemas.crds[0]))).toEqual([]);
    } finally {
      read.mockRestore();
    }
    const crds = path.join(tmpDir(), 'crds');
    fs.cpSync(sharedPath('crds', 'flotta'), crds, { recursive: true });
    // A whole second, so that the time set back below is exactly this one (utimes takes seconds as a double).
    const old = new Date('2020-01-01T00:00:00Z');
    for (const f of fs.readdirSync(crds)) fs.utimesSync(path.join(crds, f), old, old);
    await new Promise((r) => setTimeout(r, 1100)); // settled (SETTLED_NS): the next key is kept
    const k1 = validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi, crds: [crds] });
    expect(validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi, crds: [crds] })).toBe(k1);
    // The same size and modification time, other bytes: only the change time tells.
    const file = path.join(crds, fs.readdirSync(crds).sort()[0]);
    const size = fs.statSync(file).size;
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace(/[a-z]/, (c) => (c === 'a' ? 'b' : 'a')));
    fs.utimesSync(file, old, old);
    expect(fs.statSync(file).size).toBe(size);
    expect(fs.statSync(file).mtimeMs).toBe(old.getTime());
    await new Promise((r) => setTimeout(r, 1100)); // settled again: its times alone must tell
    const k2 = validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi, crds: [crds] });
    expect(k2).not.toBe(k1);
    fs.writeFileSync(file, text);
    fs.utimesSync(file, old, old);
    expect(validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi, crds: [crds] })).toBe(k1);
  });

  test('a file changed within a second of the key is not trusted by its times (racy): its signature is none until it settles', () => {
    const f = path.join(tmpDir(), 'crd.yaml');
    fs.writeFileSync(f, 'kind: CustomResourceDefinition\n');
    const changed = fs.statSync(f, { bigint: true }).ctimeNs;
    expect(settledSignature([f], changed + 999_000_000n)).toBeUndefined();
    expect(settledSignature([f], changed + 1_000_000_000n)).toContain(path.resolve(f));
    expect(settledSignature([f, path.join(tmpDir(), 'missing.yaml')], changed + 2_000_000_000n)).toBeUndefined();
  });

  test('a schema source that is a device or a FIFO is never read for the key (the loader refuses it); the key matches no cache', () => {
    const fifo = path.join(tmpDir(), 'crds.yaml');
    execFileSync('mkfifo', [fifo]);
    const z1 = validationCacheKey({ k8sOpenApi: '/dev/zero' });
    expect(validationCacheKey({ k8sOpenApi: '/dev/zero' })).not.toBe(z1);
    expect(validationCacheKey({ k8sOpenApi: schemas.k8sOpenApi, crds: [fifo] })).toMatch(/^uncachable /);
    expect(validationCacheKey({ k8sOpenApi: path.join(tmpDir(), 'missing.json') })).toMatch(/^uncachable /);
  });

  test('a cache file that is not a regular file is an empty cache, not read', () => {
    const dir = path.join(tmpDir(), 'cache');
    fs.mkdirSync(dir);
    fs.symlinkSync('/dev/zero', path.join(dir, 'validation.json'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'render.json'));
    expect(openValidationCache(dir, key).size).toBe(0);
    expect(BodyStore.open(dir, key).size).toBe(0);
  });

  test('a corrupt cache file is an empty cache', () => {
    const dir = cacheWith(key, ['x']);
    fs.writeFileSync(path.join(dir, 'validation.json'), '{ not json');
    expect(openValidationCache(dir, key).size).toBe(0);
  });

  test('synthToDir with a cache: the re-synth after one device changed writes only its files and gives the same files as without a cache', () => {
    const root = tmpDir();
    const out = path.join(root, 'dist');
    const cache = path.join(root, '.edgewatt.cache', 'dist');
    const stack = benchStack(300) as { fleet: { devices: Array<{ name: string }> } };
    synthToDir(stack as never, out, { validation: { schemas }, validationCache: cache });
    expect(openValidationCache(cache, key).size).toBeGreaterThan(300);
    stack.fleet.devices[7].name = 'dev-renamed';
    const r = synthToDir(stack as never, out, { validation: { schemas }, validationCache: cache });
    const plain = synthesize(stack as never, { outLabel: out, validation: { schemas } });
    expect(new Map(r.files)).toEqual(plain.files); // synthToDir reads its files back from disk (WrittenFiles)
    expect(r.write.missing.filter((f) => f.endsWith('.yaml')).every((f) => f.includes('dev-renamed'))).toBe(true);
    expect(r.write.stale.filter((f) => f.endsWith('.yaml')).every((f) => f.includes('dev-00007'))).toBe(true);
    expect(r.write.missing.length + r.write.changed.length).toBeLessThan(10);
  });
});

describe('render cache and object digests', () => {
  test('objects that JSON would blur (-0 and 0, NaN and null, undefined and null items, a Date and its ISO text) get different digests', () => {
    const d = new Date('2026-01-01T00:00:00Z');
    const pairs: Array<[unknown, unknown]> = [
      [{ a: -0 }, { a: 0 }],
      [{ a: NaN }, { a: null }],
      [{ a: [undefined] }, { a: [null] }],
      [{ a: d }, { a: d.toISOString() }],
    ];
    for (const [x, y] of pairs) expect(objectDigest(x as object)).not.toBe(objectDigest(y as object));
    expect(objectDigest({ a: 1, b: [1, 'x'] })).toBe(objectDigest({ a: 1, b: [1, 'x'] }));
  });

  test('a cached body is used for an object with the same digest, under the same key only', () => {
    const dir = path.join(tmpDir(), 'cache');
    const o = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    const body = (store: BodyStore, x: object) => store.render([x]).bodies[0];
    const first = BodyStore.open(dir, 'k1');
    expect(body(first, o)).toBe(yamlBody(o));
    first.commit();
    // Forge the stored body: the next run under k1 must take it (so the cache is really read) ...
    const file = path.join(dir, 'render.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('name: x', 'name: forged'));
    expect(body(BodyStore.open(dir, 'k1'), { ...o, metadata: { name: 'x' } })).toContain('name: forged');
    // ... and another key (other code, other yaml version, other schemas) never does.
    expect(body(BodyStore.open(dir, 'k2'), o)).toBe(yamlBody(o));
    expect(body(BodyStore.open(dir, 'k1'), { ...o, metadata: { name: 'y' } })).toBe(yamlBody({ ...o, metadata: { name: 'y' } }));
  });

  describe('a large render.json is listed first, and its bodies read only when the objects asked for are in it', () => {
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    const body = (store: BodyStore, x: object) => store.render([x]).bodies[0];
    /** A render.json of 800 objects, the body of `cm-0` forged (so its use shows the bodies were read). */
    function forgedCache(): { dir: string; file: string; before: string } {
      const dir = path.join(tmpDir(), 'cache');
      const first = BodyStore.open(dir, 'k');
      for (let i = 0; i < 800; i++) body(first, cm(`cm-${i}`));
      first.commit();
      const file = path.join(dir, 'render.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('name: cm-0\\n', 'name: forged\\n'));
      expect(fs.readFileSync(file, 'utf8')).toContain('name: forged');
      return { dir, file, before: fs.readFileSync(file, 'utf8') };
    }
    // sampleFromBytes 0: every render.json counts as large here.
    const open = (dir: string) => BodyStore.open(dir, 'k', { sampleFromBytes: 0 });

    test('objects that are in it: half of the first 512 asked for, and its bodies are read then, not before (the forged body is used)', () => {
      const { dir } = forgedCache();
      const store = open(dir);
      for (let i = 1; i < 512; i++) body(store, i % 2 === 0 ? cm(`other-${i}`) : cm(`cm-${i}`));
      // 256 of the first 511 are in it: undecided, the bodies are not read yet.
      expect(store.cachedBody(objectDigest(cm('cm-0')))).toBeUndefined();
      // The 512th is not: exactly half, enough.
      body(store, cm('other-600'));
      expect(body(store, cm('cm-0'))).toContain('name: forged');
    });

    test('objects that are not: after 512 misses it is given up, and this run\'s bodies replace it on commit', () => {
      const { dir, file } = forgedCache();
      const store = open(dir);
      for (let i = 0; i < 512; i++) body(store, cm(`other-${i}`));
      expect(body(store, cm('cm-0'))).toBe(yamlBody(cm('cm-0')));
      store.commit();
      const after = fs.readFileSync(file, 'utf8');
      expect(after).not.toContain('forged');
      expect(after).toContain('name: other-511');
    });

    test('fewer than half of the first 512 asked (the first 64 of them, the objects a renamed stack did not change): given up then, not read later when more are asked', () => {
      const { dir, file } = forgedCache();
      const store = open(dir);
      for (let i = 0; i < 512; i++) body(store, i < 64 ? cm(`cm-${1 + i}`) : cm(`other-${i}`));
      // Decided at the 512th: the many more that are in it do not make it read now.
      for (let i = 100; i < 400; i++) body(store, cm(`cm-${i}`));
      expect(body(store, cm('cm-0'))).toBe(yamlBody(cm('cm-0')));
      store.commit();
      expect(fs.readFileSync(file, 'utf8')).not.toContain('forged');
    });

    test('bodies the main thread rendered for the worker (adopt) count as asked: 512 of them not in it, and it is given up', () => {
      const { dir, file } = forgedCache();
      const store = open(dir);
      const others = Array.from({ length: 512 }, (_, i) => cm(`other-${i}`));
      store.adopt(others.map(objectDigest), others.map(yamlBody));
      expect(body(store, cm('cm-0'))).toBe(yamlBody(cm('cm-0')));
      store.commit();
      expect(fs.readFileSync(file, 'utf8')).not.toContain('forged');
    });

    test('undecided, however many of the bodies asked for are in it (20 of 20): not read, and render.json stays as it was', () => {
      const { dir, file, before } = forgedCache();
      const store = open(dir);
      for (let i = 1; i <= 20; i++) body(store, cm(`cm-${i}`));
      expect(body(store, cm('cm-0'))).toBe(yamlBody(cm('cm-0')));
      store.commit();
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
    });

    test('undecided (a few misses): render.json stays as it was', () => {
      const { dir, file, before } = forgedCache();
      const store = open(dir);
      for (let i = 0; i < 20; i++) body(store, cm(`other-${i}`));
      store.commit();
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
    });

    test('by default a small render.json is read whole at once (the forged body is used at the first ask)', () => {
      const { dir } = forgedCache();
      expect(body(BodyStore.open(dir, 'k'), cm('cm-0'))).toContain('name: forged');
    });
  });
});

describe('writeCacheLines', () => {
  test('writes each line and a newline, through many buffer flushes, multi-byte and over-long lines included', () => {
    const file = path.join(tmpDir(), 'cache', 'files.json');
    const lines = ['edgewatt file index 1', ...Array.from({ length: 30_000 }, (_, i) => `digest-${i}\tstamp\tfolder/ünï-€-${i}.yaml`), 'x'.repeat(400_000), '', 'last'];
    writeCacheLines(file, lines);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${lines.join('\n')}\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(1024 * 1024);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['.gitignore', 'files.json']);
    expect(fs.readFileSync(path.join(path.dirname(file), '.gitignore'), 'utf8')).toBe(CACHE_GITIGNORE);
  });

  test('a failed close (a delayed ENOSPC) is reported, the descriptor closed once, the old file kept, no temporary file', () => {
    const dir = path.join(tmpDir(), 'cache');
    const file = path.join(dir, 'files.json');
    writeCacheLines(file, ['old']);
    const nodeFs = require('fs') as typeof fs; // the module object itself, which writeCacheLines' calls go through
    const real = nodeFs.closeSync;
    const close = jest.spyOn(nodeFs, 'closeSync').mockImplementation((fd) => {
      real(fd); // Linux releases the descriptor even when close reports an error
      throw Object.assign(new Error('ENOSPC: no space left on device, close'), { code: 'ENOSPC', syscall: 'close' });
    });
    try {
      expect(() => writeCacheLines(file, ['new'])).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
      expect(close).toHaveBeenCalledTimes(1);
    } finally {
      close.mockRestore();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['.gitignore', 'files.json']);
  });

  test('a failure leaves the old file as it was and no temporary file', () => {
    const dir = path.join(tmpDir(), 'cache');
    const file = path.join(dir, 'files.json');
    writeCacheLines(file, ['old']);
    function* failing(): Generator<string> {
      yield 'new';
      throw new Error('the lines could not be made');
    }
    expect(() => writeCacheLines(file, failing())).toThrow('the lines could not be made');
    expect(fs.readFileSync(file, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['.gitignore', 'files.json']);
  });
});

describe('makeCacheDir', () => {
  test('a folder another writer makes between the check and the mkdir is taken as made; a file in its place is an error', () => {
    const nodeFs = require('fs') as typeof fs; // the module object cache.ts's calls go through
    const realExists = nodeFs.existsSync;
    const root = tmpDir();
    const dir = path.join(root, '.edgewatt.cache', 'dist');
    // The other writer (the render worker saving files.json while this thread saves validation.json, or another
    // process) makes both folders right after this one found them missing.
    const exists = jest.spyOn(nodeFs, 'existsSync').mockImplementation((p) => {
      if (p === dir) {
        nodeFs.mkdirSync(dir, { recursive: true });
        return false;
      }
      return p === path.dirname(dir) ? false : realExists(p);
    });
    try {
      expect(() => makeCacheDir(dir)).not.toThrow();
    } finally {
      exists.mockRestore();
    }
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe(CACHE_GITIGNORE);
    const blocked = path.join(tmpDir(), 'cache');
    fs.writeFileSync(blocked, 'not a folder');
    const missing = jest.spyOn(nodeFs, 'existsSync').mockImplementation((p) => (p === blocked ? false : realExists(p)));
    try {
      expect(() => makeCacheDir(blocked)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    } finally {
      missing.mockRestore();
    }
  });

  test('two threads saving caches into a cache folder that does not exist yet both write (files.json beside validation.json)', () => {
    for (let round = 0; round < 8; round++) {
      const dist = path.join(tmpDir(), 'dist');
      const cache = path.join(path.dirname(dist), '.edgewatt.cache', 'dist');
      synthToDir(benchStack(20), dist, { renderThreshold: 0, validationCache: cache });
      expect(fs.readdirSync(cache).sort()).toEqual(['.gitignore', 'charts.json', 'files.json', 'flows.json', 'render.json', 'validation.json']);
    }
  });
});

describe('removeOrphanCacheTemps', () => {
  test('removes the temporary cache files of gone writers only: live processes\' files, look-alikes, folders and the caches stay', () => {
    const dir = tmpDir();
    const mine = path.basename(cacheTempFile(path.join(dir, 'render.json')));
    // A pid above Linux's pid_max (2^22) runs nowhere; this process's pid on a file older than this process is a
    // killed run's in a container, where every run gets the same pid.
    const orphans = ['render.json.4194305.1.tmp', 'files.json.4194306.1764700000000.tmp', `charts.json.${process.pid}.1.tmp`];
    const kept = ['render.json', 'validation.json', mine, `validation.json.${process.ppid}.2.tmp`, 'render.json.tmp', 'notes.1.tmp.txt'];
    for (const f of [...orphans, ...kept]) fs.writeFileSync(path.join(dir, f), 'x');
    const beforeThisProcess = new Date(Date.now() - process.uptime() * 1000 - 60_000);
    fs.utimesSync(path.join(dir, `charts.json.${process.pid}.1.tmp`), beforeThisProcess, beforeThisProcess);
    fs.mkdirSync(path.join(dir, 'charts.json.4194305.2.tmp'));
    expect(removeOrphanCacheTemps(dir)).toBe(3);
    expect(fs.readdirSync(dir).sort()).toEqual([...kept, 'charts.json.4194305.2.tmp'].sort());
    expect(removeOrphanCacheTemps(path.join(dir, 'missing'))).toBe(0);
  });
});
