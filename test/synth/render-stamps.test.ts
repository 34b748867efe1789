/**
 * Batches the main thread claims while it waits for the render worker (warm caches) go to the worker with the stamps
 * the main thread took of their files (lib/synth/render-pool.ts stampFor, render-worker.ts 'stamps'): the worker
 * stages them with those stamps, and trusts a file only when its stamp is the one the file index recorded.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { MessageChannel, Worker } from 'worker_threads';
import { benchStack } from '../../bench/stacks';
import { objectDigest } from '../../lib/core/object-digest';
import { stampOf } from '../../lib/synth/file-index';
import { placeObjects } from '../../lib/synth/layout';
import { FromWorker, StartSession, ToWorker } from '../../lib/synth/render-protocol';
import { yamlHeader } from '../../lib/synth/serialize';
import { StageResult } from '../../lib/synth/stager';
import { synthesize, synthToDir } from '../../lib/synth/synthesize';
import { validationCacheKey } from '../../lib/validate/cache';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-stamps-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('a batch the main thread claimed is staged with its stamps: one that is not the recorded stamp is never trusted', async () => {
  const dist = path.join(root, 'dist');
  const cache = path.join(root, 'cache');
  const stack = benchStack(20);
  synthToDir(stack, dist, { renderThreshold: 0, validationCache: cache }); // the file index (files.json) of every file
  fs.rmSync(path.join(cache, 'render.json')); // so every file the worker does not trust needs its object ('need')
  const placed = placeObjects(synthesize(stack).manifests);
  expect(placed.length).toBeGreaterThan(20);
  const [edited, removed, forged] = [1, 2, 3];
  fs.appendFileSync(path.join(dist, placed[edited].path), '# edited by hand\n');
  fs.rmSync(path.join(dist, placed[removed].path));

  // One batch per file, every one claimed by "the main thread" (2) before the worker sees it: it stages none itself.
  const worker = new Worker(path.resolve(__dirname, '..', '..', 'build', 'lib', 'synth', 'render-worker.js'));
  const { port1, port2 } = new MessageChannel();
  const claims = new Int32Array(new SharedArrayBuffer(4 * placed.length)).fill(2);
  const session: StartSession = {
    type: 'session',
    data: {
      signal: new SharedArrayBuffer(4),
      claims: claims.buffer as SharedArrayBuffer,
      cacheDir: cache,
      key: validationCacheKey(undefined),
      staging: { header: yamlHeader(stack.name), folders: [{ abs: dist, label: 'dist', staging: path.join(root, 'staging') }] },
      port: port2,
    },
  };
  const post = (m: ToWorker) => port1.postMessage(m);
  const needs: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  const staged = new Promise<StageResult[]>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the worker staged nothing in 20 s')), 20_000);
    port1.on('message', (m: FromWorker) => {
      if (m.type === 'need') {
        needs.push(m.id);
        const data = v8.serialize([placed[m.id].object]);
        post({ type: 'objects', id: m.id, data });
      } else if (m.type === 'staged') resolve(m.results);
      else if (m.type === 'error' || m.type === 'stage-error') reject(new Error(JSON.stringify(m)));
    });
  });
  try {
    worker.postMessage(session, [port2]);
    placed.forEach((p, id) => post({ type: 'batch', id, files: [[0, p.path]], digests: [objectDigest(p.object)] }));
    // The stamps come after the worker has passed the batches (skipping them: claimed), as they do when the main thread
    // stamps a batch while the worker gets there: it keeps each batch's digests for them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The stamps as the main thread takes them (after the edits), but a forged one for a file nobody changed.
    placed.forEach((p, id) => post({ type: 'stamps', id, stamps: [id === forged ? '1:2:3:4:5' : (stampOf(path.join(dist, p.path)) ?? null)] }));
    post({ type: 'files-end', texts: [] });
    const [result] = await staged;
    // The forged stamp is not the recorded one: the worker asked for that object too, where a stamp of its own would
    // have found the file unchanged without it.
    expect(needs.sort((a, b) => a - b)).toEqual([edited, removed, forged]);
    expect(result.changed).toEqual([placed[edited].path]);
    expect(result.missing).toEqual([placed[removed].path]);
    expect(result.unchanged).toBe(placed.length - 2);
  } finally {
    clearTimeout(timer);
    post({ type: 'abort' });
    port1.close();
    await worker.terminate();
  }
});
