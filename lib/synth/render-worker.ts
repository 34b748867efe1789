/**
 * The render worker (a worker thread started by render-pool.ts for large stacks): receives batches of final
 * objects while the main thread goes on building and validating, and sends back, per batch, first the objects'
 * content digests (the validation cache needs them before it can skip anything) and then their YAML bodies,
 * rendered by the same BodyStore as the main thread uses. Every message it posts is followed by a notify on the
 * shared counter, so the main thread can wait for it synchronously (Atomics.wait + receiveMessageOnPort).
 */
import { MessagePort, workerData } from 'worker_threads';
import { objectDigest } from '../validate/cache';
import { BodyStore } from './body-store';
import { FromWorker, RenderWorkerData, ToWorker } from './render-protocol';

const { port, signal, cacheDir, key } = workerData as RenderWorkerData & { port: MessagePort };
const counter = new Int32Array(signal);

function post(m: FromWorker): void {
  port.postMessage(m);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}

const batches: Array<{ id: number; objects: object[]; digests?: string[] }> = [];
let digested = 0;
let rendered = 0;
let ending: 'commit' | 'abort' | undefined;
let scheduled = false;
let store: BodyStore | undefined;

/** One unit of work: the digests of the oldest batch without them (first), else the bodies of the oldest batch. */
function step(): void {
  scheduled = false;
  try {
    store ??= BodyStore.open(cacheDir, key);
    if (store.cached && digested < batches.length) {
      const b = batches[digested++];
      b.digests = b.objects.map(objectDigest);
      post({ type: 'digests', id: b.id, digests: b.digests });
    } else if (rendered < batches.length) {
      const b = batches[rendered];
      batches[rendered++] = { id: b.id, objects: [] }; // the objects are no longer needed here
      post({ type: 'bodies', id: b.id, bodies: store.render(b.objects, b.digests).bodies });
    } else if (ending) {
      if (ending === 'commit') store.commit();
      else store.abort();
      post({ type: 'ended' });
      port.close();
      return;
    }
  } catch (e) {
    post({ type: 'error', message: (e as Error).stack ?? String(e) });
    port.close();
    return;
  }
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  if (rendered >= batches.length && !ending) return; // idle until the next message
  scheduled = true;
  setImmediate(step);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'batch') batches.push({ id: m.id, objects: m.objects });
  else ending = m.type;
  schedule();
});
