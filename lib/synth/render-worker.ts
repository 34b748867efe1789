/**
 * The render worker (a worker thread started by render-pool.ts for large stacks): receives batches of final
 * objects while the main thread goes on building and validating, and sends back, per batch, first the objects'
 * content digests (the validation cache needs them before it can skip anything) and then their YAML bodies,
 * rendered by the same BodyStore as the main thread uses. Asked to, it also stages the output folders
 * (FolderStager) as the bodies are rendered, so the files are on disk by the time the gates have passed. Every
 * message it posts is followed by a notify on the shared counter, so the main thread can wait for it
 * synchronously (Atomics.wait + receiveMessageOnPort).
 */
import { MessagePort, workerData } from 'worker_threads';
import { SpecError } from '../core/errors';
import { objectDigest } from '../validate/cache';
import { BodyStore } from './body-store';
import { FromWorker, RenderWorkerData, StageFolder, ToWorker } from './render-protocol';
import { FolderStager } from './stager';

const { port, signal, cacheDir, key, retain } = workerData as RenderWorkerData & { port: MessagePort };
const counter = new Int32Array(signal);

function post(m: FromWorker): void {
  port.postMessage(m);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}

const batches: Array<{ id: number; first: number; objects: object[]; digests?: string[] }> = [];
let received = 0;
let digested = 0;
let rendered = 0;
let ending: 'commit' | 'abort' | undefined;
let scheduled = false;
let store: BodyStore | undefined;

/** Staging: the folders' stagers, the files still waiting for a body (by object index), and bodies kept until asked for. */
let stage: { header: string; stagers: FolderStager[]; waiting: Map<number, Array<[number, string]>>; left: number } | undefined;
const kept = new Map<number, string>();

function startStaging(header: string, folders: ReadonlyArray<StageFolder>): void {
  const stagers = folders.map((f) => new FolderStager(f.abs, f.label, f.staging));
  stage = { header, stagers, waiting: new Map(), left: 0 };
  folders.forEach((f, i) => {
    for (const [rel, content] of f.files) {
      if (typeof content === 'string') stagers[i].put(rel, content);
      else if (kept.has(content)) stagers[i].put(rel, `${header}\n${kept.get(content)}`);
      else {
        const list = stage!.waiting.get(content) ?? [];
        list.push([i, rel]);
        stage!.waiting.set(content, list);
        stage!.left++;
      }
    }
  });
  kept.clear();
  finishStaging();
}

function stageBody(index: number, body: string): void {
  if (!stage) {
    if (retain) kept.set(index, body);
    return;
  }
  const list = stage.waiting.get(index);
  if (!list) return;
  stage.waiting.delete(index);
  for (const [i, rel] of list) stage.stagers[i].put(rel, `${stage.header}\n${body}`);
  stage.left -= list.length;
  finishStaging();
}

function finishStaging(): void {
  if (!stage || stage.left > 0 || stage.stagers.length === 0) return;
  const results = stage.stagers.map((s) => s.finish());
  stage.stagers = [];
  post({ type: 'staged', results });
}

/** One unit of work: the digests of the oldest batch without them (first), else the bodies of the oldest batch. */
function step(): void {
  scheduled = false;
  try {
    if (ending === 'abort') return end();
    store ??= BodyStore.open(cacheDir, key);
    if (store.cached && digested < batches.length) {
      const b = batches[digested++];
      b.digests = b.objects.map(objectDigest);
      post({ type: 'digests', id: b.id, digests: b.digests });
    } else if (rendered < batches.length) {
      const b = batches[rendered];
      batches[rendered++] = { id: b.id, first: b.first, objects: [] }; // the objects are no longer needed here
      const { bodies } = store.render(b.objects, b.digests);
      post({ type: 'bodies', id: b.id, bodies });
      bodies.forEach((body, i) => stageBody(b.first + i, body));
    } else if (stage && stage.left > 0) {
      throw new Error(`${stage.left} files wait for objects that were never sent`);
    } else if (ending) {
      return end();
    }
  } catch (e) {
    if (e instanceof SpecError) post({ type: 'stage-error', heading: e.heading, problems: [...e.problems] });
    else post({ type: 'error', message: (e as Error).stack ?? String(e) });
    port.close();
    return;
  }
  schedule();
}

function end(): void {
  if (ending === 'commit') store?.commit();
  else store?.abort();
  post({ type: 'ended' });
  port.close();
}

function schedule(): void {
  if (scheduled) return;
  if (rendered >= batches.length && !ending) return; // idle until the next message
  scheduled = true;
  setImmediate(step);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'batch') {
    batches.push({ id: m.id, first: received, objects: m.objects });
    received += m.objects.length;
  } else if (m.type === 'stage') {
    try {
      startStaging(m.header, m.folders);
    } catch (e) {
      if (e instanceof SpecError) post({ type: 'stage-error', heading: e.heading, problems: [...e.problems] });
      else post({ type: 'error', message: (e as Error).stack ?? String(e) });
      port.close();
      return;
    }
  } else ending = m.type;
  schedule();
});
