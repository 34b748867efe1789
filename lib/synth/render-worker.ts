/**
 * The render worker (a worker thread started by render-pool.ts for large stacks): receives each chart's final
 * objects (with their content digests, taken on the main thread) while the main thread goes on building and
 * validating, and renders their YAML bodies with the same BodyStore as the main thread uses. With staging folders
 * it writes each object's file (FolderStager) as soon as its body is rendered and sends no body back, so the files
 * are on disk by the time the gates have passed and no thread holds every file's text. With warm caches a batch
 * comes without its objects: a file the file index knows unchanged, or whose body the render cache has, needs
 * none; at the first that does, the batch waits ('need') until the main thread sends them. Every message it posts
 * is followed by a notify on the shared counter, so the main thread can wait for it synchronously
 * (Atomics.wait + receiveMessageOnPort).
 */
import * as v8 from 'v8';
import { MessagePort, parentPort } from 'worker_threads';
import { SpecError } from '../core/errors';
import { BodyStore } from './body-store';
import { collectGarbage, COLLECT_FROM_OBJECTS } from './collect';
import { FileIndex, readIndexFile } from './file-index';
import { FileRef, FromWorker, PingWorker, StartSession, ToWorker } from './render-protocol';
import { FolderStager, openStagers, stageObjects } from './stager';

/** Adds 1 to a shared counter and notifies (the main thread waits on it). */
function signal(counter: Int32Array): void {
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}

/** Posts `m` on a session's port, then signals its counter. */
function postOn(port: MessagePort, counter: Int32Array, m: FromWorker): void {
  port.postMessage(m);
  signal(counter);
}

/** Whether a session is under way: a collection after one is skipped when the next has begun already. */
let underWay = false;

/**
 * After a large session ended (of COLLECT_FROM_OBJECTS objects or more), when no other has begun: its garbage is
 * collected now, while the worker waits for the next session (worker-keeper.ts keeps it), on this thread, so the main
 * thread goes on meanwhile. Without it the next session's allocations came on top of the last one's (at 100,000
 * devices a worker's heap held 87-144 MB used at a session's end, and the next session grew it further), and keeping
 * the worker after a large synth cost more memory than it saved time. Not after a smaller one: at 10,000 devices the
 * next synth took ~0.1 s longer after it (a forced collection also drops compiled code), for little memory.
 */
function collectAfterSession(this: void): void {
  if (underWay) return;
  // Twice: after a session of 50,000 objects one collection left ~20 MB of it that only a second freed (measured with
  // the worker's used heap, test/synth/render-pool.test.ts).
  collectGarbage();
  collectGarbage();
}

/**
 * One synth's rendering (a session): the worker runs one at a time, each with its own port, caches and folders, and
 * stays alive between them (worker-keeper.ts keeps a worker whose session ended with a commit for the next synth in
 * this process, so its code is compiled and its modules loaded already). Nothing here outlives its session.
 */
function session(data: StartSession['data']): void {
  underWay = true;
  const { port, signal, claims, cacheDir, key } = data;
  let staging = data.staging;
  const counter = new Int32Array(signal);
  const claimed = new Int32Array(claims);

  const post = (m: FromWorker): void => postOn(port, counter, m);

  /** The batches, as the bytes they came in until they are needed (an object graph takes several times the memory). */
  type Batch = { id: number; data?: Uint8Array; objects?: Array<object | string>; files?: ReadonlyArray<FileRef>; digests?: string[] };
  const batches: Batch[] = [];
  /** Batches sent without objects that wait for them ('need'), by id, with the file to go on from. */
  const parked = new Map<number, { readonly b: Batch; readonly from: number }>();
  /** Parked batches whose objects came: staged next. */
  const resumed: Array<{ readonly b: Batch; readonly from: number }> = [];
  /** Thrown when a batch without objects has a file to render. */
  const NEED = Symbol('need objects');

  function objectsOf(b: (typeof batches)[number]): Array<object | string> {
    b.objects ??= v8.deserialize(b.data as Uint8Array) as Array<object | string>;
    b.data = undefined;
    return b.objects;
  }
  let rendered = 0;
  /** Batches whose files are staged (or, without staging, whose bodies went back): by this thread or the main one. */
  let done = 0;
  let ending: 'commit' | 'abort' | undefined;
  /** How many objects the session was given (told with the commit). */
  let objects = 0;
  /** The session failed or ended: nothing more runs (a step already scheduled returns at once). */
  let stopped = false;
  let filesEnded = false;
  let scheduled = false;
  let stagers: FolderStager[] | undefined;
  /**
   * The file index, when files are staged (keyed by the cache key and the header: another key voids it, another header
   * leaves only its stamps, FileIndex).
   */
  let index = staging ? FileIndex.open(cacheDir, key, staging.header) : undefined;
  /**
   * The file index read at once when the folders come later ('staging'): read while the main thread resolves the
   * stack and takes the folders' locks (~0.15-0.3 s for 116,000 files' index), instead of after.
   */
  const read = !staging && data.stagingLater && cacheDir !== undefined ? readIndexFile(cacheDir, key) : undefined;
  /** The render cache: read only when many bodies are needed, when the file index knows the last run's files. */
  let store: BodyStore | undefined;
  const openStore = (): BodyStore => (store ??= BodyStore.open(cacheDir, key, { defer: index?.renderCacheDefer ?? 0 }));

  /** One unit of work: a parked batch whose objects came (first), else the oldest batch not yet taken. */
  function step(): void {
    scheduled = false;
    if (stopped) return;
    try {
      if (ending === 'abort') return end();
      const store = openStore();
      const next = resumed.shift();
      if (next) stageLazily(next.b, next.from);
      else if (rendered < batches.length) {
        const b = batches[rendered];
        batches[rendered++] = { id: b.id, files: b.files, digests: b.digests }; // the objects are no longer needed here
        // The main thread, once idle, renders batches from the end of the queue: a batch it claimed is skipped here.
        if (b.id < claimed.length && Atomics.compareExchange(claimed, b.id, 0, 1) !== 0) return schedule();
        if (b.data === undefined && b.objects === undefined) stageLazily(b, 0);
        else {
          const objects = objectsOf(b);
          const digests = b.digests;
          stage(b.id, objects.length, b.files, digests, (i) => bodyOf(store, objects[i], digests?.[i]));
        }
      } else if (ending) {
        return end();
      }
    } catch (e) {
      return fail(e);
    }
    schedule();
  }

  /** Reports what went wrong (a folder that cannot be replaced is the main thread's SpecError) and stops. */
  function fail(e: unknown): void {
    // Nothing more is staged: the main thread removes the staging folders without waiting for this thread's end.
    stopped = true;
    if (e instanceof SpecError) post({ type: 'stage-error', heading: e.heading, problems: [...e.problems] });
    else post({ type: 'error', message: (e as Error).stack ?? String(e) });
    port.close();
  }

  /** The folders' stagers, opened (each lists its folder's files) on first use. */
  function stagersOf(): FolderStager[] | undefined {
    if (staging) stagers ??= openStagers(staging.folders, index);
    return stagers;
  }

  /**
   * Stages a batch's files (a file the index knows unchanged gets no body) or sends its bodies back, and finishes
   * staging after the last batch.
   */
  function stage(
    id: number,
    count: number,
    files: ReadonlyArray<FileRef> | undefined,
    digests: ReadonlyArray<string> | undefined,
    body: (i: number) => string,
    from = 0,
    stamps?: ReadonlyArray<string | null>,
  ): void {
    const s = stagersOf();
    if (s && staging) {
      const store = openStore();
      stageObjects(s, staging.header, files, digests, body, (i) => store.keep((digests as ReadonlyArray<string>)[i]), from, stamps);
      post({ type: 'bodies', id });
    } else post({ type: 'bodies', id, bodies: Array.from({ length: count }, (_, i) => body(i)) });
    done++;
    if (s && filesEnded && done === batches.length) finishStaging();
  }

  /**
   * Stages a batch sent without its objects from its file `from` on: a file the index knows unchanged, or whose body
   * the render cache has, needs no object; at the first that does, the batch is parked and its objects asked for.
   * `stamps`: its files' stamps, from the main thread ('stamps'); the files after a park are stamped here.
   */
  function stageLazily(b: Batch, from: number, stamps?: ReadonlyArray<string | null>): void {
    if (!staging || !b.digests) throw new Error('a batch came without its objects, but without staging folders or digests');
    const store = openStore();
    const digests = b.digests;
    const objects = b.data || b.objects ? objectsOf(b) : undefined;
    let at = from;
    const body = (i: number): string => {
      if (objects) return bodyOf(store, objects[i], digests[i]);
      const cached = store.cachedBody(digests[i]);
      if (cached !== undefined) return cached;
      at = i;
      throw NEED;
    };
    try {
      stage(b.id, digests.length, b.files, digests, body, from, stamps);
    } catch (e) {
      if (e !== NEED) throw e;
      parked.set(b.id, { b, from: at });
      post({ type: 'need', id: b.id });
    }
  }

  function finishStaging(): void {
    const results = (stagers as FolderStager[]).map((s) => s.finish());
    post({ type: 'staged', results });
  }

  function end(): void {
    // The main thread commits only after every file is staged, so no batch can still wait for its objects.
    if (ending === 'commit' && parked.size > 0) return fail(new Error(`asked to commit with ${parked.size} batches still waiting for their objects`));
    if (ending === 'commit') {
      store?.commit();
      index?.commit();
    } else store?.abort();
    stopped = true;
    underWay = false;
    post({ type: 'ended' });
    port.close();
    // Nothing of the session stays reachable (its listeners hold it): its memory goes at the collection that follows.
    port.removeAllListeners();
    if (objects >= COLLECT_FROM_OBJECTS) setImmediate(collectAfterSession);
  }

  function schedule(): void {
    if (scheduled || stopped) return;
    if (rendered >= batches.length && resumed.length === 0 && !ending) return; // idle until the next message
    scheduled = true;
    setImmediate(step);
  }

  port.on('message', (m: ToWorker) => {
    if (m.type === 'batch') batches.push({ id: m.id, data: m.data, files: m.files, digests: m.digests });
    else if (m.type === 'objects') {
      const p = parked.get(m.id);
      parked.delete(m.id);
      if (p) {
        p.b.data = m.data;
        resumed.push(p);
      }
    }
    else if (m.type === 'rendered') {
      try {
        openStore().adopt(m.digests, m.bodies, m.made);
        stage(m.id, m.bodies.length, batches[m.id].files, m.digests, (i) => m.bodies[i]);
      } catch (e) {
        return fail(e);
      }
    } else if (m.type === 'staging') {
      // The folders, before any batch: the synth took their locks.
      try {
        if (staging || batches.length > 0) throw new Error('the staging folders came twice, or after a batch');
        staging = m.staging;
        index = FileIndex.open(cacheDir, key, staging.header, read);
      } catch (e) {
        return fail(e);
      }
    } else if (m.type === 'stamps') {
      // A lazy batch the main thread claimed (this thread skipped it), with its files' stamps.
      try {
        stageLazily(batches[m.id], 0, m.stamps);
      } catch (e) {
        return fail(e);
      }
    } else if (m.type === 'files-end') {
      filesEnded = true;
      // The texts are staged at once; the rest as bodies come.
      try {
        const s = stagersOf() as FolderStager[];
        for (const [folder, rel, text] of m.texts) s[folder].put(rel, text);
        if (done === batches.length) finishStaging();
      } catch (e) {
        return fail(e);
      }
    } else {
      ending = m.type;
      if (m.type === 'commit') objects = m.objects ?? 0;
    }
    schedule();
  });
}

/** An object's body: one the main thread put together from a template comes as the string (render-pool.ts packObjects). */
function bodyOf(store: BodyStore, o: object | string, digest: string | undefined): string {
  return typeof o === 'string' ? o : store.body(o, digest);
}

(parentPort as MessagePort).on('message', (m: StartSession | PingWorker) => {
  if (m.type === 'ping') {
    // A kept worker asked whether it still runs (worker-keeper.ts alive): answered between sessions, at once.
    if (m.heap) new Float64Array(m.heap)[0] = v8.getHeapStatistics().used_heap_size;
    signal(new Int32Array(m.signal));
    return;
  }
  if (m.type !== 'session') return;
  try {
    session(m.data);
  } catch (e) {
    // Opening the session's file index failed: reported on its port, as every later failure is.
    postOn(m.data.port, new Int32Array(m.data.signal), { type: 'error', message: (e as Error).stack ?? String(e) });
    m.data.port.close();
  }
});
