import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { SpecError } from '../core/errors';
import { objectDigest } from '../core/object-digest';
import { BodyStore } from './body-store';
import { FileIndex, fileIn, stampOf } from './file-index';
import { FileRef, FromWorker, Staging, StartSession, ToWorker } from './render-protocol';
import { libraryYamlBody, templatedBody, yamlBody } from './serialize';
import { openStagers, stageObjects, StageResult } from './stager';
import { dropWorker, releaseWorker, takeWorker } from './worker-keeper';

export { KEEP_WORKER_IDLE_MS, KEPT_WORKER_PING_MS, stopIdleRenderWorker } from './worker-keeper';

/**
 * Renders the YAML bodies of a synth's objects, on a second core when the stack is large: objects are added as
 * each chart is built, a worker thread (render-worker.ts) serializes them while this thread goes on building and
 * validating, and `body` waits (synchronously) for the one asked for. Below `threshold` objects everything is
 * rendered on this thread (a worker costs about 50 ms to start). The bytes are the same either way: both run
 * yamlBody through BodyStore.
 *
 * With a cache folder it is also the render cache (BodyStore), keyed by each object's content digest (objectDigest,
 * taken here: mostly known already from sizing the object, see planSynth). With staging folders (synthToDir) it writes each
 * object's file into them as soon as it is rendered (FolderStager), and `staged` gives the result; the bodies are
 * then never sent back. End with commit() (this run's bodies become the cache) after a successful write, or
 * abort(); either ends the worker's part. After a commit the worker is kept for the next renderer in this process
 * (worker-keeper.ts idleWorker); after an abort or a failure it is stopped.
 */
export interface BodyRenderer {
  /** Queues final objects (not changed afterwards) for rendering; with staging, each object's file. */
  add(objects: ReadonlyArray<object>, files?: ReadonlyArray<FileRef>): void;
  /** The YAML body (yamlBody) of an object (not with staging); one never added is rendered here. */
  body(object: object): string;
  /**
   * Gives a renderer opened with `stagingLater` its folders, before any object is added (a synth knows them once it
   * has resolved the stack and taken the folders' locks).
   */
  stageInto(staging: Staging): void;
  /** Sends every added object on (taking its digest when there is a cache), before the gates run. */
  digests(): void;
  /** With staging: stages `texts` (files that are not objects), waits for every file, and gives each folder's result. */
  staged(texts: ReadonlyArray<readonly [folder: number, rel: string, text: string]>): StageResult[];
  /**
   * Keeps this run's bodies as the render cache and ends (the worker may be kept for the next renderer: worker-keeper.ts
   * idleWorker). `meanwhile`: runs on this thread while the worker saves its caches (the synth's own caches); it
   * ends before this returns, which it does once the worker has ended. @default - nothing
   */
  commit(meanwhile?: () => void): void;
  /**
   * Ends without touching the render cache; the worker has stopped staging files before this returns (it ended,
   * or it failed, which stops its staging too; one that sent nothing for `timeoutMs` is only terminated, which
   * takes effect shortly after).
   */
  abort(): void;
  /** Whether a worker thread renders. */
  readonly threaded: boolean;
  /** Whether it keys a cache by objectDigest (it has a cache folder): every added object's digest is taken. */
  readonly hashes: boolean;
}

/** Options of openBodyRenderer. */
export interface BodyRendererOptions {
  /** The render cache folder (render.json). @default - no cache: no digests, nothing kept */
  readonly cacheDir?: string;
  /** The cache key (validationCacheKey). @default '' */
  readonly key?: string;
  /** From how many added objects on a worker thread renders. @default 2000 */
  readonly threshold?: number;
  /**
   * How many objects the caller expects to add (an estimate): from `threshold` on the worker starts when the
   * renderer opens, so its start (a thread, its modules, render.json) overlaps the first charts' building instead
   * of delaying the first batch. @default 0 (started once `threshold` objects were added)
   */
  readonly expectedObjects?: number;
  /** How long to wait for the worker's next message before failing, in milliseconds. @default 120000 */
  readonly timeoutMs?: number;
  /**
   * The caches hold an earlier run's objects (the validation cache is not empty): the worker mostly finds files
   * unchanged or bodies cached rather than rendering them, so this thread does not help it render (it helps it stamp
   * files when it waits: stampFor), and (with staging and a cache) batches go without their objects until the worker
   * asks for them. @default false
   */
  readonly warm?: boolean;
  /** Folders to stage the files into, and the header of every YAML file. @default - none: bodies are returned */
  readonly staging?: Staging;
  /**
   * The folders to stage into come later (stageInto), before any object is added: a worker started when the renderer
   * opens reads the file index of `cacheDir` meanwhile (synthToDir opens its renderer before it resolves the stack).
   * @default false
   */
  readonly stagingLater?: boolean;
}

/**
 * At most this many objects are with the worker, not yet rendered; more makes add() wait (each is memory there).
 * With warm caches (WARM_IN_FLIGHT) the worker mostly stats files (a file index) or looks bodies up, so it may fall
 * further behind: it catches up while this thread runs the gates, instead of this thread waiting for it in the
 * middle of the fleet (at 100,000 devices that wait was about 2 s of a 13 s incremental synth; a batch waiting
 * there is its digests and file names, or its compact v8 bytes, about 300 bytes per object).
 */
const MAX_IN_FLIGHT = 60_000;
const WARM_IN_FLIGHT = 240_000;

/** Batches beyond this many are always rendered by the worker (the claims are one shared Int32 per batch). */
const MAX_CLAIMED_BATCHES = 1 << 16;

/** The compiled worker: beside this file when running from build/, else build/ of the package (tests run lib/ from TypeScript). */
function workerFile(): string | undefined {
  const candidates = [path.join(__dirname, 'render-worker.js'), path.resolve(__dirname, '..', '..', 'build', 'lib', 'synth', 'render-worker.js')];
  return candidates.find((f) => fs.existsSync(f));
}

/** Opens a renderer; see BodyRenderer. */
export function openBodyRenderer(options: BodyRendererOptions = {}): BodyRenderer {
  return new Renderer(options);
}

class Renderer implements BodyRenderer {
  private readonly batches: Array<{ objects: object[]; files?: ReadonlyArray<FileRef> }> = [];
  private readonly bodies = new Map<object, string>();
  /** Batches sent without their objects (lazy); how many of them the worker asked for, and staged without. */
  private readonly lazySent = new Set<number>();
  private asked = 0;
  private stagedWithout = 0;
  private sent = 0;
  private inFlight = 0;
  /** Batches this thread rendered for the worker. */
  private readonly mine = new Set<number>();
  private added = 0;
  private store: BodyStore | undefined;
  /** The file index of a small stack's staging (on this thread). */
  private index: FileIndex | undefined;
  private worker: { readonly worker: Worker; readonly port: MessagePort; readonly counter: Int32Array } | undefined;
  private ended = false;
  private failed = false;
  private stagedResults: StageResult[] | undefined;
  /** Who renders each batch (render-protocol.ts RenderWorkerData.claims). */
  private readonly claims = new Int32Array(new SharedArrayBuffer(4 * MAX_CLAIMED_BATCHES));

  /** The folders to stage into (options.staging, or stageInto's). */
  private staging: Staging | undefined;

  public constructor(private readonly options: BodyRendererOptions) {
    this.staging = options.staging;
    if ((options.expectedObjects ?? 0) >= (options.threshold ?? 2000)) this.start();
  }

  public stageInto(staging: Staging): void {
    if (this.staging || this.batches.length > 0 || !this.options.stagingLater) throw new Error('stageInto() needs a renderer opened with stagingLater, before any object is added');
    this.staging = staging;
    this.worker?.port.postMessage({ type: 'staging', staging } satisfies ToWorker);
  }

  public get threaded(): boolean {
    return this.worker !== undefined;
  }

  public get hashes(): boolean {
    return this.options.cacheDir !== undefined;
  }

  /** Whether batches go to the worker without their objects until it asks (warm caches, staging, digests). */
  private get lazy(): boolean {
    return this.options.warm === true && this.staging !== undefined && this.hashes;
  }

  public add(objects: ReadonlyArray<object>, files?: ReadonlyArray<FileRef>): void {
    if (objects.length === 0) return;
    this.batches.push({ objects: [...objects], files: this.staging ? files : undefined });
    this.added += objects.length;
    if (!this.worker && !this.store && this.added >= (this.options.threshold ?? 2000)) this.start();
    if (this.worker) this.send();
  }

  public body(object: object): string {
    if (this.staging) throw new Error('a staging renderer writes its files and gives no bodies');
    let b = this.bodies.get(object);
    if (b !== undefined) return b;
    if (this.worker) {
      this.send();
      while ((b = this.bodies.get(object)) === undefined && this.inFlight > 0) this.receive();
    } else {
      this.renderHere();
      b = this.bodies.get(object);
    }
    return b ?? yamlBody(object);
  }

  public digests(): void {
    if (!this.worker) return; // on this thread objectDigest hashes (and memoizes) on demand
    this.send();
  }

  public staged(texts: ReadonlyArray<readonly [number, string, string]>): StageResult[] {
    const staging = this.staging;
    if (!staging) throw new Error('staged() needs a renderer opened with staging folders');
    if (!this.worker) {
      // A small stack: render and stage here.
      this.index = FileIndex.open(this.options.cacheDir, this.options.key ?? '', staging.header);
      const stagers = openStagers(staging.folders, this.index);
      const store = (this.store ??= BodyStore.open(this.options.cacheDir, this.options.key ?? '', { defer: this.index.renderCacheDefer }));
      for (; this.sent < this.batches.length; this.sent++) {
        const { objects, files } = this.batches[this.sent];
        const digests = store.cached ? objects.map(objectDigest) : undefined;
        stageObjects(stagers, staging.header, files, digests, (i) => store.body(objects[i], digests?.[i]), (i) => store.keep((digests as string[])[i]));
      }
      for (const [folder, rel, text] of texts) stagers[folder].put(rel, text);
      return stagers.map((s) => s.finish());
    }
    this.send();
    this.worker.port.postMessage({ type: 'files-end', texts } satisfies ToWorker);
    this.help();
    while (!this.stagedResults) this.receive();
    return this.stagedResults;
  }

  public commit(meanwhile?: () => void): void {
    this.end('commit', meanwhile);
  }

  public abort(): void {
    this.end('abort');
  }

  private end(how: 'commit' | 'abort', meanwhile?: () => void): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.worker) {
      if (how === 'commit') {
        this.store?.commit();
        this.index?.commit();
      } else this.store?.abort();
      meanwhile?.();
      return;
    }
    const { worker, port } = this.worker;
    let keep = false;
    /** What `meanwhile` threw: thrown once the worker has ended (the worker's own failure here is not). */
    let thrown: { readonly e: unknown } | undefined;
    try {
      if (how === 'commit') this.send();
      port.postMessage((how === 'commit' ? { type: how, objects: this.added } : { type: how }) satisfies ToWorker);
      try {
        meanwhile?.();
      } catch (e) {
        thrown = { e };
      }
      if (!this.failed) while (this.receive() !== 'ended');
      keep = how === 'commit' && !this.failed;
    } catch {
      /* the cache is a shortcut: a worker that failed at the end leaves the old render.json */
    } finally {
      port.close();
      // Its session ended (it posted 'ended' and closed its port): it waits for the next one.
      if (keep) releaseWorker(worker);
      else dropWorker(worker);
    }
    if (thrown) throw thrown.e;
  }

  /**
   * This thread has nothing left to do but wait: it renders batches the worker has not reached, from the last one
   * down, claiming each first (the worker claims from the first one up, so each batch is rendered once), and
   * sends the bodies to the worker, which stages them. Not with a render cache from an earlier run, where the
   * worker looks most bodies up instead of rendering them.
   */
  private help(): void {
    const render = this.canHelp();
    if (!render && !this.canStamp()) return;
    for (let id = Math.min(this.sent, this.claims.length) - 1; id >= 0; id--) {
      const was = Atomics.compareExchange(this.claims, id, 0, 2);
      if (was === 1) break; // the worker got here (it claims upwards): everything below is decided
      if (was === 0) {
        if (render) this.renderFor(id);
        else this.stampFor(id);
      }
    }
  }

  /**
   * Whether this thread may stamp batches for the worker: with warm caches the worker renders few bodies, and its time
   * goes to stamping every file for the file index (an lstat each: ~1.2 s of 116,300 files at 100,000 devices, the
   * last of them while this thread waits for it).
   */
  private canStamp(): boolean {
    return this.worker !== undefined && this.staging !== undefined && this.lazy && !this.mostChanged;
  }

  /** Stamps the files of a batch sent without its objects, which this thread claimed, and sends the stamps to the worker. */
  private stampFor(id: number): void {
    const folders = (this.staging as Staging).folders;
    const stamps = (this.batches[id].files ?? []).map(([folder, rel]) => stampOf(fileIn(folders[folder].abs, rel)) ?? null);
    (this.worker as NonNullable<Renderer['worker']>).port.postMessage({ type: 'stamps', id, stamps } satisfies ToWorker);
    this.poll();
  }

  /** Whether this thread may render batches for the worker (not with a warm render cache; see help). */
  private canHelp(): boolean {
    return (!this.options.warm || this.mostChanged) && this.worker !== undefined && this.staging !== undefined;
  }

  /**
   * Warm caches, but the worker has asked for the objects of at least 8 batches, and of more than a third of
   * those it has finished: most objects changed (the stack renamed, a label on every device), so the rest of the synth
   * runs as a cold one: batches go with their objects, the worker may fall at most MAX_IN_FLIGHT behind, and this
   * thread helps it render (a warm stale synth otherwise ran far ahead of the worker into the gates, and its
   * peak memory was 50–100 MB higher).
   */
  private get mostChanged(): boolean {
    return this.asked >= 8 && this.asked * 2 > this.stagedWithout;
  }

  /** Renders a batch this thread claimed and sends the bodies to the worker, which stages them. */
  private renderFor(id: number): void {
    const { objects } = this.batches[id];
    const made: number[] = [];
    const bodies = objects.map((o, i) => {
      const body = templatedBody(o);
      if (body === undefined) return libraryYamlBody(o);
      made.push(i);
      return body;
    });
    const digests = this.options.cacheDir !== undefined ? objects.map(objectDigest) : undefined;
    (this.worker as NonNullable<Renderer['worker']>).port.postMessage({ type: 'rendered', id, bodies, digests, made } satisfies ToWorker);
    this.mine.add(id);
    this.inFlight -= objects.length;
    this.poll();
  }

  /** Takes in the worker's messages that are already there, without waiting. */
  private poll(): void {
    const { port } = this.worker as NonNullable<Renderer['worker']>;
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) this.take(m.message as FromWorker);
  }

  /** Renders every added object on this thread. */
  private renderHere(): void {
    this.store ??= BodyStore.open(this.options.cacheDir, this.options.key ?? '');
    for (; this.sent < this.batches.length; this.sent++) {
      const { objects } = this.batches[this.sent];
      const { bodies } = this.store.render(objects);
      objects.forEach((o, i) => this.bodies.set(o, bodies[i]));
    }
  }

  private start(): void {
    const file = workerFile();
    if (!file) return;
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const data: StartSession['data'] = { signal, claims: this.claims.buffer as SharedArrayBuffer, cacheDir: this.options.cacheDir, key: this.options.key ?? '', staging: this.staging, stagingLater: this.options.stagingLater === true && !this.staging, port: port2 };
    const worker = takeWorker(file);
    worker.postMessage({ type: 'session', data } satisfies StartSession, [port2]);
    this.worker = { worker, port: port1, counter: new Int32Array(signal) };
  }

  private send(): void {
    const w = this.worker as NonNullable<Renderer['worker']>;
    this.poll(); // the worker's asks for objects are answered as charts are built, not only at the end
    for (; this.sent < this.batches.length; this.sent++) {
      const { objects, files } = this.batches[this.sent];
      // The digests go with the objects: most are known already (planSynth measured each object's JSON text,
      // which gives its digest too), so the worker hashes nothing and the gates never wait for it.
      const digests = this.hashes ? objects.map(objectDigest) : undefined;
      // Warm caches: the worker asks for a batch's objects ('need') only when a file it stages is neither known
      // unchanged nor its body cached, so an incremental synth serializes a few batches instead of every one
      // (until most objects turn out changed: mostChanged).
      if (this.lazy && !this.mostChanged) {
        w.port.postMessage({ type: 'batch', id: this.sent, files, digests } satisfies ToWorker);
        this.lazySent.add(this.sent);
      } else {
        const data = packObjects(objects);
        w.port.postMessage({ type: 'batch', id: this.sent, data, files, digests } satisfies ToWorker, [data.buffer as ArrayBuffer]);
      }
      this.inFlight += objects.length;
    }
    // Back pressure: the worker's copies of objects not yet rendered are memory too (a 100,000-device fleet).
    // Rather than wait for the worker, this thread renders the newest batch itself when it can.
    while (this.inFlight > (this.options.warm && !this.mostChanged ? WARM_IN_FLIGHT : MAX_IN_FLIGHT)) {
      const id = Math.min(this.sent, this.claims.length) - 1;
      if (this.canHelp() && id >= 0 && Atomics.compareExchange(this.claims, id, 0, 2) === 0) this.renderFor(id);
      else this.receive();
    }
  }

  /** Waits for the worker's next message and takes it in; returns its type. */
  private receive(): FromWorker['type'] {
    const { port, counter } = this.worker as NonNullable<Renderer['worker']>;
    const timeout = this.options.timeoutMs ?? 120_000;
    for (;;) {
      const seen = Atomics.load(counter, 0);
      const m = receiveMessageOnPort(port)?.message as FromWorker | undefined;
      if (m) return this.take(m);
      if (Atomics.wait(counter, 0, seen, timeout) === 'timed-out') {
        this.failed = true;
        throw new Error(`the render worker (${workerFile()}) sent nothing for ${timeout / 1000} s (it may have run out of memory): report the stack and the machine's memory`);
      }
    }
  }

  private take(m: FromWorker): FromWorker['type'] {
    if (m.type === 'error') {
      this.failed = true;
      throw new Error(`the render worker failed: ${m.message}`);
    }
    if (m.type === 'stage-error') {
      this.failed = true;
      throw new SpecError(m.problems, m.heading);
    }
    if (m.type === 'need') {
      this.asked++;
      this.lazySent.delete(m.id);
      const data = packObjects(this.batches[m.id].objects);
      (this.worker as NonNullable<Renderer['worker']>).port.postMessage({ type: 'objects', id: m.id, data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
    } else if (m.type === 'staged') this.stagedResults = m.results;
    else if (m.type === 'bodies') {
      const { objects } = this.batches[m.id];
      const bodies = m.bodies;
      if (bodies) objects.forEach((o, i) => this.bodies.set(o, bodies[i]));
      if (!this.mine.has(m.id)) this.inFlight -= objects.length; // this thread's own were counted when rendered
      if (this.lazySent.delete(m.id)) this.stagedWithout++;
      this.batches[m.id] = { objects: [] };
    }
    return m.type;
  }
}

/**
 * A batch's objects as the worker gets them (v8.serialize): an object whose body is put together from a template
 * (templatedBody: a fleet's device requests) goes as that body, a string, which is shorter to serialize than the
 * object and leaves the worker nothing to render; every other object as it is (an object is never a string).
 */
function packObjects(objects: ReadonlyArray<object>): Uint8Array {
  return v8.serialize(objects.map((o) => templatedBody(o) ?? o));
}
