import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BodyStore, objectDigest, openBodyRenderer, synthesize, synthToDir, yamlBody } from '../../lib/internal';
import { benchStack } from '../../bench/stacks';
import { KEEP_WORKER_IDLE_MS, stopIdleRenderWorker } from '../../lib/synth/render-pool';
import { COLLECT_FROM_OBJECTS } from '../../lib/synth/collect';

/**
 * The render worker (lib/synth/render-pool.ts, render-worker.ts): the same bytes and digests as rendering on the
 * main thread, the render cache kept only on commit, and the synth's files identical with and without it.
 */
const made: string[] = [];
/** A temporary folder, removed after the file's tests. */
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-render-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** Objects with awkward strings: YAML indicators, multi-line text, unicode, numbers as text, an empty key. */
function objects(n: number): object[] {
  const awkward = ['- a', 'a: b', '#x', "it's", '"q"', 'line1\nline2\n', '  lead', 'trail  ', '0x1F', '1e3', 'yes', 'null', '~', '{{ x }}', 'ünï', '\t', ''];
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, labels: { i: String(i) } },
    data: { v: awkward[i % awkward.length], list: JSON.stringify([i, awkward[(i * 7) % awkward.length]]), '': 'empty key' },
  }));
}

describe('render worker', () => {
  test('a worker renders the same bodies, and gives the same digests, as the main thread', () => {
    const objs = objects(600);
    const r = openBodyRenderer({ threshold: 0, cacheDir: path.join(tmp(), 'cache'), key: 'k' });
    try {
      r.add(objs.slice(0, 250));
      r.add(objs.slice(250));
      expect(r.threaded).toBe(true);
      r.digests();
      // objectDigest's memo was seeded by the worker: compare with a fresh hash of an equal copy.
      for (const o of objs) expect(objectDigest(o)).toBe(objectDigest(JSON.parse(JSON.stringify(o)) as object));
      for (const o of objs) expect(r.body(o)).toBe(yamlBody(o));
    } finally {
      r.abort();
    }
  });

  test('below the threshold nothing is started and the bodies are the same', () => {
    const objs = objects(50);
    const r = openBodyRenderer({ threshold: 1000 });
    r.add(objs);
    expect(r.threaded).toBe(false);
    for (const o of objs) expect(r.body(o)).toBe(yamlBody(o));
    r.commit();
  });

  test('a caller that expects the threshold or more starts the worker when it opens, before any object is added', () => {
    const early = openBodyRenderer({ threshold: 1000, expectedObjects: 1000 });
    const late = openBodyRenderer({ threshold: 1000, expectedObjects: 999 });
    try {
      expect([early.threaded, late.threaded]).toEqual([true, false]);
      const objs = objects(20);
      early.add(objs);
      for (const o of objs) expect(early.body(o)).toBe(yamlBody(o));
    } finally {
      early.abort();
      late.abort();
    }
  });

  test('folders given later (stageInto): only once, only to a renderer opened for them, and before any object', () => {
    const folders = [{ abs: path.join(tmp(), 'out'), label: 'out', staging: path.join(tmp(), 'staging') }];
    const plain = openBodyRenderer({ threshold: 0 });
    const later = openBodyRenderer({ threshold: 0, stagingLater: true, expectedObjects: 1 });
    const added = openBodyRenderer({ threshold: 0, stagingLater: true });
    try {
      expect(() => plain.stageInto({ header: '# h', folders })).toThrow('stagingLater');
      added.add(objects(1));
      expect(() => added.stageInto({ header: '# h', folders })).toThrow('before any object is added');
      later.stageInto({ header: '# h', folders });
      expect(() => later.stageInto({ header: '# h', folders })).toThrow('stagingLater');
    } finally {
      plain.abort();
      later.abort();
      added.abort();
    }
  });

  test("commit's `meanwhile` runs while the worker saves its caches; what it throws is thrown after the worker ended, its cache kept", () => {
    for (const threshold of [0, 1e9]) {
      const dir = path.join(tmp(), 'cache');
      const r = openBodyRenderer({ threshold, cacheDir: dir, key: 'k' });
      const objs = objects(50);
      r.add(objs);
      objs.forEach((o) => r.body(o));
      let ran = 0;
      r.commit(() => ran++);
      expect(ran).toBe(1);
      const failing = openBodyRenderer({ threshold, cacheDir: dir, key: 'k2' });
      failing.add(objs);
      objs.forEach((o) => failing.body(o));
      expect(() => failing.commit(() => {
        throw new Error('the synth cache could not be saved');
      })).toThrow('the synth cache could not be saved');
      // The renderer ended (abort is a no-op now) and its render cache was kept.
      failing.abort();
      expect(BodyStore.open(dir, 'k2').size).toBe(objs.length);
    }
  });

  test('a worker thread the system refuses at the start fails the synth and leaves no lock or staging behind', async () => {
    const root = tmp();
    const dist = path.join(root, 'dist');
    const stack = benchStack(300);
    synthToDir(stack, dist);
    await stopIdleRenderWorker(); // a worker kept by an earlier test would be reused rather than started
    const before = fs.readdirSync(root).sort();
    const threads = require('worker_threads') as typeof import('worker_threads'); // the module object render-pool's calls go through
    const refuse = jest.spyOn(threads, 'Worker').mockImplementation(() => {
      throw Object.assign(new Error('Worker initialization failure: EAGAIN'), { code: 'ERR_WORKER_INIT_FAILED' });
    });
    try {
      // renderThreshold 0: the stack is expected past it, so the worker starts when the renderer opens.
      expect(() => synthToDir(stack, dist, { renderThreshold: 0 })).toThrow('Worker initialization failure');
    } finally {
      refuse.mockRestore();
    }
    expect(fs.readdirSync(root).sort()).toEqual(before); // no .edgewatt-lock, journal or staging folder
    expect(synthToDir(stack, dist).write.changed).toEqual([]); // the lock was released
  });

  test('the worker keeps its bodies as the render cache on commit, and leaves render.json alone on abort', () => {
    const dir = path.join(tmp(), 'cache');
    const objs = objects(300);
    const first = openBodyRenderer({ threshold: 0, cacheDir: dir, key: 'k' });
    first.add(objs);
    objs.forEach((o) => first.body(o));
    first.commit();
    const file = path.join(dir, 'render.json');
    const saved = fs.readFileSync(file, 'utf8');
    expect(BodyStore.open(dir, 'k').size).toBe(300);
    // Forge one stored body: a threaded renderer under the same key must serve it (the worker really reads the cache).
    const forged = saved.replace('name: cm-7\\n', 'name: forged\\n'); // bodies are JSON strings in the file
    expect(forged).not.toBe(saved);
    fs.writeFileSync(file, forged);
    const second = openBodyRenderer({ threshold: 0, cacheDir: dir, key: 'k' });
    const copy = JSON.parse(JSON.stringify(objs[7])) as object;
    second.add([copy]);
    expect(second.body(copy)).toContain('name: forged');
    second.abort();
    expect(fs.readFileSync(file, 'utf8')).toBe(forged);
    expect(fs.readdirSync(dir).sort()).toEqual(['.gitignore', 'render.json']); // no temporary file left behind
  });

  describe('a worker kept for the next renderer', () => {
    /** Counts the workers started (each a real one). */
    async function spyWorkers(): Promise<jest.SpyInstance> {
      await stopIdleRenderWorker(); // a worker kept by an earlier test would be reused rather than started
      const threads = require('worker_threads') as typeof import('worker_threads'); // the module object render-pool's calls go through
      const Real = threads.Worker;
      return jest.spyOn(threads, 'Worker').mockImplementation((file, options) => new Real(file, options));
    }
    /** A session past the 20,000 objects after which a worker used to be stopped rather than kept, and large enough for the worker to collect after it (COLLECT_FROM_OBJECTS). */
    const LARGE_SESSION_OBJECTS = COLLECT_FROM_OBJECTS;
    /** How much more of its heap an idle worker may hold after a large session than after a small one. */
    const IDLE_WORKER_MAX_GROWTH_BYTES = Number(process.env.IDLEMAX ?? 4 * 2 ** 20);
    /** The worker's used heap bytes (a ping with `heap`, render-protocol.ts PingWorker), waited for at most 5 s. */
    const usedHeapOf = (worker: import('worker_threads').Worker): number => {
      const signal = new SharedArrayBuffer(4);
      const heap = new SharedArrayBuffer(8);
      worker.postMessage({ type: 'ping', signal, heap });
      expect(Atomics.wait(new Int32Array(signal), 0, 0, 5000)).not.toBe('timed-out');
      return new Float64Array(heap)[0];
    };
    /** The worker's used heap once it holds still (the same within 64 KiB twice 100 ms apart; at most 10 s). */
    const settledHeapOf = async (worker: import('worker_threads').Worker): Promise<number> => {
      let last = usedHeapOf(worker);
      for (const end = Date.now() + 10_000; Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 100));
        const now = usedHeapOf(worker);
        if (Math.abs(now - last) < 64 * 1024) return now;
        last = now;
      }
      return last;
    };
    const renderAll = (r: ReturnType<typeof openBodyRenderer>, objs: object[]): void => {
      r.add(objs);
      for (const o of objs) expect(r.body(o)).toBe(yamlBody(o));
    };

    test('a worker whose renderer committed serves the next renderer; one that aborted is stopped', async () => {
      const started = await spyWorkers();
      try {
        const objs = objects(300);
        const first = openBodyRenderer({ threshold: 0, cacheDir: path.join(tmp(), 'cache'), key: 'k' });
        renderAll(first, objs);
        first.commit();
        const second = openBodyRenderer({ threshold: 0 });
        expect(second.threaded).toBe(true);
        renderAll(second, objects(20));
        second.abort();
        expect(started).toHaveBeenCalledTimes(1); // the second renderer had the first one's worker
        const third = openBodyRenderer({ threshold: 0 });
        renderAll(third, objects(5));
        third.commit();
        expect(started).toHaveBeenCalledTimes(2); // the aborted one's worker was stopped, not kept
      } finally {
        started.mockRestore();
      }
    });

    test('it keeps nothing of its last session: not its render cache, not its folders or file index', async () => {
      const started = await spyWorkers();
      try {
        // A render cache with one forged body, read by a session of the worker that is then kept.
        const objs = objects(300);
        const forgedDir = path.join(tmp(), 'cache');
        const seed = openBodyRenderer({ threshold: 1e9, cacheDir: forgedDir, key: 'k' });
        renderAll(seed, objs);
        seed.commit();
        const file = path.join(forgedDir, 'render.json');
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('name: cm-7\\n', 'name: forged\\n'));
        const copy = (): object => JSON.parse(JSON.stringify(objs[7])) as object;
        const reads = openBodyRenderer({ threshold: 0, cacheDir: forgedDir, key: 'k' });
        const c1 = copy();
        reads.add([c1]);
        expect(reads.body(c1)).toContain('name: forged'); // this session's cache has it
        reads.commit();
        // The kept worker, under another cache folder and the same key: the object's own body.
        const other = openBodyRenderer({ threshold: 0, cacheDir: path.join(tmp(), 'cache'), key: 'k' });
        const c2 = copy();
        other.add([c2]);
        expect(other.body(c2)).toBe(yamlBody(c2));
        other.commit();
        // Two synths through the kept worker into two folders, each with its caches: each folder holds its own stack.
        const root = tmp();
        const a = benchStack(300);
        const b = { ...benchStack(300), name: 'bench-b' };
        const synthInto = (stack: typeof a, dir: string) => synthToDir(stack, path.join(root, dir, 'dist'), { renderThreshold: 0, validationCache: path.join(root, dir, 'cache') });
        synthInto(a, 'a');
        const indexA = fs.readFileSync(path.join(root, 'a', 'cache', 'files.json'), 'utf8');
        const written = synthInto(b, 'b');
        expect(started).toHaveBeenCalledTimes(1); // every renderer above had the same worker
        const expected = synthesize(b, { renderThreshold: 1e9 }).files;
        expect([...written.files.keys()]).toEqual([...expected.keys()]);
        expect([...written.files].filter(([p, text]) => expected.get(p) !== text).map(([p]) => p)).toEqual([]);
        expect(fs.readFileSync(path.join(root, 'a', 'cache', 'files.json'), 'utf8')).toBe(indexA);
        expect(fs.readFileSync(path.join(root, 'b', 'cache', 'files.json'), 'utf8')).toContain('bench-b');
      } finally {
        started.mockRestore();
      }
    });

    test('a worker is kept after a session of any size, and once idle it holds little of it', async () => {
      const started = await spyWorkers();
      try {
        // What the worker holds idle after a small session (its modules, the serializer, compiled code), then a large one.
        const small = openBodyRenderer({ threshold: 0 });
        renderAll(small, objects(50));
        small.commit();
        const worker = started.mock.results[0].value as import('worker_threads').Worker;
        const idle = await settledHeapOf(worker);
        const large = openBodyRenderer({ threshold: 0 });
        renderAll(large, objects(LARGE_SESSION_OBJECTS));
        large.commit();
        expect(started).toHaveBeenCalledTimes(1); // kept
        const afterLarge = await settledHeapOf(worker);
        expect(afterLarge - idle).toBeLessThan(IDLE_WORKER_MAX_GROWTH_BYTES);
        const next = openBodyRenderer({ threshold: 0 });
        renderAll(next, objects(5));
        next.commit();
        expect(started).toHaveBeenCalledTimes(1); // kept
      } finally {
        started.mockRestore();
      }
    });

    test(`a kept worker idle for ${KEEP_WORKER_IDLE_MS / 1000} s is stopped`, async () => {
      const started = await spyWorkers();
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      try {
        const first = openBodyRenderer({ threshold: 0 });
        renderAll(first, objects(5));
        first.commit();
        jest.advanceTimersByTime(KEEP_WORKER_IDLE_MS - 1);
        const second = openBodyRenderer({ threshold: 0 });
        renderAll(second, objects(5));
        second.commit();
        expect(started).toHaveBeenCalledTimes(1); // taken before its time ran out
        jest.advanceTimersByTime(KEEP_WORKER_IDLE_MS);
        const third = openBodyRenderer({ threshold: 0 });
        expect(started).toHaveBeenCalledTimes(2);
        third.abort();
      } finally {
        jest.useRealTimers();
        started.mockRestore();
      }
    });

    test('a worker the pool stopped (its session aborted) reports a late error only as a warning', async () => {
      const started = await spyWorkers();
      const warned = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        const aborted = openBodyRenderer({ threshold: 0 });
        renderAll(aborted, objects(5));
        aborted.abort();
        const failed = openBodyRenderer({ threshold: 0 });
        renderAll(failed, objects(5));
        failed.abort();
        expect(started).toHaveBeenCalledTimes(2);
        for (const [i, result] of started.mock.results.entries()) {
          const worker = result.value as import('worker_threads').Worker;
          // Before, the listener rethrew it: an uncaught exception from a worker nobody uses any more.
          expect(() => worker.emit('error', new Error(`late ${i}`))).not.toThrow();
          expect(warned).toHaveBeenLastCalledWith(expect.stringContaining(`late ${i}`));
        }
      } finally {
        warned.mockRestore();
        started.mockRestore();
      }
    });

    test('a kept worker that died while idle is not handed out: the next renderer starts another', async () => {
      const started = await spyWorkers();
      try {
        const first = openBodyRenderer({ threshold: 0 });
        renderAll(first, objects(5));
        first.commit();
        expect(started).toHaveBeenCalledTimes(1);
        // The kept worker dies, and this thread does not turn its event loop before the next renderer opens (two
        // synchronous synths): Node has not yet told this thread of the exit, so the worker still looks alive.
        const kept = started.mock.results[0].value as import('worker_threads').Worker;
        void kept.terminate();
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
        expect(kept.threadId).toBeGreaterThanOrEqual(0);
        // Before, its session message was lost and the renderer waited for timeoutMs; now it gets a new worker.
        const second = openBodyRenderer({ threshold: 0, timeoutMs: 5000 });
        renderAll(second, objects(5));
        second.commit();
        expect(started).toHaveBeenCalledTimes(2);
      } finally {
        started.mockRestore();
      }
    });
  });

  test('with warm caches a batch goes to the worker without its objects, which it asks for only to render one', () => {
    const root = tmp();
    const dist = path.join(root, 'dist');
    const stack = benchStack(300) as ReturnType<typeof benchStack> & { fleet: { devices: Array<{ name: string }> } };
    const synth = () => synthToDir(stack, dist, { renderThreshold: 0, validationCache: path.join(root, 'cache') });
    // The batches this thread serializes for the worker (arrays of objects; v8.serialize is also used elsewhere).
    const nodeV8 = require('v8') as typeof import('v8'); // the module object render-pool's calls go through
    const real = nodeV8.serialize;
    let shipped: unknown[][] = [];
    const spy = jest.spyOn(nodeV8, 'serialize').mockImplementation((value: unknown) => {
      if (Array.isArray(value)) shipped.push(value as unknown[]);
      return real(value);
    });
    try {
      synth(); // cold: every batch goes with its objects
      const batches = shipped.length;
      expect(batches).toBeGreaterThan(10);
      shipped = [];
      stack.fleet.devices[7].name += '-renamed';
      const r = synth();
      expect(r.write.missing.length + r.write.changed.length).toBe(1);
      // Warm: only the fleet's batch (the renamed device's new request) is asked for; a device request goes as its
      // body, put together from the requests' template on this thread (render-pool.ts packObjects).
      expect(shipped.length).toBe(1);
      expect(shipped[0].some((o) => typeof o === 'string' && o.includes(`\n  name: ${stack.fleet.devices[7].name}\n`))).toBe(true);
      const files = Object.fromEntries(synthesize(stack).files);
      for (const [rel, text] of Object.entries(files)) expect([rel, fs.readFileSync(path.join(dist, rel), 'utf8')]).toEqual([rel, text]);
      shipped = [];
      expect(synth().write.missing.length).toBe(0);
      expect(shipped.length).toBe(0); // nothing to render: no objects sent at all
    } finally {
      spy.mockRestore();
    }
  });

  describe('warm caches, the other paths of batches sent without their objects', () => {
    const setup = () => {
      const root = tmp();
      const dist = path.join(root, 'dist');
      const cache = path.join(root, 'cache');
      const stack = benchStack(300) as ReturnType<typeof benchStack> & { name: string; fleet: { devices: Array<{ name: string }> } };
      const synth = (options: Record<string, unknown> = {}) => synthToDir(stack, dist, { renderThreshold: 0, validationCache: cache, ...options });
      const nodeV8 = require('v8') as typeof import('v8');
      const real = nodeV8.serialize;
      const shipped: unknown[][] = [];
      const spy = jest.spyOn(nodeV8, 'serialize').mockImplementation((value: unknown) => {
        if (Array.isArray(value)) shipped.push(value as unknown[]);
        return real(value);
      });
      const same = () => {
        const files = Object.fromEntries(synthesize(stack).files);
        const differing = Object.entries(files).filter(([rel, text]) => fs.readFileSync(path.join(dist, rel), 'utf8') !== text);
        expect(differing.map(([rel]) => rel)).toEqual([]);
        expect(fs.readdirSync(dist, { recursive: true }).filter((f) => String(f).endsWith('.yaml')).length).toBe(Object.keys(files).filter((f) => f.endsWith('.yaml')).length);
      };
      return { root, dist, cache, stack, synth, shipped, spy, same };
    };
    let t: ReturnType<typeof setup>;
    beforeEach(() => {
      t = setup();
      t.synth(); // the warm caches every case starts from
    });
    afterEach(() => t.spy.mockRestore());

    test('no file index but the render cache: every body comes from render.json but the device requests\', which are sent as bodies', () => {
      fs.rmSync(path.join(t.cache, 'files.json'));
      // render.json keeps no device request: its body is put together from a template, quicker than read back.
      const renderJson = fs.readFileSync(path.join(t.cache, 'render.json'), 'utf8');
      expect(renderJson).toContain('kind: EdgeDeviceSet\\n');
      expect(renderJson).not.toContain('kind: EdgeDeviceSignedRequest');
      t.shipped.length = 0;
      const r = t.synth();
      expect(r.write.missing.length + r.write.changed.length + r.write.stale.length).toBe(0);
      // Only the batch that holds the 300 requests is asked for, each request in it as its body.
      expect(t.shipped.length).toBe(1);
      expect(t.shipped[0].filter((o) => typeof o === 'string' && o.includes('kind: EdgeDeviceSignedRequest\n')).length).toBe(300);
      t.same();
    });

    test('most objects changed: many batches wait for their objects at once, then the rest go with them; same files', () => {
      t.stack.name = 'bench-renamed'; // every object's labels, and every file's header
      t.shipped.length = 0;
      const r = t.synth();
      expect(r.write.changed.length).toBeGreaterThan(300);
      expect(t.shipped.length).toBeGreaterThan(8); // the first asked for, then the rest sent with their objects
      t.same();
    });

    test('a gate that fails while batches wait for their objects: the synth fails at once and the folder is as it was', () => {
      const before = fs.readdirSync(t.dist, { recursive: true }).map(String).sort();
      const text = (rel: string) => fs.readFileSync(path.join(t.dist, rel), 'utf8');
      const sample = before.filter((f) => f.endsWith('.yaml')).slice(0, 20).map((f) => [f, text(f)]);
      t.stack.fleet.devices.forEach((d) => (d.name += '-y'));
      expect(() => t.synth({ checks: [() => [{ path: 'stack', message: 'refused by a test check' }]] })).toThrow(/refused by a test check/);
      expect(fs.readdirSync(t.dist, { recursive: true }).map(String).sort()).toEqual(before);
      for (const [f, content] of sample) expect(text(f)).toBe(content);
    });
  });

  test('a synth of 2,000+ objects through the worker gives the same files as one rendered on the main thread', () => {
    const stack = benchStack(1500);
    const worker = openBodyRenderer({ threshold: 0 });
    const threaded = synthesize(stack, { renderer: worker });
    expect(worker.threaded).toBe(true);
    worker.commit();
    const here = openBodyRenderer({ threshold: Number.MAX_SAFE_INTEGER });
    const plain = synthesize(stack, { renderer: here });
    expect(here.threaded).toBe(false);
    here.commit();
    expect(threaded.files.size).toBeGreaterThan(2000);
    expect([...threaded.files.keys()]).toEqual([...plain.files.keys()]);
    const differing = [...threaded.files].filter(([p, text]) => plain.files.get(p) !== text).map(([p]) => p);
    expect(differing).toEqual([]);
  });
});
